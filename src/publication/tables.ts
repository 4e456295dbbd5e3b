// Table shapes of the publication area (joined into the one Database type in src/storage/tables.ts): its
// settings, and the public site as a table of built files made from published records only, with the
// admin-edited guide pages. '' in a text column means nobody entered the value.
import type { Generated, Selectable } from 'kysely';

/** `unset`: nobody decided yet (the checklist asks); `none`: no CVE records are published; `set`. */
export type CnaChoice = 'unset' | 'none' | 'set';

export interface PublicationSettingsTable {
  /** Always 1: the instance's one row. */
  id: number;
  vendor_name: string;
  publisher_name: string;
  feed_rights: string;
  cna_choice: CnaChoice;
  cna_org_id: string;
  cna_short_name: string;
  osv_id_prefix: string;
  updated_at: string;
}

export interface ProjectPublicationSettingsTable {
  project_id: number;
  /** JSON array of { name, package } ('' package: none entered). */
  products_json: string;
  ecosystem: string;
  purl_type: string;
  cve_version_type: string;
  vendor_name: string;
  updated_at: string;
}

/** What an advisory's stored public files were built from (site-inputs.ts). */
export interface PublicSiteInputsTable {
  advisory_ref: string;
  fingerprint: string;
  updated_at: string;
}

/**
 * One file of the public site (`advisories/OSSA-2026-001.txt`, `.well-known/csaf/provider-metadata.json`…),
 * built from published records; served by the app and written out by `cordon publish --out`.
 */
export interface PublicSiteFilesTable {
  path: string;
  /** Which builder owns the file (`advisories`, `guide`, `site`), so each rebuilds only its own. */
  section: string;
  advisory_ref: string | null;
  content: string;
  content_type: string;
  sha256: string;
  /** Armored detached signature over `content`, made by the team key; null until signed. */
  signature: string | null;
  /** The sha256 the signature covers (stale when it differs from `sha256`). */
  signed_sha256: string | null;
  updated_at: string;
}

/** Admin-edited Markdown pages of the public site (Security Guide, secure development guidelines). */
export interface GuidePagesTable {
  id: Generated<number>;
  slug: string;
  title: string;
  body: string;
  position: number;
  updated_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface PublicationTables {
  publication_settings: PublicationSettingsTable;
  project_publication_settings: ProjectPublicationSettingsTable;
  public_site_inputs: PublicSiteInputsTable;
  public_site_files: PublicSiteFilesTable;
  guide_pages: GuidePagesTable;
}

export type PublicSiteFileRow = Selectable<PublicSiteFilesTable>;
export type GuidePageRow = Selectable<GuidePagesTable>;
