// The CSAF 2.0 provider file layout (CSAF v2.0 §7.1, directory-based distribution plus a ROLIE feed):
// the provider-metadata.json at /.well-known/csaf/ (requirements 7 and 9), one folder per year of
// initial_release_date (requirement 11), index.txt (12), changes.csv (13), the ROLIE feed and service
// document (15, 16). Pure: entries in, files out. The site writer adds the directory listings (14), the
// .sha256/.sha512 (18) and .asc (19) companions, and serves everything without a redirect (6).
import type { CsafDocument } from './csaf.js';
import type { PublicationSettings } from './settings.js';
import { CSAF_ROOT, CSAF_WHITE_DIR, csafDirectoryUrl, csafDocumentUrl, csafEntryPath, csafProviderMetadataUrl } from './csaf-paths.js';

export { CSAF_ROOT, CSAF_WHITE_DIR, CSAF_WHITE_FOLDER, csafDirectoryUrl, csafDocumentUrl, csafEntryPath, csafFileName, csafProviderMetadataUrl } from './csaf-paths.js';

export interface PublishedFile {
  /** Path relative to the site root, e.g. `.well-known/csaf/white/2026/ossa-2026-012.json`. */
  path: string;
  content: string;
}

/** Requirement 15: one ROLIE feed per TLP label, a JSON file (`<name>-tlp-white.json`). */
export const ROLIE_FEED_FILE = 'csaf-feed-tlp-white.json';
/** Requirement 16: the ROLIE service document listing the feeds. */
export const ROLIE_SERVICE_FILE = 'service.json';
/** The schema URL a ROLIE entry names in `format.schema` (§7.1.15). */
export const CSAF_SCHEMA_URL = 'https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json';

export interface CsafOpenPgpKey {
  /** Hex fingerprint (at least 40 digits for OpenPGP v4 keys). */
  fingerprint: string;
  url: string;
}

export type CsafRole = 'csaf_publisher' | 'csaf_provider' | 'csaf_trusted_provider';

export interface CsafProviderOptions {
  /** `last_updated`; defaults to the newest current_release_date of the documents. */
  lastUpdated?: string;
  /** The keys that sign the documents (`public_openpgp_keys`). */
  openPgpKeys?: CsafOpenPgpKey[];
  role?: CsafRole;
  /** Whether every document has an `.asc` (listed in the ROLIE feed, requirement 19). */
  signed?: boolean;
}

/** What the index files need of a document. */
export interface CsafEntry {
  id: string;
  title: string;
  initialReleaseDate: string;
  currentReleaseDate: string;
}

export function csafEntryOf(doc: CsafDocument): CsafEntry {
  const t = doc.document.tracking;
  return { id: t.id, title: doc.document.title, initialReleaseDate: t.initial_release_date, currentReleaseDate: t.current_release_date };
}

export function csafDocumentPath(doc: CsafDocument): string {
  return csafEntryPath(doc.document.tracking.id, doc.document.tracking.initial_release_date);
}

function newestDate(entries: readonly CsafEntry[], options: CsafProviderOptions): string {
  return options.lastUpdated ?? entries.map((e) => e.currentReleaseDate).sort().at(-1) ?? new Date(0).toISOString();
}

