/**
 * Plain-text layout of one OSSN section body: split into blocks, then re-wrap prose at 72 columns.
 *
 * Rules (what the real notes contain, and what a reader of a plain-text email needs):
 * - Preformatted text is never re-flowed: `~~~`/```` ``` ```` fences, `---- begin … snippet ----` …
 *   `---- end … ----` regions, indented lines, and sub-headings (`#### Patches ####`, wiki `=== x ===`).
 * - List items (`-`, `*`, `+`, `1.`, `1)`, `#.`, `A.`, `[1]`) are re-flowed with a hanging indent.
 * - Words are never split, so a URL is never broken; a word longer than the line stands alone.
 * - A wrapped line never starts with something that would read back as a list marker or heading.
 * - Some line breaks inside a paragraph are meant (a label line ending in `:`, a URL on its own line,
 *   `Key: value` lines, a short line before a capitalised one); those are kept ("hard breaks").
 * In line-oriented sections (Affected, Credits, Contacts) every line break is kept; only lines longer
 * than the width are wrapped, continuing with an indent.
 */

export const WRAP_WIDTH = 72;

export type TextBlock =
  | { kind: 'paragraph'; lines: string[] }
  | { kind: 'list_item'; indent: string; marker: string; lines: string[] }
  | { kind: 'verbatim'; lines: string[] }
  | { kind: 'blank' };

const LIST_MARKER = /^([-*+]|\d{1,3}[.)]|#\.?|[A-Z][.)]|\[\d{1,3}\]:?)[ \t]+(?=\S)/;
export const FENCE = /^\s*(~{3,}|`{3,})/;
export const SNIPPET_BEGIN = /^\s*-{2,}\s*(begin|being|start)\b.*-{2,}\s*$/i;
export const SNIPPET_END = /^\s*-{2,}\s*end\b.*-{2,}\s*$/i;
const SUBHEADING = /^\s*(#{2,}.*#{2,}|={2,}.*={2,})\s*$/;
const URL_ONLY = /^\s*<?(https?|ftp):\/\/\S+$/i;
const FIELD_LINE = /^[^\s:][^:]{0,40}?\s?:\s+\S/;
/** Words that would change meaning at the start of a line (list marker, fence, heading, snippet). */
const MARKER_WORD = /^([-*+]|\d{1,3}[.)]|#+\.?|[A-Z][.)]|\[\d{1,3}\]:?|~{3,}.*|`{3,}.*|-{2,}.*|={2,}.*)$/;

export interface BlockSplit {
  blocks: TextBlock[];
  /** Fences or snippets that never close (the rest of the section is kept verbatim). */
  unterminated: string[];
}

function indentOf(line: string): number {
  return /^[ \t]*/.exec(line)?.[0].length ?? 0;
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** The fence a line consists of (`~~~`, ```` ``` ````), or null: a closing fence is only the marks. */
export function closingFence(line: string): string | null {
  const t = line.trim();
  return /^(~{3,}|`{3,})$/.test(t) ? t : null;
}

/** For a line that opens a fence or a snippet, the test for the line that closes it. */
export function regionCloser(open: string): ((line: string) => boolean) | null {
  const fence = FENCE.exec(open);
  if (fence) {
    const mark = fence[1] ?? '~~~';
    return (l) => closingFence(l)?.startsWith(mark) ?? false;
  }
  return SNIPPET_BEGIN.test(open) ? (l) => SNIPPET_END.test(l) : null;
}

/** Lines of a verbatim region opened at `start`, and the index after it. */
function takeRegion(lines: string[], start: number, unterminated: string[]): { region: string[]; next: number } {
  const open = lines[start] ?? '';
  const closes = regionCloser(open) ?? (() => true);
  for (let i = start + 1; i < lines.length; i++) {
    if (closes(lines[i] ?? '')) return { region: lines.slice(start, i + 1), next: i + 1 };
  }
  unterminated.push(open.trim());
  return { region: lines.slice(start), next: lines.length };
}

