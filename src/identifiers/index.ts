// Identifier validators and normalisers, and the text built from them.
export { collectValid, ensureValid, invalid, quoteInput, trimmedText, valid, type Checked } from './checked.js';
export { checkCveId, checkCweId, parseCveId, type CveIdParts } from './vulnerability-ids.js';
export {
  checkAdvisoryId,
  checkIdPrefix,
  checkNoteId,
  DEFAULT_ADVISORY_PREFIX,
  DEFAULT_NOTE_PREFIX,
  formatAdvisoryId,
  formatNoteId,
  parseAdvisoryId,
  parseNoteId,
  type AdvisoryIdParts,
  type NoteIdParts,
} from './advisory-ids.js';
export { checkEmailAddress, type EmailCheckOptions } from './email.js';
export { checkProjectSlug, checkUsername } from './names.js';
export { formatTitleWithCves, impactDescription, indefiniteArticle, type ImpactFields } from './impact.js';
