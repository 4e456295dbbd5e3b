// The advisory notice text (reStructuredText), DESIGN.md §3: the body of the signed announcement
// and of the advisory page. It must be byte-for-byte what the OpenStack tooling prints, so this is
// a reproduction of openstack/ossa `doc/source/_exts/rst.jinja` rendered by `vmt.py` (jinja2 with
// trim_blocks, data from yaml.safe_load): same sections, same whitespace, and Python's way of
// printing values (`str()` of a float version, a string iterated where a list was expected).
// See test-fixtures/ossa-notices/README.md for the reference outputs the tests compare against.
//
// Where the upstream tooling would crash (no date, a key missing under a section it indexes),
// Cordon prints the nearest sensible thing (an empty value) instead of failing.
import type { AdvisoryRecord } from '../record.js';
import { ossaExportData } from './ossa-export.js';
import { PyDate, PyDateTime, isPyDict, pyGet, pyIterate, pyStr, pyTruthy, type PyDict, type PyValue } from './py-value.js';
import { jinjaWordwrap } from './python-textwrap.js';
import { pyCapitalize, pyLen, pyLower, pySplitlines, pyStrip } from './python-text.js';

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

/** `"{:%B %d, %Y}".format(date)` in the C locale: `December 13, 2011`. */
function ossaDate(v: PyValue | undefined): string {
  const d = v instanceof PyDateTime ? v.date : v;
  if (!(d instanceof PyDate)) return v === undefined ? '' : pyStr(v);
  return `${MONTHS[d.month - 1] ?? ''} ${String(d.day).padStart(2, '0')}, ${String(d.year).padStart(4, '0')}`;
}

/** `{{ x }}`: Python str(), and nothing for an undefined value. */
function out(v: PyValue | undefined): string {
  return v === undefined ? '' : pyStr(v);
}

/** vmt.py cve_formater / cve_list_formatter. */
function cveList(vulns: PyValue | undefined): string {
  return pyIterate(vulns)
    .map((v) => {
      const id = out(pyGet(v, 'cve-id'));
      return isPyDict(v) && v.has('note') ? `${id} (${out(v.get('note'))})` : id;
    })
    .join(',\n      ');
}

/** vmt.py csv_list_formatter: `", ".join(value)`; a string joins its characters. */
function csvList(v: PyValue | undefined): string {
  return pyIterate(v).map(out).join(', ');
}

/** jinja2 `indent` filter (width 4, first line not indented, blank lines left blank). */
function indent(s: string): string {
  const lines = pySplitlines(`${s}\n`);
  const [first = '', ...rest] = lines;
  return rest.length ? `${first}\n${rest.map((l) => (l ? `    ${l}` : l)).join('\n')}` : first;
}

/** jinja2 `sort` filter on a dict: its keys, case-insensitively for strings, stable. */
function sortedKeys(d: PyValue | undefined): PyValue[] {
  const key = (k: PyValue): string => (typeof k === 'string' ? pyLower(k) : pyStr(k));
  return pyIterate(d)
    .map((k, i) => ({ k, i, s: key(k) }))
    .sort((a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : a.i - b.i))
    .map((x) => x.k);
}

/** The rst.jinja template, for OSSA data as yaml.safe_load returns it (after vmt.py's snake_case of top keys). */
/** The References line of a CVE id: OpenStack's tooling links MITRE's old site; Cordon's own records cve.org. */
export type CveLinkStyle = 'mitre' | 'cve.org';

function cveLink(style: CveLinkStyle, id: string): string {
  return style === 'mitre' ? `http://cve.mitre.org/cgi-bin/cvename.cgi?name=${id}` : `https://www.cve.org/CVERecord?id=${id}`;
}

export function renderNoticeFromOssaData(data: PyDict, cveLinks: CveLinkStyle = 'mitre'): string {
  const get = (key: string): PyValue | undefined => {
    const dashed = key.replaceAll('_', '-');
    return data.has(key) ? data.get(key) : data.has(dashed) && key !== 'errata_history' ? data.get(dashed) : undefined;
  };
  const id = out(get('id'));
  const title = get('title');
  const heading = `${id}: ${out(title)}`;
  // Upstream writes 15 + len(title) `=`; with a 13-character id that is the heading's length.
  const rule = '='.repeat(pyLen(heading));
  let s = `${rule}\n${heading}\n${rule}\n\n`;
  s += `:Date: ${ossaDate(get('date'))}\n`;
  s += `:CVE: ${cveList(get('vulnerabilities'))}\n\n\n`;

  s += 'Affects\n~~~~~~~\n';
  for (const affected of pyIterate(get('affected_products'))) {
    const product = pyGet(affected, 'product');
    const name = typeof product === 'string' ? pyCapitalize(product) : out(product);
    s += `- ${name}: ${out(pyGet(affected, 'version'))}\n`;
  }

  s += `\n\nDescription\n~~~~~~~~~~~\n${out(get('description'))}\n`;
  const errata = get('errata');
  if (pyTruthy(errata)) s += `\n\nErrata\n~~~~~~\n${out(errata)}\n`;

  s += '\n\nPatches\n~~~~~~~\n';
  const reviews = get('reviews');
  for (const release of sortedKeys(reviews)) {
    if (release === 'type') continue;
    const label = pyStrip(typeof release === 'string' ? pyCapitalize(release) : out(release));
    for (const link of pyIterate(isPyDict(reviews) ? reviews.get(release) : undefined)) {
      s += `- ${pyStrip(out(link))} (${label})\n`;
    }
  }

  s += '\n\nCredits\n~~~~~~~\n';
  for (const reporter of pyIterate(get('reporters'))) {
    const r = isPyDict(reporter) ? reporter : new Map<PyValue, PyValue>();
    const name = indent(pyStrip(out(r.get('name'))));
    const affiliation = r.get('affiliation');
    if (r.has('affiliation') && pyTruthy(affiliation) && affiliation !== 'UNKNOWN') {
      const reported = r.has('reported') ? ` (${csvList(r.get('reported'))})` : '';
      s += `- ${name} from ${out(affiliation)}${reported}\n`;
    } else {
      s += `- ${name} (${csvList(r.get('reported'))})\n`;
    }
  }

  s += '\n\nReferences\n~~~~~~~~~~\n';
  for (const link of pyIterate(pyGet(get('issues'), 'links'))) s += `- ${out(link)}\n`;
  for (const vuln of pyIterate(get('vulnerabilities'))) {
    const cve = pyGet(vuln, 'cve-id');
    if (cve !== 'Requested') s += `- ${cveLink(cveLinks, out(cve))}\n`;
  }

  const notes = get('notes');
  if (pyTruthy(notes)) {
    s += '\n\nNotes\n~~~~~\n';
    for (const note of pyIterate(notes)) {
      s += `- ${jinjaWordwrap(out(note), 70, { breakLongWords: false, wrapstring: '\n  ' })}\n`;
    }
  }
  if (pyTruthy(errata)) {
    s += '\n\nOSSA History\n~~~~~~~~~~~~\n';
    for (const change of pyIterate(get('errata_history'))) s += `- ${out(change)}\n`;
  }
  return s;
}

/**
 * The notice text of an advisory, exactly as the OpenStack tooling renders its exported YAML; records
 * made in Cordon (no OSSA source file) link their CVE ids to cve.org, the CVE programme's site.
 */
export function renderNoticeText(record: AdvisoryRecord): string {
  return renderNoticeFromOssaData(ossaExportData(record), record.sourceYaml !== null ? 'mitre' : 'cve.org');
}
