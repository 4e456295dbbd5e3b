/**
 * Export of a security note as OSSN text that keeps an imported note as it came in (issue 18 item 4),
 * the idea of ossa-export.ts applied to text: the source is read again and each part of it (the title,
 * each section) is compared with the record. A part nobody edited is written from its source lines,
 * byte for byte; an edited part is laid out afresh (renderOssnText's rules) in the same place, keeping
 * its heading line and the blank lines around it, so an edit changes only that part's lines. A note
 * written in Cordon (no source text) gets the template layout of renderOssnText.
 */
import { AppError } from '../../errors/catalogue.js';
import { CANONICAL_HEADINGS, STANDARD_SECTION_ORDER, standardSectionText, type NoteRecord, type SectionSlot, type StandardSection } from './note-record.js';
import { LINE_ORIENTED, parseOssnSource, renderOssnText, type OssnSourceMap } from './ossn-text.js';
import { normaliseSpaces } from './section-headings.js';
import { WRAP_WIDTH, layoutSectionText } from './text-blocks.js';

interface Source {
  original: NoteRecord;
  map: OssnSourceMap;
}

/** push(...lines) without the argument-count limit: a hostile source can have a million lines. */
function append(out: string[], lines: string[]): void {
  for (const line of lines) out.push(line);
}

const isBlank = (line: string | undefined): boolean => (line ?? '').trim() === '';

function sameShape(a: SectionSlot[], b: SectionSlot[]): boolean {
  return a.length === b.length && a.every((slot, n) => slot.kind === b[n]?.kind && slot.heading === b[n]?.heading);
}

/** The note's source read again, or null when it cannot be (then the note is rendered in the template layout). */
function readSource(note: NoteRecord): Source | null {
  if (note.raw === null) return null;
  const prefix = /^([A-Z][A-Z0-9]*)-\d{4,}$/.exec(note.id)?.[1];
  let parsed;
  try {
    parsed = parseOssnSource(note.raw, prefix ? { prefix, id: note.id } : {});
  } catch (error) {
    if (error instanceof AppError) return null;
    throw error;
  }
  // Edits keep the layout read at import (revisions.ts bodyFromInput); any other layout is not this source's.
  if (!sameShape(note.sectionLayout, parsed.note.sectionLayout)) return null;
  return { original: parsed.note, map: parsed.source };
}

function slotText(note: NoteRecord, index: number): string | null {
  const slot = note.sectionLayout[index];
  if (!slot) return null;
  return slot.kind === 'extra' ? slot.text : standardSectionText(note, slot.kind);
}

function unchanged(note: NoteRecord, original: NoteRecord): boolean {
  return (
    note.title === original.title &&
    STANDARD_SECTION_ORDER.every((kind) => standardSectionText(note, kind) === standardSectionText(original, kind)) &&
    note.sectionLayout.every((_, n) => slotText(note, n) === slotText(original, n))
  );
}

function bodyLines(text: string, kind: StandardSection | 'extra', width: number): string[] {
  const body = layoutSectionText(text, LINE_ORIENTED.has(kind), width);
  return body === '' ? [] : body.split('\n');
}

/** A section's source lines with its body replaced; the heading and the blank lines around the body stay. */
function replaceBody(chunk: string[], headed: boolean, body: string[]): string[] {
  const head = headed ? 1 : 0;
  let first = head;
  while (first < chunk.length && isBlank(chunk[first])) first++;
  let last = chunk.length;
  while (last > first && isBlank(chunk[last - 1])) last--;
  if (body.length === 0) return [...chunk.slice(0, head), ...chunk.slice(last === first ? head : last)];
  return [...chunk.slice(0, first), ...body, ...chunk.slice(last)];
}

