// Table shapes of the publication settings (joined into the one Database type in src/storage/tables.ts).
// '' in a text column means nobody entered the value.

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

export interface PublicationTables {
  publication_settings: PublicationSettingsTable;
  project_publication_settings: ProjectPublicationSettingsTable;
  public_site_inputs: PublicSiteInputsTable;
}