/** The provider metadata object (CSAF 2.0 §7.1.7, provider_json_schema.json). */
export function csafProviderMetadata(settings: PublicationSettings, documents: readonly (CsafDocument | CsafEntry)[], options: CsafProviderOptions = {}): Record<string, unknown> {
  const entries = documents.map((d) => ('document' in d ? csafEntryOf(d) : d));
  const contact = settings.publisher.contactDetails.trim();
  const keys = options.openPgpKeys ?? [];
  const base = settings.baseUrl;
  return {
    canonical_url: csafProviderMetadataUrl(base),
    distributions: [
      {
        directory_url: csafDirectoryUrl(base),
        rolie: {
          feeds: [{ summary: `All TLP:WHITE advisories of ${settings.publisher.name}.`, tlp_label: 'WHITE', url: `${base}/${CSAF_WHITE_DIR}/${ROLIE_FEED_FILE}` }],
          services: [`${base}/${CSAF_ROOT}/${ROLIE_SERVICE_FILE}`],
        },
      },
    ],
    last_updated: newestDate(entries, options),
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

/** Requirement 12: every document path relative to the directory URL, one per line. */
export function csafIndexTxt(documents: readonly (CsafDocument | CsafEntry)[]): string {
  return documents.map((d) => ('document' in d ? csafDocumentPath(d) : csafEntryPath(d.id, d.initialReleaseDate))).sort().map((p) => `${p}\n`).join('');
}

function newestFirst(entries: readonly CsafEntry[]): { entry: CsafEntry; path: string }[] {
  return entries
    .map((entry) => ({ entry, path: csafEntryPath(entry.id, entry.initialReleaseDate) }))
    .sort((a, b) => (a.entry.currentReleaseDate === b.entry.currentReleaseDate ? a.path.localeCompare(b.path) : a.entry.currentReleaseDate < b.entry.currentReleaseDate ? 1 : -1));
}

/** Requirement 13: `"path","current_release_date"` lines, newest first, no heading. */
export function csafChangesCsv(documents: readonly (CsafDocument | CsafEntry)[]): string {
  return newestFirst(documents.map((d) => ('document' in d ? csafEntryOf(d) : d)))
    .map((e) => `"${e.path}","${e.entry.currentReleaseDate}"\n`)
    .join('');
}

const ROLIE_CATEGORY = { scheme: 'urn:ietf:params:rolie:category:information-type', term: 'csaf' };

/**
 * Requirement 15: the ROLIE feed (RFC 8322, in JSON) of the TLP:WHITE documents, newest first. Each
 * entry links the document, its hash files (rel `hash`) and, when signed, its signature (rel `signature`).
 */
export function csafRolieFeed(settings: PublicationSettings, entries: readonly CsafEntry[], options: CsafProviderOptions = {}): Record<string, unknown> {
  const base = settings.baseUrl;
  return {
    feed: {
      id: 'csaf-feed-tlp-white',
      title: `${settings.publisher.name} CSAF feed (TLP:WHITE)`,
      link: [{ rel: 'self', href: `${base}/${CSAF_WHITE_DIR}/${ROLIE_FEED_FILE}` }],
      category: [ROLIE_CATEGORY],
      updated: newestDate(entries, options),
      entry: newestFirst(entries).map(({ entry }) => {
        const url = csafDocumentUrl(base, entry.id, entry.initialReleaseDate);
        return {
          id: entry.id,
          title: entry.title,
          link: [
            { rel: 'self', href: url },
            { rel: 'hash', href: `${url}.sha256` },
            { rel: 'hash', href: `${url}.sha512` },
            ...(options.signed ? [{ rel: 'signature', href: `${url}.asc` }] : []),
          ],
          published: entry.initialReleaseDate,
          updated: entry.currentReleaseDate,
          summary: { content: entry.title },
          content: { type: 'application/json', src: url },
          format: { schema: CSAF_SCHEMA_URL, version: '2.0' },
        };
      }),
    },
  };
}

/** Requirement 16: the ROLIE service document that lists the feed. */
export function csafRolieService(settings: PublicationSettings): Record<string, unknown> {
  return {
    service: {
      workspace: [
        {
          title: `${settings.publisher.name} public CSAF feeds`,
          collection: [{ title: `${settings.publisher.name} CSAF feed (TLP:WHITE)`, href: `${settings.baseUrl}/${CSAF_WHITE_DIR}/${ROLIE_FEED_FILE}`, categories: { category: [ROLIE_CATEGORY] } }],
        },
      ],
    },
  };
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** The files over all documents: provider metadata, index.txt, changes.csv, ROLIE feed and service document. */
export function csafIndexFiles(entries: readonly CsafEntry[], settings: PublicationSettings, options: CsafProviderOptions = {}): PublishedFile[] {
  return [
    { path: `${CSAF_ROOT}/provider-metadata.json`, content: json(csafProviderMetadata(settings, entries, options)) },
    { path: `${CSAF_WHITE_DIR}/index.txt`, content: csafIndexTxt(entries) },
    { path: `${CSAF_WHITE_DIR}/changes.csv`, content: csafChangesCsv(entries) },
    // Compact: the feed lists every document (requirement 15), ~0.6 kB each, and is rebuilt on every publication.
    { path: `${CSAF_WHITE_DIR}/${ROLIE_FEED_FILE}`, content: `${JSON.stringify(csafRolieFeed(settings, entries, options))}\n` },
    { path: `${CSAF_ROOT}/${ROLIE_SERVICE_FILE}`, content: json(csafRolieService(settings)) },
  ];
}

/** Every file of the provider layout for the given documents (without listings and companions). */
export function csafProviderFiles(documents: readonly CsafDocument[], settings: PublicationSettings, options: CsafProviderOptions = {}): PublishedFile[] {
  const paths = new Set<string>();
  const files: PublishedFile[] = documents.map((doc) => {
    const path = `${CSAF_WHITE_DIR}/${csafDocumentPath(doc)}`;
    if (paths.has(path)) throw new Error(`two CSAF documents share the path ${path}`);
    paths.add(path);
    return { path, content: json(doc) };
  });
  return [...csafIndexFiles(documents.map(csafEntryOf), settings, options), ...files];
}
