/**
 * Recognising OSSN section headings as real notes write them: `### Summary ###` is the template,
 * the corpus also has `### Summary###`, non-breaking spaces, `#### Recommended Actions ####`,
 * `Recommended Action`, `Affected Services and Software`, and MediaWiki `== Summary ==`.
 */
import type { StandardSection } from './note-record.js';

export interface HeadingLine {
  /** Number of `#` (or `=` in wiki syntax) before the name: 3 is a section, 4+ a sub-heading. */
  level: number;
  name: string;
}

const SPACE = '[ \\t\\u00a0]';
const HASH_HEADING = new RegExp(`^${SPACE}*(#{2,6})${SPACE}*(.*?)${SPACE}*#*${SPACE}*$`);
const WIKI_HEADING = new RegExp(`^(={2,6})${SPACE}*(.*?)${SPACE}*={2,6}${SPACE}*$`);
/** `= OSSN-0094: Title =`: a MediaWiki level-1 heading, used as the title. */
export const WIKI_TITLE = /^=(?!=)[ \t\u00a0]*(.*?)[ \t\u00a0]*=[ \t\u00a0]*$/;

export function parseHeadingLine(line: string, wiki: boolean): HeadingLine | null {
  const m = (wiki ? WIKI_HEADING : HASH_HEADING).exec(line);
  const marks = m?.[1];
  const name = m?.[2];
  if (!marks || !name) return null;
  // Wiki `==` is a section (level 2 there is what `###` is here); normalise to the `#` scale.
  return { level: wiki ? marks.length + 1 : marks.length, name: normaliseSpaces(name) };
}

export function normaliseSpaces(text: string): string {
  return text.replace(/[\s\u00a0]+/g, ' ').trim();
}

function key(name: string): string {
  return normaliseSpaces(name)
    .toLowerCase()
    .replace(/\s*\/\s*/g, ' / ')
    .replace(/ and /g, ' / ')
    .replace(/ & /g, ' / ');
}

const ALIASES: ReadonlyMap<string, StandardSection> = new Map<string, StandardSection>([
  ['summary', 'summary'],
  ['affected services / software', 'affected'],
  ['affected services', 'affected'],
  ['affected software', 'affected'],
  ['affected services / products', 'affected'],
  ['discussion', 'discussion'],
  ['recommended actions', 'recommended_actions'],
  ['recommended action', 'recommended_actions'],
  ['recommendations', 'recommended_actions'],
  ['credits', 'credits'],
  ['credit', 'credits'],
  ['contacts / references', 'contacts'],
  ['contact / references', 'contacts'],
  ['contacts', 'contacts'],
]);

/** The standard section a heading names, or null for an extra section (`Patches`, `Notes / References`). */
export function classifyHeading(name: string): StandardSection | null {
  return ALIASES.get(key(name)) ?? null;
}

/**
 * A standard section name standing alone on a line (OSSN-0065 writes `Affected Services / Software`
 * without markers). Only multi-word template names count: a lone "Summary" in prose stays prose.
 */
export function bareHeading(line: string): StandardSection | null {
  const name = normaliseSpaces(line);
  const exact: Record<string, StandardSection> = {
    'Affected Services / Software': 'affected',
    'Recommended Actions': 'recommended_actions',
    'Contacts / References': 'contacts',
  };
  return exact[name] ?? null;
}
