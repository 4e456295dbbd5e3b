// Export that keeps imported notes as they came in (issue 18 item 4), on the 96 real notes: unedited, byte
// for byte; each part edited, only that part's lines differ and the note reads back with the edit and
// every other part exactly as before; a note written in Cordon keeps the template layout.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../testing/fixture-files.js';
import { bodyOf, recordOf, type RevisionBody } from '../store.js';
import { STANDARD_SECTION_ORDER, standardSectionText, type NoteRecord, type StandardSection } from './note-record.js';
import { exportOssnText } from './ossn-source.js';
import { parseOssnSource, parseOssnText, renderOssnText } from './ossn-text.js';
import { normaliseWhitespace } from './text-blocks.js';

const corpusDir = fixturePath('ossn');
const files = readdirSync(corpusDir).filter((f) => /^OSSN-\d{4}$/.test(f)).sort();
const raw = (file: string) => readFileSync(path.join(corpusDir, file), 'utf8');

/** The note as the store gives it back: sections from the revision body, parsed parts re-derived, the source kept. */
function stored(file: string): NoteRecord {
  const note = parseOssnText(new Uint8Array(readFileSync(path.join(corpusDir, file))), { id: file }).note;
  return recordOf(note.id, note.title, JSON.parse(JSON.stringify(bodyOf(note))) as RevisionBody, note.raw);
}

type Part = { kind: 'title' } | { kind: StandardSection } | { kind: 'extra'; slot: number };

/** The note with one part changed as an editor would change it; `null` text empties a section. */
function edited(note: NoteRecord, part: Part, text: string | null): NoteRecord {
  const body = bodyOf(note);
  if (part.kind === 'title') return recordOf(note.id, text ?? '', body, note.raw);
  if (part.kind === 'extra') {
    body.sectionLayout = body.sectionLayout.map((s, n) => (n === part.slot && s.kind === 'extra' ? { ...s, text: text ?? '' } : s));
  } else {
    const key = ({ summary: 'summary', affected: 'affected', discussion: 'discussion', recommended_actions: 'recommendedActions', credits: 'credits', contacts: 'contacts' } as const)[part.kind];
    body[key] = text;
  }
  return recordOf(note.id, note.title, body, note.raw);
}

/** Lines [from, to) of the source that differ in the output: everything outside the common head and tail. */
function changedRange(before: string, after: string): { from: number; to: number } {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return { from: head, to: a.length - tail };
}

/** The source lines a part was read from: the title block, or the section from its heading to the next. */
function partLines(file: string, part: Part): { start: number; end: number } {
  const { note, source } = parseOssnSource(raw(file), { id: file });
  if (part.kind === 'title') return { start: 0, end: source.titleEnd };
  const slot = part.kind === 'extra' ? part.slot : note.sectionLayout.findIndex((s) => s.kind === part.kind);
  const chunk = source.chunks[source.slotChunks[slot] ?? -1];
  if (!chunk) throw new Error(`${file} has no ${part.kind}`);
  return chunk;
}

function textOf(note: NoteRecord, part: Part): string | null {
  if (part.kind === 'title') return note.title;
  if (part.kind === 'extra') {
    const slot = note.sectionLayout[part.slot];
    return slot?.kind === 'extra' ? slot.text : null;
  }
  return standardSectionText(note, part.kind);
}

function partsOf(note: NoteRecord): Part[] {
  return [
    { kind: 'title' },
    ...STANDARD_SECTION_ORDER.filter((k) => standardSectionText(note, k) !== null).map((kind) => ({ kind })),
    ...note.sectionLayout.flatMap((s, slot) => (s.kind === 'extra' ? [{ kind: 'extra' as const, slot }] : [])),
  ];
}

/** A realistic edit of each part: a longer title, a sentence that forces the prose to re-wrap, one more line. */
function newText(note: NoteRecord, part: Part): string {
  const before = textOf(note, part) ?? '';
  switch (part.kind) {
    case 'title':
      return `${before} (updated)`;
    case 'affected':
      return `${before}\n- examplesvc: <1.2.3`;
    case 'contacts':
    case 'credits':
      return `${before}\nUpdated by : Example Editor`;
    default:
      return `Updated in this revision, with enough words to re-wrap the paragraph it starts. ${before}`;
  }
}

/** After the edit, the note reads back with the new text in the part and every other part exactly as before. */
function expectOnly(file: string, note: NoteRecord, part: Part, out: string, text: string | null): void {
  const back = parseOssnText(out, { id: file }).note;
  const label = `${file} ${part.kind}`;
  for (const other of partsOf(note)) {
    if (other.kind === part.kind && (other.kind !== 'extra' || (part.kind === 'extra' && other.slot === part.slot))) continue;
    expect(textOf(back, other), `${label}: ${other.kind} unchanged`).toBe(textOf(note, other));
  }
  const got = textOf(back, part);
  expect(got === null ? null : normaliseWhitespace(got), label).toBe(text === null ? null : normaliseWhitespace(text));
}

