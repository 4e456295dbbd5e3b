// A port of Python's textwrap.TextWrapper (CPython 3.11 Lib/textwrap.py), because the advisory
// notice text must match the existing OpenStack tooling byte for byte (DESIGN.md §3: notes wrapped
// at 70 columns, continuation indented two spaces).
//
// Reproduced: width; initial_indent and subsequent_indent (both count towards the width);
// expand_tabs with tabsize (column resets after \n and \r, as str.expandtabs does);
// replace_whitespace (each of \t \n \v \f \r becomes one space); drop_whitespace (whitespace
// chunks dropped at line ends, and at line starts except at the very start of the text);
// break_long_words (words longer than the width are cut, after the last hyphen when
// break_on_hyphens allows); break_on_hyphens (Python's wordsep_re, including em-dashes "--" and
// the letter rules for hyphenated words). Lengths count code points, as Python's len() does.
// Not reproduced: fix_sentence_endings, max_lines and placeholder (their defaults are assumed:
// off, unlimited).
import { errors } from '../errors/catalogue.js';

export interface WrapOptions {
  /** Maximum line length including the indent (default 70). */
  width?: number;
  initialIndent?: string;
  subsequentIndent?: string;
  expandTabs?: boolean;
  tabSize?: number;
  replaceWhitespace?: boolean;
  dropWhitespace?: boolean;
  breakLongWords?: boolean;
  breakOnHyphens?: boolean;
}

// Python's textwrap splits on ASCII whitespace only (its _whitespace constant).
const WS = '[\\t\\n\\v\\f\\r ]';
const NWS = '[^\\t\\n\\v\\f\\r ]';
// Python's Unicode \w is str.isalnum() or "_"; its letter class is [^\d\W], i.e. \w minus decimal digits.
const WORD = '[\\p{L}\\p{N}_]';
const WORD_PUNCT = '[\\p{L}\\p{N}_!"\'&.,?]';
const LETTER = '[\\p{L}\\p{Nl}\\p{No}_]';

// TextWrapper.wordsep_re, term for term (Python's \Z is JavaScript's $ without the m flag).
const WORDSEP_RE = new RegExp(
  `(${WS}+` +
    `|(?<=${WORD_PUNCT})-{2,}(?=${WORD})` +
    `|${NWS}+?(?:` +
    `-(?:(?<=${LETTER}{2}-)|(?<=${LETTER}-${LETTER}-))(?=${LETTER}-?${LETTER})` +
    `|(?=${WS}|$)` +
    `|(?<=${WORD_PUNCT})(?=-{2,}${WORD})` +
    `))`,
  'gu',
);
const WORDSEP_SIMPLE_RE = new RegExp(`(${WS}+)`, 'gu');

// str.strip() == '' in Python: the characters for which str.isspace() is true.
// eslint-disable-next-line no-control-regex -- Python counts \x1c-\x1f as whitespace
const PY_BLANK_RE = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function expandTabs(text: string, tabSize: number): string {
  let out = '';
  let column = 0;
  for (const ch of text) {
    if (ch === '\t') {
      if (tabSize > 0) {
        const spaces = tabSize - (column % tabSize);
        out += ' '.repeat(spaces);
        column += spaces;
      }
    } else {
      out += ch;
      column = ch === '\n' || ch === '\r' ? 0 : column + 1;
    }
  }
  return out;
}

/** re.split with a capturing group, then empty strings dropped (TextWrapper._split). */
function splitChunks(text: string, re: RegExp): string[] {
  const chunks: string[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    chunks.push(text.slice(last, m.index), m[0]);
    last = m.index + m[0].length;
  }
  chunks.push(text.slice(last));
  return chunks.filter((c) => c !== '');
}

/** textwrap.wrap: the wrapped lines of one paragraph, without trailing newlines. */
export function wrapText(text: string, options: WrapOptions = {}): string[] {
  const {
    width = 70,
    initialIndent = '',
    subsequentIndent = '',
    expandTabs: doExpandTabs = true,
    tabSize = 8,
    replaceWhitespace = true,
    dropWhitespace = true,
    breakLongWords = true,
    breakOnHyphens = true,
  } = options;
  if (!Number.isInteger(width) || width <= 0) throw errors.field('width', 'must be a whole number above 0.');
  if (!Number.isInteger(tabSize) || tabSize < 0) throw errors.field('tabSize', 'must be a whole number, 0 or more.');

  let munged = doExpandTabs ? expandTabs(text, tabSize) : text;
  if (replaceWhitespace) munged = munged.replace(/[\t\n\v\f\r]/g, ' ');
  const chunks = splitChunks(munged, breakOnHyphens ? WORDSEP_RE : WORDSEP_SIMPLE_RE).reverse();

  const lines: string[] = [];
  while (chunks.length) {
    const curLine: string[] = [];
    let curLen = 0;
    const indent = lines.length ? subsequentIndent : initialIndent;
    const lineWidth = width - codePointLength(indent);

    if (dropWhitespace && lines.length && PY_BLANK_RE.test(chunks[chunks.length - 1] ?? '')) chunks.pop();

    while (chunks.length) {
      const len = codePointLength(chunks[chunks.length - 1] ?? '');
      if (curLen + len > lineWidth) break;
      curLine.push(chunks.pop() ?? '');
      curLen += len;
    }

    const next = chunks[chunks.length - 1];
    if (next !== undefined && codePointLength(next) > lineWidth) {
      handleLongWord(chunks, curLine, curLen, lineWidth, breakLongWords, breakOnHyphens);
    }

    if (dropWhitespace && curLine.length && PY_BLANK_RE.test(curLine[curLine.length - 1] ?? '')) curLine.pop();

    if (curLine.length) lines.push(indent + curLine.join(''));
  }
  return lines;
}

/** TextWrapper._handle_long_word: `reversedChunks` ends with the chunk too long for any line. */
function handleLongWord(
  reversedChunks: string[],
  curLine: string[],
  curLen: number,
  lineWidth: number,
  breakLongWords: boolean,
  breakOnHyphens: boolean,
): void {
  // At least one character per pass, even when the indent is wider than the line.
  const spaceLeft = lineWidth < 1 ? 1 : lineWidth - curLen;
  if (breakLongWords) {
    const chunk = Array.from(reversedChunks[reversedChunks.length - 1] ?? '');
    let end = spaceLeft;
    if (breakOnHyphens && chunk.length > spaceLeft) {
      // Break after the last hyphen that fits, but only if something other than hyphens precedes it.
      const hyphen = chunk.slice(0, spaceLeft).lastIndexOf('-');
      if (hyphen > 0 && chunk.slice(0, hyphen).some((c) => c !== '-')) end = hyphen + 1;
    }
    // end >= 0: the chunks on the line never exceed its width, so spaceLeft is never negative.
    curLine.push(chunk.slice(0, end).join(''));
    reversedChunks[reversedChunks.length - 1] = chunk.slice(end).join('');
  } else if (!curLine.length) {
    curLine.push(reversedChunks.pop() ?? '');
  }
}

/** textwrap.fill: the wrapped lines joined with "\n". */
export function fillText(text: string, options: WrapOptions = {}): string {
  return wrapText(text, options).join('\n');
}