/** The title block with a new title: the id prefix, the wiki markup and an underline as long as the title stay so. */
function titleLines(map: OssnSourceMap, title: string): string[] {
  const { lines, titleStart, titleEnd } = map;
  const text = `${map.titlePrefix}${normaliseSpaces(title)}`;
  const before = lines.slice(0, titleStart);
  if (map.wiki) {
    const m = /^(=[ \t\u00a0]*).*?([ \t\u00a0]*=[ \t\u00a0]*)$/.exec(lines[titleStart] ?? '');
    return [...before, `${m?.[1] ?? '= '}${text}${m?.[2] ?? ' ='}`];
  }
  if (!map.separated) return [...before, text];
  const written = lines.slice(titleStart, titleEnd - 1);
  const separator = lines[titleEnd - 1] ?? '---';
  const dashes = separator.trim().length;
  // OSSN-0078 underlines the title with as many dashes as it has characters.
  const underline = dashes !== 3 && written.length === 1 && dashes === (written[0] ?? '').trim().length;
  return [...before, text, underline ? separator.replace(/-+/, '-'.repeat(text.length)) : separator];
}

/** Blank lines the source puts after a section heading, for a section added by an edit. */
function headingGap(map: OssnSourceMap): number {
  const chunk = map.chunks[1];
  if (!chunk) return 0;
  let gap = 0;
  while (chunk.start + 1 + gap < chunk.end && isBlank(map.lines[chunk.start + 1 + gap])) gap++;
  return chunk.start + 1 + gap < chunk.end ? gap : 0;
}

/** The source lines of the note, each part either as written or, when edited, laid out afresh in its place. */
function mergedLines(note: NoteRecord, { original, map }: Source, width: number): string[] {
  const out: string[] = note.title === original.title ? map.lines.slice(0, map.titleEnd) : titleLines(map, note.title);
  const listed = new Set(note.sectionLayout.map((s) => s.kind));
  // Sections the source lacks go where the template puts them: before the first later section (resolveSections).
  const added = STANDARD_SECTION_ORDER.filter((kind) => !listed.has(kind) && standardSectionText(note, kind) !== null);
  const gap = new Array<string>(headingGap(map)).fill('');
  const addSection = (kind: StandardSection): string[] => [
    // A wiki-syntax note (OSSN-0094) reads only wiki headings.
    map.wiki ? `== ${CANONICAL_HEADINGS[kind]} ==` : `### ${CANONICAL_HEADINGS[kind]} ###`,
    ...gap,
    ...bodyLines(standardSectionText(note, kind) ?? '', kind, width),
    '',
  ];
  const rank = (kind: StandardSection) => STANDARD_SECTION_ORDER.indexOf(kind);
  const slotOf = new Map(map.slotChunks.map((chunk, slot) => [chunk, slot]));
  map.chunks.forEach((chunk, c) => {
    const lines = map.lines.slice(chunk.start, chunk.end);
    const index = slotOf.get(c);
    const slot = index === undefined ? undefined : note.sectionLayout[index];
    if (index === undefined || !slot) {
      append(out, lines);
      return;
    }
    if (slot.kind !== 'extra') {
      while (added[0] && rank(added[0]) < rank(slot.kind)) append(out, addSection(added.shift()!));
    }
    const text = slotText(note, index);
    if (text === slotText(original, index)) append(out, lines);
    else if (text !== null) append(out, replaceBody(lines, c !== 0, bodyLines(text, slot.kind, width)));
    // A standard section emptied by the edit is left out, heading and all (as renderOssnText does).
  });
  for (const kind of added) append(out, addSection(kind));
  return out;
}

/**
 * The note as OSSN text for export: an imported note nobody edited is its source text, byte for byte;
 * an edited one differs from it only in the lines of the edited parts; a note written in Cordon is
 * rendered in the template layout (renderOssnText).
 */
export function exportOssnText(note: NoteRecord, width = WRAP_WIDTH): string {
  const source = readSource(note);
  if (!source || note.raw === null) return renderOssnText(note, width);
  if (unchanged(note, source.original)) return note.raw;
  const lines = mergedLines(note, source, width);
  // As many line breaks at the end as the source had; an added or dropped last section must not change that.
  const endBlanks = (l: string[]) => l.length - 1 - l.findLastIndex((line) => line !== '');
  const ending = endBlanks(source.map.lines);
  const have = endBlanks(lines);
  if (have > ending) lines.length -= have - ending;
  else for (let n = have; n < ending; n++) lines.push('');
  const merged = lines.join('\n');
  return note.raw.includes('\r\n') ? merged.replace(/\n/g, '\r\n') : merged;
}
