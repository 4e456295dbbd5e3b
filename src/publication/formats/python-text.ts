// Python 3 string methods the OpenStack notice template relies on, reproduced on code points
// (Python's len() and iteration count code points; JavaScript's count UTF-16 units).

/** Characters for which Python's `str.isspace()` is true (bidi WS/B/S or category Zs). */
const PY_WHITESPACE = new Set(
  [
    '\t', '\n', '\x0b', '\x0c', '\r', '\x1c', '\x1d', '\x1e', '\x1f', ' ', '\x85', '\xa0', '\u1680',
    '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009',
    '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000',
  ],
);

export function isPySpace(ch: string): boolean {
  return PY_WHITESPACE.has(ch);
}

/** `len(s)` in Python: code points. */
export function pyLen(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** `s.strip()` with no argument. */
export function pyStrip(s: string): string {
  const chars = Array.from(s);
  let start = 0;
  let end = chars.length;
  while (start < end && isPySpace(chars[start] ?? '')) start++;
  while (end > start && isPySpace(chars[end - 1] ?? '')) end--;
  return chars.slice(start, end).join('');
}

// str.splitlines() boundaries: \n \r \r\n \v \f \x1c \x1d \x1e \x85 \u2028 \u2029.
// eslint-disable-next-line no-control-regex -- these control characters are Python line boundaries
const LINE_BOUNDARY = /\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/;

/** `s.splitlines()` (no keepends): a trailing line break does not add an empty line. */
export function pySplitlines(s: string): string[] {
  if (s === '') return [];
  const parts = s.split(LINE_BOUNDARY);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

// Characters whose title case differs from their upper case (Unicode SpecialCasing / UnicodeData):
// the Latin digraphs and ŉ. Python's capitalize() uses title case for the first character since 3.8.
const TITLE_CASE: Record<string, string> = {
  '\u01c4': '\u01c5', '\u01c5': '\u01c5', '\u01c6': '\u01c5',
  '\u01c7': '\u01c8', '\u01c8': '\u01c8', '\u01c9': '\u01c8',
  '\u01ca': '\u01cb', '\u01cb': '\u01cb', '\u01cc': '\u01cb',
  '\u01f1': '\u01f2', '\u01f2': '\u01f2', '\u01f3': '\u01f2',
  '\u0149': '\u02bcN',
};

function titleCaseChar(ch: string): string {
  const special = TITLE_CASE[ch];
  if (special) return special;
  const cp = ch.codePointAt(0) ?? 0;
  // Greek with ypogegrammeni: title case is the single prosgegrammeni letter, upper case is two.
  if (cp >= 0x1f80 && cp <= 0x1faf) return (cp & 0x0f) < 8 ? String.fromCodePoint(cp + 8) : ch;
  if (cp === 0x1fb3 || cp === 0x1fc3 || cp === 0x1ff3) return String.fromCodePoint(cp + 9);
  if (cp === 0x1fbc || cp === 0x1fcc || cp === 0x1ffc) return ch;
  const upper = ch.toUpperCase();
  const chars = Array.from(upper);
  // Multi-character upper cases (ß → SS, ﬁ → FI) title-case as first upper + rest lower (Ss, Fi).
  return chars.length > 1 ? (chars[0] ?? '') + chars.slice(1).join('').toLowerCase() : upper;
}

/** `s.capitalize()` (Python ≥ 3.8): first character title-cased, the rest lower-cased. */
export function pyCapitalize(s: string): string {
  const chars = Array.from(s);
  if (!chars.length) return '';
  return titleCaseChar(chars[0] ?? '') + chars.slice(1).join('').toLowerCase();
}

/** `s.lower()`. */
export function pyLower(s: string): string {
  return s.toLowerCase();
}
