// What changed between two revisions of a note, section by section, as line diffs (longest common
// subsequence of lines). Sections are a few hundred lines at most; past a size bound the diff falls back
// to "all removed, all added" rather than spend quadratic time on hostile input.
import { resolveSections, type NoteRecord } from './formats/note-record.js';

export type DiffLine = { op: 'same' | 'add' | 'del'; text: string };

export interface SectionDiff {
  heading: string;
  status: 'unchanged' | 'changed' | 'added' | 'removed';
  lines: DiffLine[];
}

const MAX_CELLS = 4_000_000;

export function diffLines(before: string[], after: string[]): DiffLine[] {
  const n = before.length;
  const m = after.length;
  if (n * m > MAX_CELLS) return [...before.map((text): DiffLine => ({ op: 'del', text })), ...after.map((text): DiffLine => ({ op: 'add', text }))];
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

/** Section-by-section diff, in the newer revision's order; removed sections follow. The title counts as a section. */
export function diffRecords(before: NoteRecord, after: NoteRecord): SectionDiff[] {
  const old = new Map<string, string>([['Title', before.title], ...resolveSections(before).map((s): [string, string] => [s.heading || '(untitled)', s.text])]);
  const next: [string, string][] = [['Title', after.title], ...resolveSections(after).map((s): [string, string] => [s.heading || '(untitled)', s.text])];
  const out: SectionDiff[] = [];
  for (const [heading, text] of next) {
    const was = old.get(heading);
    old.delete(heading);
    if (was === undefined) out.push({ heading, status: 'added', lines: text.split('\n').map((t) => ({ op: 'add', text: t })) });
    else if (was === text) out.push({ heading, status: 'unchanged', lines: [] });
    else out.push({ heading, status: 'changed', lines: diffLines(was.split('\n'), text.split('\n')) });
  }
  for (const [heading, text] of old) out.push({ heading, status: 'removed', lines: text.split('\n').map((t) => ({ op: 'del', text: t })) });
  return out;
}
