// What changed between two revisions of a note, section by section, as line diffs (the bounded LCS diff
// of src/text/line-diff.ts, also used by advisories).
import { resolveSections, type NoteRecord } from './formats/note-record.js';
import { diffLines, type DiffLine } from '../text/line-diff.js';

export { diffLines } from '../text/line-diff.js';

export interface SectionDiff {
  heading: string;
  status: 'unchanged' | 'changed' | 'added' | 'removed';
  lines: DiffLine[];
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
