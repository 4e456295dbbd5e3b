// Import of the 96 real notes (test-fixtures/ossn) as published notes, on both databases: every note, its
// sections counted, a warning per oddity, idempotent, files that are not notes reported and skipped; id
// allocation continues above 0108; export writes them back byte for byte, and an edit changes only its section.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeUser, TestClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { fixturePath } from '../testing/fixture-files.js';
import { createProject } from '../projects/projects.js';
import { resolveSections, type NoteRecord } from './formats/note-record.js';
import { parseOssnText } from './formats/ossn-text.js';
import { normaliseWhitespace } from './formats/text-blocks.js';
import { claimNote, flagNote } from './flagging.js';
import { exportOssnDir, importOssnDir, type ImportReport } from './import-export.js';
import { bodyOf, publishedRecord, loadNote, recordOf } from './store.js';
import { exportOssnText } from './formats/ossn-source.js';
import { bodyFromInput, type RevisionInput } from './revisions.js';
import { userScope } from './testing/fixtures.js';

const corpusDir = fixturePath('ossn');
const corpusFiles = readdirSync(corpusDir).sort();

function sections(record: NoteRecord): [string, string][] {
  return resolveSections(record).map((s) => [s.kind === 'extra' ? `extra:${s.heading}` : s.kind, normaliseWhitespace(s.text)]);
}

