// Every public file of an advisory, and the site-wide files over all of them, from published records
// only (DESIGN.md §3–4): the page, the notice text, the OSSA YAML, OSV JSON, one CVE JSON 5 record per
// CVE id, the CSAF 2.0 document in the provider layout, the index, the Atom feed. Pure: records in,
// files out; site-files.ts stores them and signs them.
import { h } from '../web/jsx.js';
import type { AdvisoryRecord } from './record.js';
import { renderNoticeText } from './formats/notice-text.js';
import { exportOssaYaml } from './formats/ossa-export.js';
import { buildOsv } from './formats/osv.js';
import { buildCveRecords } from './formats/cve5.js';
import { buildCsaf, type CsafDocument } from './formats/csaf.js';
import { CSAF_ROOT, CSAF_WHITE_DIR, csafDocumentPath, csafIndexFiles, type CsafEntry } from './formats/csaf-provider.js';
import { csafListingFiles } from './csaf-listings.js';
import { isoTimestamp } from './formats/advisory-facts.js';
import type { PublicationSettings } from './formats/settings.js';
import { publishesCveRecords, settingsForRecord, type PublicationProfile } from './settings.js';
import { AdvisoryArticle, AdvisoryIndexByYear } from './pages.js';
import { staticDocument } from './static-page.js';
import { advisoriesAtom, FEED_PATH } from './atom.js';
import type { PublishedSummary } from './summary.js';
import type { TeamPublicKey } from './signer.js';
import type { GuideValues } from './guide-starters.js';

export interface SiteFile {
  path: string;
  content: string;
  contentType: string;
  /** The advisory the file belongs to; null for files over all advisories (index, feed, CSAF index). */
  advisoryRef: string | null;
}

export interface SiteContext {
  /** The instance's settings (feeds, CSAF provider metadata, home page). */
  settings: PublicationSettings;
  /** Per record: imported OpenStack records and records made here are published under different defaults. */
  profile: PublicationProfile;
  instanceName: string;
  /** The team's public key, listed in the CSAF provider metadata when there is one. */
  teamKey: TeamPublicKey | null;
  /** What `{{placeholders}}` in guide pages stand for (the instance's embargo days, team address…). */
  guideValues: GuideValues;
  /** When the instance began (ISO): the date of a feed that has no entries yet. */
  createdAt: string;
}

/**
 * Where the CSAF provider layout lives in the site: under /.well-known/csaf/ (CSAF 2.0 requirement 9),
 * served there directly; the app redirects the old `/csaf/…` paths of issue 6 here.
 */
export const CSAF_DIR = CSAF_ROOT;
const CSAF_WHITE = CSAF_WHITE_DIR;

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';
const CSAF_TYPES: Record<string, string> = { json: JSON_TYPE, txt: TEXT_TYPE, csv: 'text/csv; charset=utf-8' };

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function csafPathOf(doc: CsafDocument): string {
  return `${CSAF_WHITE}/${csafDocumentPath(doc)}`;
}

/** The files of one published advisory. */
export function advisoryFiles(record: AdvisoryRecord, ctx: SiteContext): SiteFile[] {
  const settings = settingsForRecord(ctx.profile, record);
  const ref = record.id;
  const file = (path: string, content: string, contentType: string): SiteFile => ({ path, content, contentType, advisoryRef: ref });
  const csaf = buildCsaf(record, { settings });
  const page = staticDocument({ title: `${ref}: ${record.title}`, instanceName: ctx.instanceName, depth: 1, signed: ctx.teamKey !== null, children: h(AdvisoryArticle, { record, cveRecords: publishesCveRecords(ctx.profile, record) }) });
  return [
    file(`advisories/${ref}.html`, page, HTML_TYPE),
    file(`advisories/${ref}.txt`, renderNoticeText(record), TEXT_TYPE),
    file(`advisories/${ref}.yaml`, exportOssaYaml(record), 'application/yaml; charset=utf-8'),
    file(`osv/${ref}.json`, json(buildOsv(record, { settings })), JSON_TYPE),
    // No CNA entered: no CVE record rather than one naming a guessed assigner (the checklist says so).
    ...(publishesCveRecords(ctx.profile, record) ? buildCveRecords(record, { settings }) : []).map((cve) => file(`cve/${cve.cveMetadata.cveId}.json`, json(cve), JSON_TYPE)),
    file(csafPathOf(csaf), json(csaf), JSON_TYPE),
  ];
}

/**
 * What the CSAF index files read of a document (tracking id, title, dates), from a summary: the index,
 * changes.csv, ROLIE feed and provider metadata are rebuilt on every publication without rebuilding 183
 * documents. Same values as buildCsaf's `document.title` and tracking dates.
 */
function csafEntry(s: PublishedSummary): CsafEntry {
  return { id: s.ref, title: `${s.ref}: ${s.title.trim()}`, initialReleaseDate: isoTimestamp(s.date), currentReleaseDate: isoTimestamp(s.updated) };
}

/** Where the team key is published beside the provider metadata (CSAF 2.0 requirement 20). */
export function csafKeyPath(fingerprint: string): string {
  return `${CSAF_DIR}/openpgp/${fingerprint.toUpperCase()}.asc`;
}

/** The files over all published advisories: index page, feed, the CSAF provider files and listings. */
export function advisoryIndexFiles(summaries: readonly PublishedSummary[], ctx: SiteContext): SiteFile[] {
  const { settings } = ctx;
  const file = (path: string, content: string, contentType: string): SiteFile => ({ path, content, contentType, advisoryRef: null });
  const entries = summaries.map(csafEntry);
  const key = ctx.teamKey;
  // With a team key every file is signed (requirements 19, 20): a trusted provider. Without one, a provider.
  const csafOptions = key
    ? { openPgpKeys: [{ fingerprint: key.fingerprint, url: `${settings.baseUrl}/${csafKeyPath(key.fingerprint)}` }], role: 'csaf_trusted_provider' as const, signed: true }
    : { role: 'csaf_provider' as const, signed: false };
  const index = staticDocument({
    title: 'Security advisories',
    instanceName: ctx.instanceName,
    depth: 1,
    signed: csafOptions.signed,
    children: [h('h1', null, 'Security advisories'), h(AdvisoryIndexByYear, { summaries: [...summaries], base: '', suffix: '.html' })],
  });
  return [
    file('advisories/index.html', index, HTML_TYPE),
    file(FEED_PATH, advisoriesAtom(summaries, settings, ctx.instanceName, ctx.createdAt), 'application/atom+xml; charset=utf-8'),
    ...csafIndexFiles(entries, settings, csafOptions).map((f) => file(f.path, f.content, CSAF_TYPES[f.path.split('.').pop() ?? ''] ?? JSON_TYPE)),
    ...csafListingFiles(entries, { instanceName: ctx.instanceName, signed: csafOptions.signed }).map((f) => file(f.path, f.content, HTML_TYPE)),
    ...(key ? [file(csafKeyPath(key.fingerprint), key.publicKeyArmored.endsWith('\n') ? key.publicKeyArmored : `${key.publicKeyArmored}\n`, 'application/pgp-keys')] : []),
  ];
}

export const SITE_TYPES = { HTML_TYPE, TEXT_TYPE, JSON_TYPE };
