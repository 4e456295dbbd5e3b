import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../testing/fixture-files.js';
import { emptyAdvisoryRecord, type AdvisoryRecord } from '../record.js';
import { exportOssaYaml, ossaExportData } from './ossa-export.js';
import { importOssaYaml } from './ossa-yaml.js';
import { pyEquals, pyRepr, type PyDict, type PyValue } from './py-value.js';
import { loadPyYaml } from './pyyaml-load.js';

const corpusDir = fixturePath('ossa');
const corpus = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => ({ name: f, text: readFileSync(path.join(corpusDir, f), 'utf8') }));

/** What PyYAML's safe_load gives (pyyaml.test.ts pins our loader to PyYAML's behaviour). */
const load = (text: string): PyValue => loadPyYaml(text, 'exported.yaml').value;

/** The typed part of a record, for comparisons that ignore the source copy. */
function typed(r: AdvisoryRecord): Omit<AdvisoryRecord, 'raw' | 'sourceYaml'> {
  const { raw: _raw, sourceYaml: _src, ...rest } = r;
  return rest;
}

function differingKeys(a: PyValue, b: PyValue): string[] {
  const x = a as PyDict;
  const y = b as PyDict;
  const keys = new Set([...x.keys(), ...y.keys()].map(String));
  return [...keys].filter((k) => !pyEquals(x.get(k), y.get(k))).sort();
}

describe('export of imported advisories', () => {
  it('writes every corpus file back so that it loads to exactly the original data (types and order)', () => {
    expect(corpus).toHaveLength(183);
    for (const { name, text } of corpus) {
      const { record } = importOssaYaml(text, name);
      const exported = exportOssaYaml(record);
      expect(pyRepr(load(exported)), name).toBe(pyRepr(load(text)));
      expect(pyRepr(ossaExportData(record)), name).toBe(pyRepr(load(text)));
    }
  });

  it('keeps the layout of unedited files: key order, blank lines and comments survive', () => {
    for (const name of ['OSSA-2021-003.yaml', 'OSSA-2024-005.yaml']) {
      const file = corpus.find((c) => c.name === name);
      expect(exportOssaYaml(importOssaYaml(file?.text ?? '', name).record), name).toBe(file?.text);
    }
    const file = corpus.find((c) => c.name === 'OSSA-2014-015.yaml')?.text ?? '';
    const commented = file.replace('id: OSSA-2014-015', '# kept comment\nid: OSSA-2014-015');
    const out = exportOssaYaml({ ...importOssaYaml(commented, 'c.yaml').record, title: 'Edited' });
    expect(out).toContain('# kept comment\nid: OSSA-2014-015\n\ntitle: Edited\n\ndescription:');
  });

  it('writes records without a source copy canonically; only the known quirks are normalised', () => {
    const normalised: Record<string, string[]> = {};
    for (const { name, text } of corpus) {
      const { record } = importOssaYaml(text, name);
      const fresh = exportOssaYaml({ ...record, sourceYaml: null });
      const again = importOssaYaml(fresh, name).record;
      expect(typed(again), name).toEqual(typed(record));
      const keys = differingKeys(load(fresh), load(text));
      if (keys.length) normalised[name] = keys;
    }
    expect(normalised).toEqual({
      // `score: 4` (int) becomes 4.0, like every other CVSS score.
      'OSSA-2013-037.yaml': ['vulnerabilities'],
      'OSSA-2014-014.yaml': ['vulnerabilities'],
      'OSSA-2014-016.yaml': ['vulnerabilities'],
      'OSSA-2014-034.yaml': ['vulnerabilities'],
      // The float version 2014.1 becomes the string '2014.1'.
      'OSSA-2014-015.yaml': ['affected-products'],
      // `reported: 'CVE-2025-44021'` becomes a list.
      'OSSA-2025-001.yaml': ['reporters'],
    });
  });
});