describe.each(testDialects())('OSSN import and export on %s', (dialect) => {
  let t: TestApp;
  let first: ImportReport;
  const temps: string[] = [];
  const temp = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cordon-'));
    temps.push(dir);
    return dir;
  };
  const stored = async (id: string) => {
    const note = await loadNote(t.ctx.storage.db, { publicId: id });
    return note ? publishedRecord(t.ctx.storage.db, note.row) : null;
  };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    first = await importOssnDir(t.system, corpusDir);
  });
  afterAll(async () => {
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it('imports all 96 notes as published notes, with a warning per oddity and nothing skipped', () => {
    expect(corpusFiles).toHaveLength(96);
    expect(first.imported).toEqual(corpusFiles);
    expect(first.skipped).toEqual([]);
    expect(first.conflicts).toEqual([]);
    expect(first.warnings).toHaveLength(44);
    const kinds = (k: string) => first.warnings.filter((w) => w.kind === k).map((w) => w.id);
    expect(kinds('wiki_syntax')).toEqual(['OSSN-0094']);
    expect(kinds('title_wrapped')).toHaveLength(10);
    expect(kinds('non_breaking_space')).toHaveLength(5);
    expect(kinds('missing_section')).toHaveLength(1);
  });

  it('keeps every section of every note: 75 with five sections, 20 with six, one with four', async () => {
    const histogram: Record<number, number> = {};
    const perKind: Record<string, number> = {};
    for (const file of corpusFiles) {
      const record = await stored(file);
      expect(record, file).not.toBeNull();
      const direct = parseOssnText(new Uint8Array(readFileSync(path.join(corpusDir, file))), { id: file }).note;
      expect(record!.title, file).toBe(direct.title);
      expect(sections(record!), file).toEqual(sections(direct));
      const count = resolveSections(record!).length;
      histogram[count] = (histogram[count] ?? 0) + 1;
      for (const s of resolveSections(record!)) perKind[s.kind] = (perKind[s.kind] ?? 0) + 1;
    }
    expect(histogram).toEqual({ 4: 1, 5: 75, 6: 20 });
    expect(perKind).toEqual({ summary: 96, affected: 96, discussion: 96, recommended_actions: 95, credits: 17, contacts: 96, extra: 3 });
    expect(resolveSections((await stored('OSSN-0068'))!).map((s) => s.heading)).toContain('Other possible solutions');
  });

  it('is idempotent: a second run changes nothing', async () => {
    const again = await importOssnDir(t.system, corpusDir);
    expect(again.imported).toEqual([]);
    expect(again.unchanged).toHaveLength(96);
    expect(again.warnings).toEqual([]);
    expect(Number((await t.ctx.storage.db.selectFrom('notes').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(96);
  });

  it('reports and skips files that are not notes; a changed note is a conflict, left as it is', async () => {
    const dir = temp();
    writeFileSync(path.join(dir, 'empty'), '');
    writeFileSync(path.join(dir, 'binary.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    writeFileSync(path.join(dir, 'README'), 'This directory holds the notes.\n');
    writeFileSync(path.join(dir, 'latin1'), Buffer.from('Titre\n---\n\n### Summary ###\n\ncaf\xe9\n', 'latin1'));
    writeFileSync(path.join(dir, 'OSSN-0002'), readFileSync(path.join(corpusDir, 'OSSN-0002'), 'utf8').replace('### Summary ###\n', '### Summary ###\nEdited.\n'));
    copyFileSync(path.join(corpusDir, 'OSSN-0003'), path.join(dir, 'OSSN-0003'));
    const r = await importOssnDir(t.system, dir);
    expect(r.imported).toEqual([]);
    expect(r.unchanged).toEqual(['OSSN-0003']);
    expect(r.conflicts).toEqual([{ file: 'OSSN-0002', id: 'OSSN-0002', message: 'imported before with different text; left as it is' }]);
    expect(Object.fromEntries(r.skipped.map((s) => [s.file, s.reason]))).toEqual({
      README: 'is not a security note: no "### Summary ###"-style section headings were found',
      'binary.bin': 'is a binary file, not a text note',
      empty: 'is empty',
      latin1: 'is not UTF-8 text',
    });
    expect((await stored('OSSN-0002'))!.summary).not.toContain('Edited.');
  });

  it('allocates the next claimed note above the highest imported number', async () => {
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    const author = await userScope(t, await makeUser(t, { username: 'writer', totp: false }));
    const flagged = await flagNote(author, { title: 'A new note', reason: '', projects: ['nova'] });
    expect(await claimNote(author, flagged.ref)).toBe('OSSN-0109');
  });

  it('exports every imported note byte for byte as it came in (96/96)', async () => {
    const dir = temp();
    const written = await exportOssnDir(t.ctx, dir);
    expect(written).toEqual(corpusFiles);
    const same = corpusFiles.filter((file) => readFileSync(path.join(dir, file)).equals(readFileSync(path.join(corpusDir, file))));
    expect(same).toEqual(corpusFiles);
  });

  it('an edit of one section of a stored note changes only that section’s lines in the export', async () => {
    // Published notes have no edit path (revisions.ts); the edit form's conversion is applied to the stored revision.
    for (const [file, field, text] of [
      ['OSSN-0001', 'summary', 'LXC is not a hypervisor: tenants can read each other’s data when Nova uses it as one.'],
      ['OSSN-0068', 'recommendedActions', 'Upgrade.'],
      ['OSSN-0108', 'credits', 'Example Person from Example Org'],
      ['OSSN-0094', 'affected', '- cinder: <20.0.1'],
    ] as const) {
      const loaded = await loadNote(t.ctx.storage.db, { publicId: file });
      const record = (await publishedRecord(t.ctx.storage.db, loaded!.row))!;
      const base = bodyOf(record);
      const input: RevisionInput = {
        baseRevision: 1,
        title: record.title,
        summary: base.summary ?? '',
        affected: base.affected ?? '',
        discussion: base.discussion ?? '',
        recommendedActions: base.recommendedActions ?? '',
        credits: base.credits ?? '',
        contacts: base.contacts ?? '',
        extras: base.sectionLayout.flatMap((s) => (s.kind === 'extra' ? [s.text] : [])),
      };
      const unedited = exportOssnText(recordOf(file, input.title, bodyFromInput(input, base), record.raw));
      expect(unedited, file).toBe(readFileSync(path.join(corpusDir, file), 'utf8'));
      const out = exportOssnText(recordOf(file, input.title, bodyFromInput({ ...input, [field]: text }, base), record.raw));
      const before = unedited.split('\n');
      const after = out.split('\n');
      const removed = before.filter((l) => !after.includes(l));
      const added = after.filter((l) => !before.includes(l));
      expect(added.join(' '), file).toBe(text);
      const back = parseOssnText(out, { id: file }).note;
      const original = parseOssnText(unedited, { id: file }).note;
      const changed = (n: NoteRecord) => bodyOf(n)[field];
      expect(normaliseWhitespace(changed(back) ?? ''), file).toBe(text);
      expect({ ...bodyOf(back), [field]: null }, file).toEqual({ ...bodyOf(original), [field]: null });
      expect(back.title, file).toBe(original.title);
      // Every removed line was in the edited section of the source.
      for (const line of removed) expect(changed(original) ?? '', `${file}: ${line}`).toContain(line.replace(/\u00a0/g, ' ').trim());
    }
  });

  it('imported notes are on the public site: page, text and feed', async () => {
    const anon = new TestClient(t);
    const page = await anon.get('/notes/OSSN-0094');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h2>Recommended Actions</h2>');
    expect((await anon.get('/notes')).body).toContain('href="/notes/OSSN-0108"');
    const text = await anon.get('/notes/OSSN-0108.txt');
    // The public text of an imported note is the note as OpenStack published it, byte for byte.
    expect(text.body).toBe(readFileSync(fixturePath('ossn', 'OSSN-0108'), 'utf8'));
    const feed = await anon.get('/feeds/notes.atom');
    expect((feed.body.match(/<entry>/g) ?? []).length).toBe(50);
  });
});
