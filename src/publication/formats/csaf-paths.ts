// Where CSAF files live on the site and under which URLs (CSAF 2.0 §5.1 file names, §7.1 requirements 9
// and 11), apart from the layout builder so the document builder (csaf.ts) can name its own URL.

/** Requirement 9: the provider metadata lives under /.well-known/csaf/ (RFC 8615). */
export const CSAF_ROOT = '.well-known/csaf';
/** Folder for TLP:WHITE documents; every published advisory is public. */
export const CSAF_WHITE_FOLDER = 'white';
export const CSAF_WHITE_DIR = `${CSAF_ROOT}/${CSAF_WHITE_FOLDER}`;
/** §5.1 file name: the tracking id in lower case, characters other than `+`, `-`, a–z, 0–9 as `_`. */
export function csafFileName(trackingId: string): string {
  return `${trackingId.toLowerCase().replace(/[^+\-a-z0-9]+/g, '_')}.json`;
}

/** Requirement 11: `<YYYY>/<file>`, the year of `initial_release_date`. */
export function csafEntryPath(id: string, initialReleaseDate: string): string {
  return `${initialReleaseDate.slice(0, 4)}/${csafFileName(id)}`;
}

/** The directory URL of the TLP:WHITE documents (`distributions[].directory_url`). */
export function csafDirectoryUrl(baseUrl: string): string {
  return `${baseUrl}/${CSAF_WHITE_DIR}/`;
}

/** The canonical URL of a document (§6.2.11: the `self` reference ends in the §5.1 file name). */
export function csafDocumentUrl(baseUrl: string, id: string, initialReleaseDate: string): string {
  return `${csafDirectoryUrl(baseUrl)}${csafEntryPath(id, initialReleaseDate)}`;
}

export function csafProviderMetadataUrl(baseUrl: string): string {
  return `${baseUrl}/${CSAF_ROOT}/provider-metadata.json`;
}