describe('OSSN export of imported notes', () => {
  it('writes every unedited corpus note byte for byte as it came in (96/96)', () => {
    const same = files.filter((file) => exportOssnText(stored(file)) === raw(file));
    expect(files).toHaveLength(96);
    expect(same).toEqual(files);
  });

  it('an edit of any one part of any corpus note changes only that part’s lines', () => {
    let edits = 0;
    for (const file of files) {
      const note = stored(file);
      for (const part of partsOf(note)) {
        const text = newText(note, part);
        const out = exportOssnText(edited(note, part, text));
        const changed = changedRange(raw(file), out);
        const lines = partLines(file, part);
        expect(changed.from, `${file} ${part.kind}: first changed line`).toBeGreaterThanOrEqual(lines.start);
        expect(changed.to, `${file} ${part.kind}: last changed line`).toBeLessThanOrEqual(lines.end);
        expect(out, `${file} ${part.kind}: something changed`).not.toBe(raw(file));
        expectOnly(file, note, part, out, text);
        edits++;
      }
    }
    // 96 titles and every section: Summary, Affected, Discussion, Contacts 96 each, Recommended Actions 95, Credits 17, 3 extras.
    expect(edits).toBe(96 + 96 * 4 + 95 + 17 + 3);
  });

  it('removing the optional Credits drops just that section; adding it puts it where the template does', () => {
    const withCredits = files.filter((f) => stored(f).credits !== null);
    expect(withCredits).toHaveLength(17);
    for (const file of withCredits) {
      const note = stored(file);
      const out = exportOssnText(edited(note, { kind: 'credits' }, null));
      const changed = changedRange(raw(file), out);
      const lines = partLines(file, { kind: 'credits' });
      expect(changed.from, file).toBeGreaterThanOrEqual(lines.start);
      expect(changed.to, file).toBeLessThanOrEqual(lines.end);
      expectOnly(file, note, { kind: 'credits' }, out, null);
    }
    const credit = 'Example Person from Example Org';
    // A new section follows the note's own spacing after a heading (none in OSSN-0002, a blank line in OSSN-0081).
    for (const [file, gap] of [['OSSN-0002', []], ['OSSN-0081', ['']]] as const) {
      const added = exportOssnText(edited(stored(file), { kind: 'credits' }, credit));
      const lines = added.split('\n');
      const at = lines.indexOf('### Credits ###');
      expect(lines.slice(at, at + gap.length + 3), file).toEqual(['### Credits ###', ...gap, credit, '']);
      expect(lines[at + gap.length + 3], file).toMatch(/^### Contacts \/ References ###/);
      expect(lines.filter((l) => !raw(file).split('\n').includes(l)), file).toEqual(['### Credits ###', credit]);
      expectOnly(file, stored(file), { kind: 'credits' }, added, credit);
    }
  });

  it('keeps the id before an edited title and an underline as long as the title', () => {
    const ceph = exportOssnText(edited(stored('OSSN-0108'), { kind: 'title' }, 'Authentication flaws in Ceph'));
    expect(ceph.split('\n').slice(0, 2)).toEqual(['OSSN-0108: Authentication flaws in Ceph', '---']);
    const title = 'copy_from in the Image Service API v1 allows a network port scan';
    const glance = exportOssnText(edited(stored('OSSN-0078'), { kind: 'title' }, title));
    expect(glance.split('\n').slice(0, 2)).toEqual([title, '-'.repeat(title.length)]);
    const wiki = exportOssnText(edited(stored('OSSN-0094'), { kind: 'title' }, 'A new title'));
    expect(wiki.split('\n')[0]).toBe('= OSSN-0094: A new title =');
  });

  it('keeps CRLF line endings: unedited byte for byte, an edited part written with CRLF too', () => {
    const crlf = raw('OSSN-0002').replace(/\n/g, '\r\n');
    const note = parseOssnText(crlf, { id: 'OSSN-0002' }).note;
    expect(exportOssnText(note)).toBe(crlf);
    const out = exportOssnText({ ...note, summary: 'A shorter summary.' });
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
    expect(out.split('\r\n').filter((l) => !crlf.split('\r\n').includes(l))).toEqual(['A shorter summary.']);
  });

  it('renders a note written in Cordon, or one whose layout is not its source’s, in the template layout', () => {
    const note = stored('OSSN-0001');
    const written = { ...note, raw: null };
    expect(exportOssnText(written)).toBe(renderOssnText(written));
    const relaid = { ...note, sectionLayout: note.sectionLayout.slice(1) };
    expect(exportOssnText(relaid)).toBe(renderOssnText(relaid));
    expect(exportOssnText(relaid)).not.toBe(raw('OSSN-0001'));
  });
});
