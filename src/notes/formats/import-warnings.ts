/**
 * Oddities the OSSN importer tolerates in real notes (test-fixtures/ossn drifts from the template):
 * each is reported once per occurrence with a kind and a human detail, and nothing is dropped.
 */

export const ImportWarningKind = {
  /** The byte-order mark at the start was removed. */
  byteOrderMark: 'byte_order_mark',
  /** CRLF or CR line endings were read as LF. */
  lineEndings: 'line_endings',
  /** The note uses MediaWiki syntax (`= Title =`, `== Section ==`) instead of the OSSN text layout. */
  wikiSyntax: 'wiki_syntax',
  /** The title runs over several lines; they were joined. */
  titleWrapped: 'title_wrapped',
  /** The title starts with the note id (`OSSN-0108: …`); it was moved to the id. */
  titleCarriesId: 'title_carries_id',
  /** The line under the title is not `---` (an underline as long as the title, or missing). */
  separatorStyle: 'separator_style',
  missingSeparator: 'missing_separator',
  /** A section heading spelled differently (`### Summary###`, a non-breaking space, `Recommended Action`). */
  headingSpelling: 'heading_spelling',
  /** A standard section headed at the wrong level (`#### Recommended Actions ####`). */
  headingLevel: 'heading_level',
  /** A standard section name on a line of its own without `###` markers. */
  headingWithoutMarkers: 'heading_without_markers',
  missingSection: 'missing_section',
  extraSection: 'extra_section',
  duplicateSection: 'duplicate_section',
  sectionOrder: 'section_order',
  emptySection: 'empty_section',
  /** Text between the `---` line and the first section heading. */
  textBeforeFirstSection: 'text_before_first_section',
  /** Non-breaking spaces in the text were read as spaces (the raw text keeps them). */
  nonBreakingSpace: 'non_breaking_space',
  /** A `~~~` fence or `---- begin … ----` snippet never closes; the rest of the section is kept as is. */
  unterminatedBlock: 'unterminated_block',
  /** The id given by the caller, the title's id and the `This OSSN` link disagree. */
  idMismatch: 'id_mismatch',
  /** A version range written loosely (`=<`, a comma inside one range); read as meant. */
  versionRangeSloppy: 'version_range_sloppy',
} as const;
export type ImportWarningKind = (typeof ImportWarningKind)[keyof typeof ImportWarningKind];

export interface ImportWarning {
  kind: ImportWarningKind;
  detail: string;
  /** 1-based line of the source text, when the oddity sits on one line. */
  line?: number;
}
