// The difference between two revisions of an advisory, per editor field, as line diffs (src/text/line-diff.ts),
// so a reviewer sees exactly what changed before approving.
import { EDITOR_FIELDS, FIELD_LABELS, formFromRecord, type EditorField } from './editor-input.js';
import type { AdvisoryRecord } from '../publication/record.js';
import { diffTexts, type DiffLine } from '../text/line-diff.js';


export interface FieldDiff {
  field: EditorField | 'errata';
  label: string;
  lines: DiffLine[];
}

/** Line diff of two field texts (the shared, bounded diff of src/text). */
export const diffLines = diffTexts;

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
