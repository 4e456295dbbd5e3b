// Python 3 `textwrap.wrap` and jinja2's `wordwrap` filter, as the OpenStack notice template uses
// them for Notes: `wordwrap(width=70, break_long_words=False, wrapstring='\n  ')`.
// Ported from CPython Lib/textwrap.py (TextWrapper._split and _wrap_chunks) and jinja2 3.1
// filters.do_wordwrap. Widths count code points, as Python's len() does.
import { isPySpace, pyLen, pySplitlines } from './python-text.js';

// TextWrapper.wordsep_re (break_on_hyphens=True). Python's \w is Unicode-aware: letters, digits,
// underscore; `letter` is `[^\d\W]`, i.e. \w without decimal digits.
const WS = '[\\t\\n\\x0b\\x0c\\r ]';
const NWS = '[^\\t\\n\\x0b\\x0c\\r ]';
const W = '[\\p{L}\\p{N}_]';
const WORD_PUNCT = `(?:${W}|[!"'&.,?])`;
const LETTER = '[\\p{L}\\p{Nl}\\p{No}_]';
const WORDSEP = new RegExp(
  `(${WS}+` +
    `|(?<=${WORD_PUNCT})-{2,}(?=${W})` +
    `|${NWS}+?(?:-(?:(?<=${LETTER}{2}-)|(?<=${LETTER}-${LETTER}-))(?=${LETTER}-?${LETTER})|(?=${WS}|$)|(?<=${WORD_PUNCT})(?=-{2,}${W})))`,
  'u',
);

function isBlank(chunk: string): boolean {
  return Array.from(chunk).every(isPySpace);
}

export interface WrapOptions {
  width: number;
  breakLongWords: boolean;
}

/**
 * `textwrap.wrap(text, width, expand_tabs=False, replace_whitespace=False,
 * break_long_words=..., break_on_hyphens=True)`, the call jinja2's wordwrap makes per line.
 */
export function pyTextwrap(text: string, { width, breakLongWords }: WrapOptions): string[] {
  const chunks = text.split(WORDSEP).filter((c) => c !== '');
  chunks.reverse();
  const lines: string[] = [];
  while (chunks.length) {
    const line: string[] = [];
    let len = 0;
    // drop_whitespace: a line never starts with whitespace (except the first line).
    if (lines.length && isBlank(chunks[chunks.length - 1] ?? '')) chunks.pop();
    while (chunks.length) {
      const l = pyLen(chunks[chunks.length - 1] ?? '');
      if (len + l > width) break;
      line.push(chunks.pop() ?? '');
      len += l;
    }
    const next = chunks[chunks.length - 1];
    if (next !== undefined && pyLen(next) > width) {
      // _handle_long_word
      const spaceLeft = width < 1 ? 1 : width - len;
      if (breakLongWords) {
        const chars = Array.from(next);
        let end = spaceLeft;
        // Break after the last hyphen that has non-hyphens before it, if one fits.
        const hyphen = chars.slice(0, spaceLeft).lastIndexOf('-');
        if (hyphen > 0 && chars.slice(0, hyphen).some((c) => c !== '-')) end = hyphen + 1;
        line.push(chars.slice(0, end).join(''));
        chunks[chunks.length - 1] = chars.slice(end).join('');
      } else if (!line.length) {
        line.push(chunks.pop() ?? '');
      }
    }
    if (line.length && isBlank(line[line.length - 1] ?? '')) line.pop();
    if (line.length) lines.push(line.join(''));
  }
  return lines;
}

/** jinja2 `wordwrap` filter: wrap each line of `s` separately, join everything with `wrapstring`. */
export function jinjaWordwrap(
  s: string,
  width: number,
  options: { breakLongWords?: boolean; wrapstring?: string } = {},
): string {
  const wrapstring = options.wrapstring ?? '\n';
  const breakLongWords = options.breakLongWords ?? true;
  return pySplitlines(s)
    .map((line) => pyTextwrap(line, { width, breakLongWords }).join(wrapstring))
    .join(wrapstring);
}
