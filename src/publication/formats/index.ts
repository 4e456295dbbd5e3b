// Machine-readable advisory records: OSV, CVE JSON 5, CSAF 2.0 (with the CSAF provider layout).
export { buildOsv, OSV_SCHEMA_VERSION, type OsvDocument, type OsvBuildOptions } from './osv.js';
export { buildCveRecord, buildCveRecords, type CveRecord, type CveBuildOptions } from './cve5.js';
export { buildCsaf, type CsafDocument, type CsafBuildOptions } from './csaf.js';
export {
  CSAF_ROOT,
  CSAF_WHITE_FOLDER,
  csafChangesCsv,
  csafDocumentPath,
  csafFileName,
  csafIndexTxt,
  csafProviderFiles,
  csafProviderMetadata,
  type CsafOpenPgpKey,
  type CsafProviderOptions,
  type PublishedFile,
} from './csaf-provider.js';
export {
  advisoryUrl,
  openStackPublicationSettings,
  resolvePublicationSettings,
  type PublicationSettings,
  type PublicationSettingsInput,
} from './settings.js';