describe('export of edited records', () => {
  const source = corpus.find((c) => c.name === 'OSSA-2014-015.yaml')?.text ?? '';

  it('changes only the edited key and keeps the quirks of the others', () => {
    const { record } = importOssaYaml(source, 'OSSA-2014-015.yaml');
    const edited: AdvisoryRecord = { ...record, title: 'yes' };
    const out = exportOssaYaml(edited);
    const before = load(source) as PyDict;
    const after = load(out) as PyDict;
    expect(differingKeys(after, before)).toEqual(['title']);
    expect(after.get('title')).toBe('yes');
    // The untouched float version is still a float.
    expect(pyRepr((after.get('affected-products') as PyDict[])[0]?.get('version') ?? null)).toBe('2014.1');
    expect(out).toContain("title: 'yes'");
  });

  it('writes an edited section canonically, drops removed ones and appends new ones', () => {
    const file = corpus.find((c) => c.name === 'OSSA-2014-039.yaml')?.text ?? '';
    const { record } = importOssaYaml(file, 'OSSA-2014-039.yaml');
    expect(record.errata).not.toBeNull();
    const edited: AdvisoryRecord = {
      ...record,
      errata: null,
      notes: ['A new note.'],
      reporters: [...record.reporters, { name: 'New Person', affiliation: null, reported: ['CVE-2099-0001'] }],
    };
    const after = load(exportOssaYaml(edited)) as PyDict;
    expect(after.has('errata')).toBe(false);
    expect(after.has('errata_history')).toBe(false);
    expect(after.get('notes')).toEqual(['A new note.']);
    const last = (after.get('reporters') as PyDict[]).at(-1);
    expect(last && Object.fromEntries(last)).toEqual({ name: 'New Person', reported: ['CVE-2099-0001'] });
    expect(typed(importOssaYaml(exportOssaYaml(edited), 'x.yaml').record)).toEqual(typed(edited));
  });

  it('writes a record drafted in Cordon with awkward text and reads it back identically', () => {
    const draft: AdvisoryRecord = {
      ...emptyAdvisoryRecord('OSSA-2099-042'),
      date: '2099-01-02',
      dateText: '2099-01-02',
      title: 'on',
      description: 'Line one: with colon\n  indented # not a comment\n\ttab \u2028 sep\n\n',
      affectedProducts: [
        { product: 'nova', versions: { text: '2014.1', ranges: [], allVersions: false, unparsed: [] } },
      ],
      vulnerabilities: [
        {
          cveId: 'CVE-2099-1234',
          note: 'yes',
          idAnnotation: null,
          impactAssessments: [
            { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, source: null, rating: 'critical' },
            { version: '4.0', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', score: 9.3, source: 'VMT', rating: null },
          ],
          classifications: [{ type: 'CWE', detail: 'CWE-78', cweIds: ['CWE-78'], source: null }],
        },
      ],
      reporters: [{ name: "O'Brien", affiliation: '~', reported: ['CVE-2099-1234'] }],
      issues: { links: ['https://launchpad.net/bugs/1'], type: null },
      reviews: [
        { branch: '2025.1', links: ['https://review.opendev.org/1'] },
        { branch: 'master', links: [] },
      ],
      reviewsType: 'gerrit',
      notes: ['- dash first'],
      errata: { text: 'Fixed a typo.', history: ['2099-01-03 - Errata 1', '2099-01-02 - Original Version'] },
      references: ['https://example.org/a', 'https://example.org/b'],
    };
    const text = exportOssaYaml(draft);
    const { record } = importOssaYaml(text, 'draft.yaml');
    expect(record.title).toBe('on');
    expect(record.description).toBe(draft.description);
    expect(record.affectedProducts[0]?.versions.text).toBe('2014.1');
    expect(record.vulnerabilities).toEqual(draft.vulnerabilities);
    expect(record.reporters).toEqual(draft.reporters);
    expect(record.reviews).toEqual(draft.reviews);
    expect(record.errata).toEqual(draft.errata);
    expect(record.references).toEqual(draft.references);
    const data = load(text) as PyDict;
    expect(pyRepr(data.get('reviews') ?? null)).toBe("{'2025.1': ['https://review.opendev.org/1'], 'master': [], 'type': 'gerrit'}");
  });
});
