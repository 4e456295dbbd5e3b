/**
 * OpenStack Security Note (OSSN) plain-text format, DESIGN.md §3: a title, a `---` line, then
 * sections headed `### Name ###`. Import tolerates the drift of the real notes (test-fixtures/ossn),
 * reporting each oddity as a warning; renderOssnText writes the template layout with prose wrapped at 72
 * (the export of an imported note keeps its source instead: ossn-source.ts).
 */
import { errors } from '../../errors/catalogue.js';
import { parseAffectedServices } from './affected-services.js';
import { parseContactsReferences } from './contacts-references.js';
import type { ImportWarning } from './import-warnings.js';
import {
  CANONICAL_HEADINGS,
  DEFAULT_NOTE_PREFIX,
  REQUIRED_SECTIONS,
  STANDARD_SECTION_ORDER,
  resolveSections,
  type NoteRecord,
  type SectionSlot,
  type StandardSection,
} from './note-record.js';
import { WIKI_TITLE, bareHeading, classifyHeading, normaliseSpaces, parseHeadingLine } from './section-headings.js';
import { FENCE, SNIPPET_END, WRAP_WIDTH, closingFence, layoutSectionText, regionCloser, splitBlocks } from './text-blocks.js';
import { decodeNoteText } from './note-input.js';

export interface OssnParseOptions {
  /** The id when the caller knows it (e.g. from the file name); checked against the text. */
  id?: string;
  /** The instance's note prefix (DESIGN.md §2); `OSSN` by default. */
  prefix?: string;
}

export interface ParsedNote {
  note: NoteRecord;
  warnings: ImportWarning[];
}

/**
 * Where each part of a parsed note sits in its source lines (LF-split), so that the exporter can
 * re-emit the parts nobody edited as they were written (ossn-source.ts).
 */
export interface OssnSourceMap {
  lines: string[];
  /** First line of the title, and the line after the title block (its `---` line included). */
  titleStart: number;
  titleEnd: number;
  wiki: boolean;
  separated: boolean;
  /** `OSSN-0108: ` as it prefixed the title, or ''. */
  titlePrefix: string;
  /** Each section from its heading line up to the next heading; the first is the text before any heading. */
  chunks: { start: number; end: number }[];
  /** For each entry of the note's sectionLayout, the chunk it was read from. */
  slotChunks: number[];
}

interface RawSection {
  /** Null for text before the first heading. */
  name: string | null;
  headingLine: string;
  line: number;
  kind: StandardSection | null;
  lines: string[];
}

const SEPARATOR = /^[ \t]*-{3,}[ \t]*$/;
const NBSP = /\u00a0/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function notANote(reason: string): never {
  throw errors.field('text', `is not a security note: ${reason}`);
}

/** Title lines up to the `---` line; returns the index of the first line after the title block. */
function readTitle(lines: string[], start: number, wiki: boolean, warnings: ImportWarning[]): { title: string; next: number; separated: boolean } {
  if (wiki) {
    const m = WIKI_TITLE.exec(lines[start] ?? '');
    return { title: normaliseSpaces(m?.[1] ?? ''), next: start + 1, separated: true };
  }
  const titleLines: string[] = [];
  let i = start;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (SEPARATOR.test(line)) {
      const dashes = line.trim().length;
      if (dashes !== 3) {
        warnings.push({ kind: 'separator_style', detail: `the line under the title has ${dashes} dashes instead of "---"`, line: i + 1 });
      }
      if (titleLines.length > 1) {
        warnings.push({ kind: 'title_wrapped', detail: `the title runs over ${titleLines.length} lines`, line: start + 1 });
      }
      return { title: normaliseSpaces(titleLines.join(' ')), next: i + 1, separated: true };
    }
    if (line.trim() === '' || parseHeadingLine(line, false)) break;
    titleLines.push(line);
  }
  warnings.push({ kind: 'missing_separator', detail: 'no "---" line under the title', line: i + 1 });
  return { title: normaliseSpaces(titleLines.join(' ')), next: i, separated: false };
}

/**
 * Whether a fence or snippet opened on line i closes later. Answered from suffix summaries so a
 * hostile file full of openers costs linear time, not a scan of the rest of the file per opener.
 */
