// An embargoed note, on both databases: the VMT flags it from a private class B1–D report; only security core
// sees and writes it, and the concerned projects' core reviewers who may read the report review it; two
// projects must each give a +1; publication waits for the report's disclosure, and proceeds when it opens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInClient, TestClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { receiveReport } from '../reports/intake.js';
import { setClass } from '../reports/triage.js';
import { subscribe } from '../reports/ladder.js';
import { makePublic } from '../reports/embargo/decisions.js';
import { saveRevision } from './revisions.js';
import { submitForReview } from './review.js';
import { loadNote } from './store.js';
import { completeNote, followFlash, queuedMails, runNotesJobs, setUpNotesTeam, unescapeHtml, userScope, type NotesTeam } from './testing/fixtures.js';

describe.each(testDialects())('an embargoed security note on %s', (dialect) => {
  let t: TestApp;
  let team: NotesTeam;
  let ref = '';
  const c: Record<string, TestClient> = {};
  const vote = (who: string, value: string, comment = '') => c[who]!.post('/notes/OSSN-0001/votes', { value, revision: '2', comment });
  const state = async () => (await loadNote(t.ctx.storage.db, { publicId: 'OSSN-0001' }))?.row.state;

  beforeAll(async () => {
    t = await createTestApp(dialect, { announceLists: ['announce@lists.example.org'] });
    team = await setUpNotesTeam(t);
    const received = await receiveReport(t.system, { title: 'Metadata leak REPORT-TITLE-5v', description: 'private details', projects: ['nova', 'glance'], email: 'finder@example.net' }, [], 'web');
    ref = received.report.ref;
    const vmt = await userScope(t, team.vmt);
    await subscribe(vmt, ref, { username: team.novaCore.user.username, level: 'reviewer', reason: 'review the note' });
    await subscribe(vmt, ref, { username: team.glanceCore.user.username, level: 'reviewer', reason: 'review the note' });
    for (const [name, u] of Object.entries({ vmt: team.vmt, plain: team.plain, core1: team.core[0]!, core2: team.core[1]!, core3: team.core[2]!, novaCore: team.novaCore, glanceCore: team.glanceCore })) {
      c[name] = await signedInClient(t, u);
    }
  });
  afterAll(async () => t.close());

  it('only the VMT flags from a private report, and only for classes B1–D', async () => {
    const unclassified = await c.vmt!.get(`/notes/flag?report=${ref}`);
    expect(unclassified.statusCode).toBe(400);
    expect(unescapeHtml(unclassified.body)).toContain('Classify the report first');
    await setClass(await userScope(t, team.vmt), ref, 'A');
    expect(unescapeHtml((await c.vmt!.get(`/notes/flag?report=${ref}`)).body)).toContain('A class A report does not lead to a security note');
    await setClass(await userScope(t, team.vmt), ref, 'B2');
    const form = await c.vmt!.get(`/notes/flag?report=${ref}`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<strong>embargoed</strong>');
    // Someone who cannot read the report learns nothing; a subscriber who can is told why not.
    expect((await c.plain!.get(`/notes/flag?report=${ref}`)).statusCode).toBe(404);
    expect((await c.core1!.get(`/notes/flag?report=${ref}`)).statusCode).toBe(404);
    const subscriber = await c.novaCore!.get(`/notes/flag?report=${ref}`);
    expect(subscriber.statusCode).toBe(403);
    expect(unescapeHtml(subscriber.body)).toContain('Only the VMT can flag a note from a private report');
    expect((await c.plain!.post('/notes/flag', { report: ref, title: 'x', projects: ['nova'] })).statusCode).toBe(404);
  });

  it('the flag is embargoed: in security core’s queue only', async () => {
    const res = await c.vmt!.post('/notes/flag', { report: ref, title: 'Metadata proxy trusts forged headers EMBARGO-MARKER-2k', reason: 'see the report' });
    expect(res.headers.location).toBe('/notes/queue');
    expect((await c.vmt!.get('/notes/queue')).body).not.toContain('EMBARGO-MARKER-2k');
    expect((await c.plain!.get('/notes/queue')).body).not.toContain('EMBARGO-MARKER-2k');
    expect((await c.novaCore!.get('/notes/queue')).body).not.toContain('EMBARGO-MARKER-2k'); // a flag is for security core
    const queue = await c.core1!.get('/notes/queue');
    expect(queue.body).toContain('EMBARGO-MARKER-2k');
    expect(queue.body).toContain('embargoed · security core only');
    const flagRef = /href="\/notes\/flags\/(N-[A-Z2-9]{8})"/.exec(queue.body)?.[1] ?? '';
    expect((await c.plain!.post(`/notes/flags/${flagRef}/claim`, {})).statusCode).toBe(404);
    const claimed = await c.core1!.post(`/notes/flags/${flagRef}/claim`, {});
    expect(claimed.headers.location).toBe('/notes/OSSN-0001/edit');
    const note = await loadNote(t.ctx.storage.db, { publicId: 'OSSN-0001' });
    expect(note?.projects.map((p) => p.slug)).toEqual(['glance', 'nova']);
  });

  it('security core writes it; the projects’ core reviewers who read the report see it; nobody else does', async () => {
    const core1 = await userScope(t, team.core[0]!);
    await saveRevision(core1, 'OSSN-0001', completeNote(1));
    await submitForReview(core1, 'OSSN-0001');
    for (const who of ['plain', 'vmt']) expect((await c[who]!.get('/notes/OSSN-0001')).statusCode, who).toBe(404);
    expect((await new TestClient(t).get('/notes/OSSN-0001')).statusCode).toBe(404);
    const reviewerPage = await c.novaCore!.get('/notes/OSSN-0001');
    expect(reviewerPage.statusCode).toBe(200);
    expect(reviewerPage.body).not.toContain('/notes/OSSN-0001/edit');
    expect((await c.novaCore!.get('/notes/OSSN-0001/edit')).statusCode).toBe(403);
  });

  it('two concerned projects: each needs its own +1; the page says which one is missing', async () => {
    await vote('core2', '2');
    await vote('core3', '2');
    await vote('novaCore', '1');
    const page = unescapeHtml((await c.core1!.get('/notes/OSSN-0001')).body);
    expect(page).toContain('needs +1 from a core reviewer of glance');
    expect(page).not.toContain('needs +1 from a core reviewer of nova');
    expect((await followFlash(c.glanceCore!, await vote('glanceCore', '1')))?.message).toBe('Vote recorded. The note is approved and can be published.');
  });

  it('publication waits for the report’s disclosure; a −2 meanwhile sends it back to review', async () => {
    const queued = await followFlash(c.core1!, await c.core1!.post('/notes/OSSN-0001/publish', { confirm: 'yes', reason: 'Approved by the review rule.' }, '/notes/OSSN-0001/publish'));
    expect(queued?.message).toBe('Approved and queued: the note is published as soon as its report is disclosed.');
    expect(await state()).toBe('awaiting_disclosure');
    await runNotesJobs(t);
    expect(await state()).toBe('awaiting_disclosure');
    const blocked = await followFlash(c.core3!, await vote('core3', '-2', 'Not until the fix lands.'));
    expect(blocked?.message).toBe('Vote recorded. The note is no longer approved, so its queued publication was cancelled.');
    expect(await state()).toBe('in_review');
    await vote('core3', '2', 'Fix landed.');
    await c.core1!.post('/notes/OSSN-0001/publish', { confirm: 'yes', reason: 'Approved by the review rule.' }, '/notes/OSSN-0001/publish');
    expect(await state()).toBe('awaiting_disclosure');
    expect(await queuedMails(t, /OSSN-0001/)).toEqual([]);
    expect((await new TestClient(t).get('/notes/OSSN-0001')).statusCode).toBe(404);
  });

  it('when the report opens, the queued publication proceeds: public page and announcement', async () => {
    await makePublic(await userScope(t, team.vmt), ref, 'fixed and released');
    expect(await state()).toBe('awaiting_disclosure');
    await runNotesJobs(t);
    expect(await state()).toBe('published');
    const page = await new TestClient(t).get('/notes/OSSN-0001');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/reports/${ref}"`); // the report is public now
    const mails = await queuedMails(t, /^\[OSSN-0001\] /);
    expect(mails.map((m) => m.to)).toEqual([['announce@lists.example.org']]);
    // The job is idempotent: another run publishes nothing twice.
    await runNotesJobs(t);
    expect(await queuedMails(t, /^\[OSSN-0001\] /)).toHaveLength(1);
  });

  it('once the report is public, anyone with an account may flag another note from it', async () => {
    const form = await c.plain!.get(`/notes/flag?report=${ref}`);
    expect(form.statusCode).toBe(200);
    expect(form.body).not.toContain('<strong>embargoed</strong>');
    const res = await c.plain!.post('/notes/flag', { report: ref, title: 'Operators should also rotate the proxy secret', projects: ['nova'] });
    expect(res.statusCode).toBe(303);
    expect(String(res.headers.location)).toMatch(/^\/notes\/flags\/N-[A-Z2-9]{8}$/);
    expect((await c.glanceCore!.get(String(res.headers.location))).body).toContain('Operators should also rotate the proxy secret');
  });
});
