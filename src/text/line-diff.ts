// The one line diff (advisory fields, note sections): longest common subsequence of lines. Its table
// costs n·m cells, so past MAX_DIFF_CELLS the diff is bounded instead: every old line removed, every
// new line added — still a correct diff (applying it gives the new text), just not a minimal one, and
// hostile input (two huge unrelated texts) cannot make it spend quadratic time or memory.

export type DiffLine = { op: 'same' | 'add' | 'del'; text: string };

/** n·m above which the diff falls back to remove-all/add-all (4M cells: 16 MB, well under a second). */
export const MAX_DIFF_CELLS = 4_000_000;

/** Line diff of two lists of lines. */
export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  const n = before.length;
  const m = after.length;
  if (n * m > MAX_DIFF_CELLS) return [...before.map((text): DiffLine => ({ op: 'del', text })), ...after.map((text): DiffLine => ({ op: 'add', text }))];
  // lcs[i][j]: length of the longest common subsequence of before[i..] and after[j..].
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i]!;
    const below = lcs[i + 1]!;
    for (let j = m - 1; j >= 0; j--) row[j] = before[i] === after[j] ? below[j + 1]! + 1 : Math.max(below[j]!, row[j + 1]!);
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (before[i] === after[j]) {
      out.push({ op: 'same', text: before[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ op: 'del', text: before[i++]! });
    else out.push({ op: 'add', text: after[j++]! });
  }
  while (i < n) out.push({ op: 'del', text: before[i++]! });
  while (j < m) out.push({ op: 'add', text: after[j++]! });
  return out;
}

/** The lines of a text; the empty text has none (so adding a first line is one `add`, not a change). */
export function textLines(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

/** Line diff of two texts. */
export function diffTexts(before: string, after: string): DiffLine[] {
  return diffLines(textLines(before), textLines(after));
}

/** The text a diff leads to (its `same` and `add` lines); the old text is its `same` and `del` lines. */
export function applyDiff(lines: readonly DiffLine[]): string {
  return lines.filter((l) => l.op !== 'del').map((l) => l.text).join('\n');
}