function closableRegions(lines: string[], start: number): (open: string, i: number) => boolean {
  const longestTildes: number[] = new Array<number>(lines.length + 1).fill(0);
  const longestTicks: number[] = new Array<number>(lines.length + 1).fill(0);
  const snippetEndAfter: boolean[] = new Array<boolean>(lines.length + 1).fill(false);
  for (let j = lines.length - 1; j >= start; j--) {
    const line = lines[j] ?? '';
    const fence = closingFence(line) ?? '';
    longestTildes[j] = Math.max(longestTildes[j + 1] ?? 0, fence.startsWith('~') ? fence.length : 0);
    longestTicks[j] = Math.max(longestTicks[j + 1] ?? 0, fence.startsWith('`') ? fence.length : 0);
    snippetEndAfter[j] = (snippetEndAfter[j + 1] ?? false) || SNIPPET_END.test(line);
  }
  return (open, i) => {
    const mark = FENCE.exec(open)?.[1];
    if (!mark) return snippetEndAfter[i + 1] ?? false;
    return ((mark.startsWith('~') ? longestTildes : longestTicks)[i + 1] ?? 0) >= mark.length;
  };
}

/** Split the lines after the title into sections, skipping headings inside fences and snippets. */
function readSections(lines: string[], start: number, wiki: boolean, warnings: ImportWarning[]): RawSection[] {
  const sections: RawSection[] = [{ name: null, headingLine: '', line: start + 1, kind: null, lines: [] }];
  const seen = new Set<StandardSection>();
  const closable = closableRegions(lines, start);
  let closer: ((line: string) => boolean) | null = null;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const current = sections.at(-1);
    if (!current) break;
    if (closer) {
      current.lines.push(line);
      if (closer(line)) closer = null;
      continue;
    }
    const opens = regionCloser(line);
    // A fence that never closes is no region: the headings after it still count.
    if (opens && closable(line, i)) {
      closer = opens;
      current.lines.push(line);
      continue;
    }
    const heading = parseHeadingLine(line, wiki);
    let kind: StandardSection | null = null;
    let isSection = false;
    if (heading) {
      kind = classifyHeading(heading.name);
      if (heading.level <= 3) isSection = true;
      else if (kind && !seen.has(kind)) {
        isSection = true;
        warnings.push({ kind: 'heading_level', detail: `"${line.trim()}" is a sub-heading but names the ${CANONICAL_HEADINGS[kind]} section`, line: i + 1 });
      }
    } else if (!wiki) {
      const bare = bareHeading(line);
      const prevBlank = (lines[i - 1] ?? '').trim() === '';
      const nextText = (lines[i + 1] ?? '').trim() !== '';
      if (bare && !seen.has(bare) && prevBlank && nextText) {
        kind = bare;
        isSection = true;
        warnings.push({ kind: 'heading_without_markers', detail: `"${line.trim()}" has no ### markers`, line: i + 1 });
      }
    }
    if (!isSection) {
      current.lines.push(line);
      continue;
    }
    if (kind) seen.add(kind);
    sections.push({ name: heading ? heading.name : normaliseSpaces(line), headingLine: line, line: i + 1, kind, lines: [] });
  }
  return sections;
}

/** Section body: non-breaking spaces read as spaces, trailing blanks and surrounding blank lines dropped. */
function sectionText(section: RawSection, warnings: ImportWarning[]): { text: string; firstLine: number } {
  const lines = section.lines.map((l, n) => {
    const count = l.match(NBSP)?.length ?? 0;
    if (count) {
      warnings.push({ kind: 'non_breaking_space', detail: `${count} non-breaking space(s) read as spaces`, line: section.line + 1 + n });
    }
    return l.replace(NBSP, ' ').trimEnd();
  });
  let first = 0;
  while (first < lines.length && lines[first] === '') first++;
  let last = lines.length;
  while (last > first && lines[last - 1] === '') last--;
  return { text: lines.slice(first, last).join('\n'), firstLine: section.line + 1 + first };
}

