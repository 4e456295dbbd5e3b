// The CSAF 2.0 provider file layout (CSAF v2.0 §7.1, directory-based distribution): the
// provider-metadata.json (requirement 7), one folder per year (requirement 11), index.txt
// (requirement 13) and changes.csv (requirement 14). Returns files as { path, content }; the site
// writer adds the .asc and .sha256 companions (requirements 18 and 19) and writes them out.
import type { CsafDocument } from './csaf.js';
import type { PublicationSettings } from './settings.js';

export interface PublishedFile {
  /** Path relative to the site root, e.g. `.well-known/csaf/white/2026/ossa-2026-012.json`. */
  path: string;
  content: string;
}

/** Requirement 8: the provider metadata lives under /.well-known/csaf/. */
export const CSAF_ROOT = '.well-known/csaf';
/** Folder for TLP:WHITE documents; every published advisory is public. */
export const CSAF_WHITE_FOLDER = 'white';

export interface CsafOpenPgpKey {
  /** Hex fingerprint (at least 40 digits for OpenPGP v4 keys). */
  fingerprint: string;
  url: string;
}

export interface CsafProviderOptions {
  /** `last_updated`; defaults to the newest current_release_date of the documents. */
  lastUpdated?: string;
  /** The keys that sign the documents (`public_openpgp_keys`). */
  openPgpKeys?: CsafOpenPgpKey[];
  role?: 'csaf_publisher' | 'csaf_provider' | 'csaf_trusted_provider';
}

/** §5.1 file name: the tracking id in lower case, characters other than `+`, `-`, a–z, 0–9 as `_`. */
export function csafFileName(trackingId: string): string {
  return `${trackingId.toLowerCase().replace(/[^+\-a-z0-9]+/g, '_')}.json`;
}

/** Requirement 11: `<YYYY>/<file>`, the year of `initial_release_date`. */
export function csafDocumentPath(doc: CsafDocument): string {
  return `${doc.document.tracking.initial_release_date.slice(0, 4)}/${csafFileName(doc.document.tracking.id)}`;
}

function directoryUrl(settings: PublicationSettings): string {
  return `${settings.baseUrl}/${CSAF_ROOT}/${CSAF_WHITE_FOLDER}/`;
}

/** The provider metadata object (CSAF 2.0 §7.1.7, provider_json_schema.json). */
export function csafProviderMetadata(
  settings: PublicationSettings,
  documents: readonly CsafDocument[],
  options: CsafProviderOptions = {},
): Record<string, unknown> {
  const newest = documents.map((d) => d.document.tracking.current_release_date).sort().at(-1);
  const lastUpdated = options.lastUpdated ?? newest ?? new Date(0).toISOString();
  const contact = settings.publisher.contactDetails.trim();
  const keys = options.openPgpKeys ?? [];
  return {
    canonical_url: `${settings.baseUrl}/${CSAF_ROOT}/provider-metadata.json`,
    distributions: [{ directory_url: directoryUrl(settings) }],
    last_updated: lastUpdated,
    list_on_CSAF_aggregators: true,
    metadata_version: '2.0',
    mirror_on_CSAF_aggregators: true,
    ...(keys.length ? { public_openpgp_keys: keys.map((k) => ({ fingerprint: k.fingerprint.toUpperCase(), url: k.url })) } : {}),
    publisher: {
      category: 'vendor',
      name: settings.publisher.name,
      namespace: settings.publisher.namespace,
      ...(contact ? { contact_details: contact } : {}),
    },
    role: options.role ?? 'csaf_provider',
  };
}

/** Requirement 13: every document path relative to the directory URL, one per line. */
export function csafIndexTxt(documents: readonly CsafDocument[]): string {
  return documents.map(csafDocumentPath).sort().map((p) => `${p}\n`).join('');
}

/** Requirement 14: `"path","current_release_date"` lines, newest first, no heading. */
export function csafChangesCsv(documents: readonly CsafDocument[]): string {
  return documents
    .map((d) => ({ path: csafDocumentPath(d), date: d.document.tracking.current_release_date }))
    .sort((a, b) => (a.date === b.date ? a.path.localeCompare(b.path) : a.date < b.date ? 1 : -1))
    .map((e) => `"${e.path}","${e.date}"\n`)
    .join('');
}

/** Every file of the provider layout for the given documents. */
export function csafProviderFiles(
  documents: readonly CsafDocument[],
  settings: PublicationSettings,
  options: CsafProviderOptions = {},
): PublishedFile[] {
  const folder = `${CSAF_ROOT}/${CSAF_WHITE_FOLDER}`;
  const paths = new Set<string>();
  const files: PublishedFile[] = documents.map((doc) => {
    const path = `${folder}/${csafDocumentPath(doc)}`;
    if (paths.has(path)) throw new Error(`two CSAF documents share the path ${path}`);
    paths.add(path);
    return { path, content: `${JSON.stringify(doc, null, 2)}\n` };
  });
  return [
    { path: `${CSAF_ROOT}/provider-metadata.json`, content: `${JSON.stringify(csafProviderMetadata(settings, documents, options), null, 2)}\n` },
    { path: `${folder}/index.txt`, content: csafIndexTxt(documents) },
    { path: `${folder}/changes.csv`, content: csafChangesCsv(documents) },
    ...files,
  ];
}
