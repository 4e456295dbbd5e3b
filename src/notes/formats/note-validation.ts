/**
 * Checks for a note written or edited in Cordon before it is saved or rendered for publication.
 * Imported notes may lack sections (they are kept as they were, with warnings); a note Cordon
 * publishes has every template section (DESIGN.md §3), a one-sentence title and a proper id.
 */
import { IssueCollector } from '../../errors/catalogue.js';
import { parseHeadingLine } from './section-headings.js';
import {
  CANONICAL_HEADINGS,
  DEFAULT_NOTE_PREFIX,
  REQUIRED_SECTIONS,
  standardSectionText,
  type NoteRecord,
  type StandardSection,
} from './note-record.js';

const FIELD_OF: Readonly<Record<StandardSection, string>> = {
  summary: 'summary',
  affected: 'affected.text',
  discussion: 'discussion',
  recommended_actions: 'recommendedActions',
  credits: 'credits',
  contacts: 'contacts.text',
};

/** A sentence end followed by another sentence; `e.g.`, `i.e.`, `vs.` and `etc.` are not ends. */
const SENTENCE_BREAK = /(?<!\b(?:e\.g|i\.e|vs|etc|approx|incl))[.!?]\s+[A-Z]/;

/** A `### Name ###` line inside a body would split the section when the note is read back. */
function sectionHeadingInside(text: string): string | null {
  for (const line of text.split('\n')) {
    const heading = parseHeadingLine(line, false);
    if (heading && heading.level <= 3) return line.trim();
  }
  return null;
}

export function validateNoteRecord(note: NoteRecord, prefix = DEFAULT_NOTE_PREFIX): void {
  const issues = new IssueCollector();
  if (!new RegExp(`^${prefix}-\\d{4,}$`).test(note.id)) issues.add('id', `must look like ${prefix}-0001`);
  const title = note.title.trim();
  if (title === '') issues.add('title', 'is required');
  else if (/[\r\n]/.test(note.title)) issues.add('title', 'must be one line');
  else if (SENTENCE_BREAK.test(title)) issues.add('title', 'must be one sentence');
  else if (title.length > 200) issues.add('title', 'must be at most 200 characters');
  for (const kind of REQUIRED_SECTIONS) {
    const text = standardSectionText(note, kind);
    if (text === null || text.trim() === '') issues.add(FIELD_OF[kind], `the ${CANONICAL_HEADINGS[kind]} section is required`);
  }
  const kinds: StandardSection[] = ['summary', 'affected', 'discussion', 'recommended_actions', 'credits', 'contacts'];
  for (const kind of kinds) {
    const inside = sectionHeadingInside(standardSectionText(note, kind) ?? '');
    if (inside) issues.add(FIELD_OF[kind], `"${inside}" would start a new section; use #### for a sub-heading`);
  }
  note.sectionLayout.forEach((slot, n) => {
    if (slot.kind !== 'extra') return;
    if (slot.heading.trim() === '' && n !== 0) issues.add(`sectionLayout.${n}.heading`, 'is required');
    if (/[#\r\n]/.test(slot.heading)) issues.add(`sectionLayout.${n}.heading`, 'must be one line without #');
    const inside = sectionHeadingInside(slot.text);
    if (inside) issues.add(`sectionLayout.${n}.text`, `"${inside}" would start a new section; use #### for a sub-heading`);
  });
  issues.throwIfAny('The note needs fixing before it can be saved.');
}