function checkHeading(section: RawSection, kind: StandardSection, wiki: boolean, warnings: ImportWarning[]): void {
  const written = section.headingLine.trim();
  const canonical = CANONICAL_HEADINGS[kind];
  const expected = `### ${canonical} ###`;
  const nameDiffers = section.name !== canonical;
  // Wiki headings are covered by the wiki_syntax warning, bare ones by heading_without_markers,
  // `####` ones by heading_level; only a different name is worth its own warning there.
  const levelThree = /^###(?!#)/.test(written);
  if (written === expected || (!nameDiffers && (wiki || !levelThree))) return;
  if (!wiki && !written.startsWith('#') && !nameDiffers) return;
  const nbsp = written.includes('\u00a0') ? ' (with a non-breaking space)' : '';
  warnings.push({ kind: 'heading_spelling', detail: `"${written.replace(NBSP, ' ')}"${nbsp} read as "${expected}"`, line: section.line });
}

function resolveId(options: OssnParseOptions, prefix: string, fromTitle: string | null, noteUrl: string | null, warnings: ImportWarning[]): string {
  const idPattern = new RegExp(`^${escapeRegExp(prefix)}-\\d{4,}$`);
  if (options.id !== undefined && !idPattern.test(options.id)) {
    throw errors.field('id', `must look like ${prefix}-0001, not "${options.id}"`);
  }
  const fromUrl = noteUrl ? (new RegExp(`\\b${escapeRegExp(prefix)}-\\d{4,}\\b`).exec(noteUrl)?.[0] ?? null) : null;
  const id = options.id ?? fromTitle ?? fromUrl;
  if (!id) throw errors.field('id', `the note names no ${prefix} id in its title or its "This OSSN" link; give one`);
  if (fromTitle && fromTitle !== id) warnings.push({ kind: 'id_mismatch', detail: `the title says ${fromTitle}, the note is ${id}` });
  if (fromUrl && fromUrl !== id) warnings.push({ kind: 'id_mismatch', detail: `the "This OSSN" link points at ${fromUrl}, the note is ${id}` });
  return id;
}

/** Parse one OSSN text file. Throws a validation AppError when the input is not a note at all. */
export function parseOssnText(input: string | Uint8Array, options: OssnParseOptions = {}): ParsedNote {
  const { note, warnings } = parseOssnSource(input, options);
  return { note, warnings };
}

