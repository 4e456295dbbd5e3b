// The difference between two revisions of an advisory, per editor field, as line diffs (longest common
// subsequence of lines), so a reviewer sees exactly what changed before approving.
import { EDITOR_FIELDS, FIELD_LABELS, formFromRecord, type EditorField } from './editor-input.js';
import type { AdvisoryRecord } from './record.js';

export type DiffLine = { op: 'same' | 'add' | 'del'; text: string };

export interface FieldDiff {
  field: EditorField | 'errata';
  label: string;
  lines: DiffLine[];
}

/** Line diff of two texts (LCS); inputs are bounded by the editor's field limits. */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before === '' ? [] : before.split('\n');
  const b = after === '' ? [] : after.split('\n');
  const n = a.length;
  const m = b.length;
  // lcs[i][j] = length of the LCS of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: 'same', text: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ op: 'del', text: a[i++]! });
    else out.push({ op: 'add', text: b[j++]! });
  }
  while (i < n) out.push({ op: 'del', text: a[i++]! });
  while (j < m) out.push({ op: 'add', text: b[j++]! });
  return out;
}

function errataText(record: AdvisoryRecord): string {
  if (!record.errata) return '';
  return [record.errata.text, '', ...record.errata.history].join('\n').trim();
}

/** The fields that differ, each with its line diff, in editor order (errata last). */
export function diffRecords(before: AdvisoryRecord, after: AdvisoryRecord): FieldDiff[] {
  const fa = formFromRecord(before);
  const fb = formFromRecord(after);
  const out: FieldDiff[] = [];
  for (const field of EDITOR_FIELDS) {
    if (fa[field] !== fb[field]) out.push({ field, label: FIELD_LABELS[field], lines: diffLines(fa[field], fb[field]) });
  }
  const ea = errataText(before);
  const eb = errataText(after);
  if (ea !== eb) out.push({ field: 'errata', label: 'Errata and history', lines: diffLines(ea, eb) });
  return out;
}