/** Split section text into blocks. `lineOriented` keeps every line of a paragraph as its own line. */
export function splitBlocks(text: string, lineOriented: boolean): BlockSplit {
  const lines = text.split('\n');
  const blocks: TextBlock[] = [];
  const unterminated: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (isBlank(line)) {
      if (blocks.at(-1)?.kind !== 'blank') blocks.push({ kind: 'blank' });
      i++;
      continue;
    }
    if (FENCE.test(line) || SNIPPET_BEGIN.test(line)) {
      const { region, next } = takeRegion(lines, i, unterminated);
      blocks.push({ kind: 'verbatim', lines: region });
      i = next;
      continue;
    }
    if (SUBHEADING.test(line)) {
      blocks.push({ kind: 'verbatim', lines: [line] });
      i++;
      continue;
    }
    if (indentOf(line) > 0) {
      const run: string[] = [];
      while (i < lines.length && !isBlank(lines[i] ?? '') && indentOf(lines[i] ?? '') > 0) {
        if (FENCE.test(lines[i] ?? '') || SNIPPET_BEGIN.test(lines[i] ?? '')) break;
        run.push(lines[i] ?? '');
        i++;
      }
      if (run.length === 0) {
        // An indented fence: keep the whole region as written.
        const { region, next } = takeRegion(lines, i, unterminated);
        blocks.push({ kind: 'verbatim', lines: region });
        i = next;
      } else {
        blocks.push({ kind: 'verbatim', lines: run });
      }
      continue;
    }
    const marker = LIST_MARKER.exec(line);
    if (marker) {
      const markerText = marker[1] ?? '-';
      const hang = markerText.length + 1;
      const item: string[] = [line.slice(marker[0].length).trim()];
      i++;
      while (i < lines.length) {
        const next = lines[i] ?? '';
        if (isBlank(next) || startsBlock(next) || LIST_MARKER.test(next.trimStart())) break;
        const ind = indentOf(next);
        // Indented continuation; unindented ("lazy") continuation only in prose sections.
        if (ind > hang + 2 || (ind === 0 && lineOriented)) break;
        if (ind === 0 && hardBreak(item.at(-1) ?? '', next)) break;
        item.push(next.trim());
        i++;
      }
      blocks.push({ kind: 'list_item', indent: '', marker: markerText, lines: item });
      continue;
    }
    const para: string[] = [line];
    i++;
    while (i < lines.length) {
      const next = lines[i] ?? '';
      if (isBlank(next) || startsBlock(next) || indentOf(next) > 0 || LIST_MARKER.test(next)) break;
      para.push(next);
      i++;
    }
    blocks.push({ kind: 'paragraph', lines: para });
  }
  while (blocks[0]?.kind === 'blank') blocks.shift();
  while (blocks.at(-1)?.kind === 'blank') blocks.pop();
  return { blocks, unterminated };
}

function startsBlock(line: string): boolean {
  return FENCE.test(line) || SNIPPET_BEGIN.test(line) || SUBHEADING.test(line);
}

/** Whether the line break between two prose lines is meant (kept) rather than a soft wrap. */
export function hardBreak(line: string, next: string): boolean {
  const a = line.trim();
  const b = next.trim();
  if (a.endsWith(':')) return true;
  if (URL_ONLY.test(a) || URL_ONLY.test(b)) return true;
  if (FIELD_LINE.test(a) && FIELD_LINE.test(b)) return true;
  // Re-flowed prose fills its lines; a short line before a capitalised one is a deliberate break.
  if (a.length < 40 && /^[A-Z0-9"'(]/.test(b)) return true;
  return false;
}

/** Greedy word wrap; never splits a word and never starts a line with a marker-like word. */
export function wrapWords(words: string[], firstPrefix: string, restPrefix: string, width = WRAP_WIDTH): string[] {
  const out: string[][] = [];
  let current: string[] = [];
  let used = firstPrefix.length;
  for (const word of words) {
    if (current.length === 0) {
      current.push(word);
      used += word.length;
      continue;
    }
    if (used + 1 + word.length <= width) {
      current.push(word);
      used += 1 + word.length;
      continue;
    }
    const carried: string[] = [];
    // Carry the previous word down so the new line does not begin like a list item or heading.
    if (MARKER_WORD.test(word) && current.length > 1) carried.push(current.pop() ?? '');
    out.push(current);
    current = [...carried, word];
    used = restPrefix.length + current.join(' ').length;
  }
  if (current.length) out.push(current);
  return out.map((ws, n) => (n === 0 ? firstPrefix : restPrefix) + ws.join(' '));
}

function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}

/** Paragraph lines grouped into segments that are each re-flowed on their own. */
function segments(lines: string[], lineOriented: boolean): string[][] {
  const out: string[][] = [];
  for (const line of lines) {
    const last = out.at(-1);
    const prev = last?.at(-1);
    if (last && prev !== undefined && !lineOriented && !hardBreak(prev, line)) last.push(line);
    else out.push([line]);
  }
  return out;
}

function renderBlock(block: TextBlock, lineOriented: boolean, width: number): string[] {
  switch (block.kind) {
    case 'blank':
      return [''];
    case 'verbatim':
      return block.lines.map((l) => l.trimEnd());
    case 'list_item': {
      const first = `${block.indent}${block.marker} `;
      const rest = ' '.repeat(first.length);
      return segments(block.lines, lineOriented).flatMap((seg, n) =>
        wrapWords(words(seg.join(' ')), n === 0 ? first : rest, rest, width),
      );
    }
    case 'paragraph':
      return segments(block.lines, lineOriented).flatMap((seg) =>
        // A line-oriented line that must wrap continues indented, so it reads back as one entry.
        wrapWords(words(seg.join(' ')), '', lineOriented ? '    ' : '', width),
      );
  }
}

/** The section text laid out for the plain-text note: prose re-wrapped at `width` columns. */
export function layoutSectionText(text: string, lineOriented: boolean, width = WRAP_WIDTH): string {
  const { blocks } = splitBlocks(text, lineOriented);
  return blocks.flatMap((b) => renderBlock(b, lineOriented, width)).join('\n');
}

/** Text with all whitespace runs collapsed: what "the same text" means for a round trip. */
export function normaliseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