/** parseOssnText, with where each part of the note was read from. */
export function parseOssnSource(input: string | Uint8Array, options: OssnParseOptions = {}): ParsedNote & { source: OssnSourceMap } {
  const warnings: ImportWarning[] = [];
  const { text: raw, normalised } = decodeNoteText(input, warnings);
  const prefix = options.prefix ?? DEFAULT_NOTE_PREFIX;
  const lines = normalised.split('\n');
  const start = lines.findIndex((l) => l.trim() !== '');
  const firstLine = lines[start] ?? '';
  const wiki = WIKI_TITLE.test(firstLine);
  if (wiki) warnings.push({ kind: 'wiki_syntax', detail: 'MediaWiki headings (= Title =, == Section ==) read as the OSSN layout', line: start + 1 });

  const { title: titleText, next, separated } = readTitle(lines, start, wiki, warnings);
  const rawSections = readSections(lines, next, wiki, warnings);
  const standardCount = new Set(rawSections.flatMap((s) => (s.kind ? [s.kind] : []))).size;
  if (standardCount === 0) notANote('no "### Summary ###"-style section headings were found');
  if (!separated && standardCount < 3) notANote('no "---" line under a title, and too few section headings');

  const idInTitle = new RegExp(`^(${escapeRegExp(prefix)}-\\d{4,})\\s*[:\\-\\u2013\\u2014]\\s*`).exec(titleText);
  const title = idInTitle ? titleText.slice(idInTitle[0].length) : titleText;
  if (idInTitle) warnings.push({ kind: 'title_carries_id', detail: `the title starts with "${idInTitle[1]}"`, line: start + 1 });
  if (title === '') notANote('the title is empty');

  const note: NoteRecord = {
    id: '',
    title,
    summary: null,
    affected: null,
    discussion: null,
    recommendedActions: null,
    credits: null,
    contacts: null,
    sectionLayout: [],
    raw,
  };
  const source: OssnSourceMap = {
    lines,
    titleStart: start,
    titleEnd: next,
    wiki,
    separated,
    titlePrefix: idInTitle?.[0] ?? '',
    chunks: rawSections.map((s, n) => ({ start: s.line - 1, end: (rawSections[n + 1]?.line ?? lines.length + 1) - 1 })),
    slotChunks: [],
  };
  let lastOrder = -1;
  for (const [chunk, section] of rawSections.entries()) {
    const { text, firstLine: bodyLine } = sectionText(section, warnings);
    if (section.name === null) {
      if (text === '') continue;
      warnings.push({ kind: 'text_before_first_section', detail: 'text between the title and the first section is kept as an untitled section', line: bodyLine });
      note.sectionLayout.push({ kind: 'extra', heading: '', text });
      source.slotChunks.push(chunk);
      continue;
    }
    source.slotChunks.push(chunk);
    if (text === '') warnings.push({ kind: 'empty_section', detail: `"${section.name}" has no text`, line: section.line });
    for (const open of splitBlocks(text, false).unterminated) {
      warnings.push({ kind: 'unterminated_block', detail: `"${open}" in "${section.name}" never closes`, line: section.line });
    }
    let kind = section.kind;
    if (kind && note.sectionLayout.some((s) => s.kind === kind)) {
      warnings.push({ kind: 'duplicate_section', detail: `a second "${section.name}" section is kept as an extra section`, line: section.line });
      kind = null;
    }
    if (!kind) {
      if (section.kind === null) warnings.push({ kind: 'extra_section', detail: `"${section.name}" is not a template section; kept in place`, line: section.line });
      note.sectionLayout.push({ kind: 'extra', heading: section.name, text });
      continue;
    }
    checkHeading(section, kind, wiki, warnings);
    const order = STANDARD_SECTION_ORDER.indexOf(kind);
    if (order < lastOrder) warnings.push({ kind: 'section_order', detail: `"${section.name}" comes after a later template section`, line: section.line });
    lastOrder = Math.max(lastOrder, order);
    const slot: SectionSlot = { kind, heading: section.name };
    note.sectionLayout.push(slot);
    assignSection(note, kind, text, bodyLine, warnings);
  }
  for (const kind of REQUIRED_SECTIONS) {
    if (!note.sectionLayout.some((s) => s.kind === kind)) {
      warnings.push({ kind: 'missing_section', detail: `no "${CANONICAL_HEADINGS[kind]}" section` });
    }
  }
  note.id = resolveId(options, prefix, idInTitle?.[1] ?? null, note.contacts?.noteUrl ?? null, warnings);
  return { note, warnings, source };
}

function assignSection(note: NoteRecord, kind: StandardSection, text: string, firstLine: number, warnings: ImportWarning[]): void {
  switch (kind) {
    case 'summary':
      note.summary = text;
      return;
    case 'affected': {
      const parsed = parseAffectedServices(text, firstLine);
      note.affected = parsed.affected;
      warnings.push(...parsed.warnings);
      return;
    }
    case 'discussion':
      note.discussion = text;
      return;
    case 'recommended_actions':
      note.recommendedActions = text;
      return;
    case 'credits':
      note.credits = text;
      return;
    case 'contacts':
      note.contacts = parseContactsReferences(text);
      return;
  }
}

/** Sections whose line breaks are all meant (one product, credit or reference per line). */
export const LINE_ORIENTED: ReadonlySet<string> = new Set<string>(['affected', 'credits', 'contacts']);

/**
 * The note as plain text in the OSSN layout: title, `---`, `### Section ###`, prose wrapped at 72.
 * The title stays on one line (the template's layout; it is also the mail subject), however long.
 */
export function renderOssnText(note: NoteRecord, width = WRAP_WIDTH): string {
  const out: string[] = [normaliseSpaces(note.title), '---', ''];
  for (const section of resolveSections(note)) {
    if (section.heading !== '') out.push(`### ${section.heading} ###`);
    const body = layoutSectionText(section.text, LINE_ORIENTED.has(section.kind), width);
    if (body !== '') out.push(body);
    out.push('');
  }
  while (out.at(-1) === '') out.pop();
  return `${out.join('\n')}\n`;
}
