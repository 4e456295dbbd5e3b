// The static-site files for published notes: only published notes, by construction; the text is the OSSN
// layout; the pages carry no forms or scripts; the feed lists each note once with its stable URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { receiveReport } from '../reports/intake.js';
import { setClass } from '../reports/triage.js';
import { subscribe } from '../reports/ladder.js';
import { claimNote, flagNote } from './flagging.js';
import { saveRevision } from './revisions.js';
import { castVote, submitForReview } from './review.js';
import { requestPublication } from './publish.js';
import { buildNoteSiteFiles } from './site.js';
import type { Kysely } from 'kysely';
import { instanceCreatedAt } from '../storage/migrate.js';
import { renderOssnText } from './formats/ossn-text.js';
import { loadNote, publishedRecord } from './store.js';
import { completeNote, setUpNotesTeam, userScope, type NotesTeam } from './testing/fixtures.js';

describe.each(testDialects())('notes on the static site on %s', (dialect) => {
  let t: TestApp;
  let team: NotesTeam;

  async function approvedNote(title: string, report?: string): Promise<string> {
    const core1 = await userScope(t, team.core[0]!);
    const flagger = report ? await userScope(t, team.vmt) : core1;
    const { ref } = await flagNote(flagger, { report: report ?? '', title, reason: '', projects: ['nova'] });
    const id = await claimNote(core1, ref);
    await saveRevision(core1, id, completeNote(1, { title, summary: `Summary of ${title}.` }));
    await submitForReview(core1, id);
    for (const [u, value] of [[team.core[1]!, 2], [team.core[2]!, 2], [team.novaCore, 1]] as const) await castVote(await userScope(t, u), id, { revision: 2, value, comment: '' });
    return id;
  }

  beforeAll(async () => {
    t = await createTestApp(dialect);
    team = await setUpNotesTeam(t);
    const core1 = await userScope(t, team.core[0]!);
    await requestPublication(core1, await approvedNote('Published note PUBLISHED-MARKER-1a & <b>bold</b>'), 'Approved.');
    await approvedNote('Approved but unpublished DRAFT-MARKER-2b');
    const { report } = await receiveReport(t.system, { title: 'private', description: 'private', projects: ['nova'], email: 'f@example.net' }, [], 'web');
    await setClass(await userScope(t, team.vmt), report.ref, 'B3');
    await subscribe(await userScope(t, team.vmt), report.ref, { username: team.novaCore.user.username, level: 'reviewer', reason: 'note review' });
    const embargoed = await approvedNote('Embargoed note EMBARGO-MARKER-3c', report.ref);
    expect((await requestPublication(core1, embargoed, 'Approved.')).outcome).toBe('awaiting_disclosure');
  });
  afterAll(async () => t.close());

  it('holds the page and text of each published note, the index and the feed — nothing else', async () => {
    const files = await buildNoteSiteFiles(t.ctx);
    expect(files.map((f) => f.path).sort()).toEqual(['feeds/notes.atom', 'notes/OSSN-0001.html', 'notes/OSSN-0001.txt', 'notes/index.html']);
    for (const f of files) {
      expect(f.content, f.path).not.toContain('DRAFT-MARKER-2b');
      expect(f.content, f.path).not.toContain('EMBARGO-MARKER-3c');
    }
    const note = await loadNote(t.ctx.storage.db, { publicId: 'OSSN-0001' });
    const record = await publishedRecord(t.ctx.storage.db, note!.row);
    expect(files.find((f) => f.path === 'notes/OSSN-0001.txt')?.content).toBe(renderOssnText(record!));
    const html = files.find((f) => f.path === 'notes/OSSN-0001.html')!.content;
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<h1>Published note PUBLISHED-MARKER-1a &amp; &lt;b&gt;bold&lt;/b&gt;</h1>');
    expect(html).not.toMatch(/<form|<script|csrf/i);
    const atom = files.find((f) => f.path === 'feeds/notes.atom')!.content;
    expect(atom).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(atom.match(/<entry>/g)).toHaveLength(1);
    // Titles are text: a feed reader must not see markup in them (the feed writes type="html").
    expect(atom).toContain('<title type="html"><![CDATA[OSSN-0001: Published note PUBLISHED-MARKER-1a &amp; &lt;b&gt;bold&lt;/b&gt;]]></title>');
    expect(atom).toContain('<link href="http://cordon.test/notes/OSSN-0001"/>');
    expect(files.find((f) => f.path === 'notes/index.html')!.content).toContain('href="/notes/OSSN-0001.html"');
  });
});

describe.each(testDialects())('the notes feed before any note on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.close());

  it('is dated when the instance began, not 1970', async () => {
    const res = await new TestClient(t).get('/feeds/notes.atom');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<entry>');
    const updated = /<updated>([^<]+)<\/updated>/.exec(res.body)?.[1];
    expect(updated).toBe(await instanceCreatedAt(t.ctx.storage.db as unknown as Kysely<unknown>));
    expect(updated!.startsWith('1970')).toBe(false);
  });
});
