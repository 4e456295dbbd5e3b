// A public security note through the web, on both databases: flagged by a user, claimed (OSSN id), written
// as revisions, submitted, reviewed by the two +2 / one +1 rule with what is missing shown on the page,
// published (page, index, text, feed, announcement mail), and answered feedback from operators.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInClient, TestClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { renderOssnText } from './formats/ossn-text.js';
import { publishedRecord, loadNote } from './store.js';
import { completeNote, followFlash, queuedMails, setUpNotesTeam, unescapeHtml, type NotesTeam } from './testing/fixtures.js';

const LISTS = ['announce@lists.example.org', 'discuss@lists.example.org'];

describe.each(testDialects())('a public security note through the web on %s', (dialect) => {
  let t: TestApp;
  let team: NotesTeam;
  const c: Record<string, TestClient> = {};
  let flagRef = '';

  beforeAll(async () => {
    t = await createTestApp(dialect, { announceLists: LISTS });
    team = await setUpNotesTeam(t);
    c.plain = await signedInClient(t, team.plain);
    c.author = await signedInClient(t, team.author);
    c.core1 = await signedInClient(t, team.core[0]!);
    c.core2 = await signedInClient(t, team.core[1]!);
    c.novaCore = await signedInClient(t, team.novaCore);
    c.glanceCore = await signedInClient(t, team.glanceCore);
  });
  afterAll(async () => t.close());

  const votes = async () => t.ctx.storage.db.selectFrom('note_votes').select(['voter_id', 'value', 'revision']).execute();
  const vote = (who: string, value: string, revision: string, comment = '') => c[who]!.post('/notes/OSSN-0001/votes', { value, revision, comment });

  it('any signed-in user flags that a note is wanted; the flag waits in the queue', async () => {
    const form = await c.plain!.get('/notes/flag');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Concerned projects');
    const bad = await c.plain!.post('/notes/flag', { title: '', reason: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(unescapeHtml(bad.body)).toContain('Name the project(s) the note concerns.');
    const res = await c.plain!.post('/notes/flag', { title: 'Metadata proxy without a shared secret', reason: 'Deployments skip the secret.', projects: ['nova'] });
    expect(res.statusCode).toBe(303);
    flagRef = /\/notes\/flags\/(N-[A-Z2-9]{8})$/.exec(String(res.headers.location))?.[1] ?? '';
    expect(flagRef).not.toBe('');
    const queue = await c.author!.get('/notes/queue');
    expect(queue.body).toContain('Metadata proxy without a shared secret');
    expect(queue.body).toContain('not claimed yet');
    expect((await new TestClient(t).get('/notes/queue')).statusCode).toBe(303);
  });

  it('an author claims it: OSSN-0001 is allocated with a first revision from the template', async () => {
    const res = await c.author!.post(`/notes/flags/${flagRef}/claim`, {});
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/notes/OSSN-0001/edit');
    const again = await followFlash(c.plain!, await c.plain!.post(`/notes/flags/${flagRef}/claim`, {}));
    expect(again?.message).toBe('This flag was claimed already: it is OSSN-0001.');
    const edit = await c.author!.get('/notes/OSSN-0001/edit');
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain('This OSSN : http://cordon.test/notes/OSSN-0001');
    // Someone else may read the draft but not change it.
    expect((await c.plain!.get('/notes/OSSN-0001')).statusCode).toBe(200);
    expect((await c.plain!.get('/notes/OSSN-0001/edit')).statusCode).toBe(403);
    // Drafts are not public.
    expect((await new TestClient(t).get('/notes/OSSN-0001')).statusCode).toBe(404);
  });

  it('each save is a new revision, with a per-section diff; an incomplete note cannot be submitted', async () => {
    const early = await followFlash(c.author!, await c.author!.post('/notes/OSSN-0001/submit', {}));
    expect(early?.kind).toBe('error');
    expect(early?.message).toContain('the Summary section is required');
    const n = completeNote(1);
    const form = { base_revision: '1', title: n.title, summary: n.summary, affected: n.affected, discussion: n.discussion, recommended_actions: n.recommendedActions, credits: n.credits, contacts: n.contacts, message: 'first full draft' };
    const saved = await c.author!.post('/notes/OSSN-0001/edit', form);
    expect((await followFlash(c.author!, saved))?.message).toBe('Saved as revision 2.');
    const twoSentences = await c.author!.post('/notes/OSSN-0001/edit', { ...form, base_revision: '2', title: 'Two sentences. Not one.' });
    expect(twoSentences.statusCode).toBe(400);
    expect(twoSentences.body).toContain('must be one sentence');
    const stale = await c.author!.post('/notes/OSSN-0001/edit', { ...form, base_revision: '1', summary: 'changed' });
    expect(stale.statusCode).toBe(409);
    expect(unescapeHtml(stale.body)).toContain('Revision 2 was saved after the one you edited (1)');
    const history = await c.plain!.get('/notes/OSSN-0001/revisions?from=1&to=2');
    expect(history.statusCode).toBe(200);
    expect(history.body).toContain('Summary <span class="muted">(added)</span>');
    expect(history.body).toContain('<span class="diff-add">+ - nova: &lt;25.1.2, &gt;=26.0.0 &lt;26.1.2\n</span>');
    const submitted = await followFlash(c.author!, await c.author!.post('/notes/OSSN-0001/submit', {}));
    expect(submitted?.message).toContain('Submitted for review');
  });

  it('bad votes are refused with the rule’s words, and nothing changes', async () => {
    const cases: [string, string, string, string, string][] = [
      ['plain', '1', '2', '', 'Only security core members and core reviewers of nova may vote on this note.'],
      ['author', '1', '2', '', 'You wrote this note, so your own +1 or +2 cannot approve it.'],
      ['novaCore', '2', '2', '', '+2 and −2 are reserved for security core'],
      ['glanceCore', '1', '2', '', 'Only security core members and core reviewers of nova may vote on this note.'],
      ['core1', '2', '1', '', 'This vote is on revision 1, but the note has changed since: it is at revision 2.'],
      ['core1', '-1', '2', '', 'a negative vote needs a comment'],
      ['core1', '3', '2', '', 'must be one of +2, +1, 0, −1 or −2'],
    ];
    for (const [who, value, revision, comment, message] of cases) {
      const flash = await followFlash(c[who]!, await vote(who, value, revision, comment));
      expect(flash?.kind, `${who} ${value}`).toBe('error');
      expect(flash?.message, `${who} ${value}`).toContain(message);
    }
    expect(await votes()).toEqual([]);
  });

  it('the page says what is still missing until two security-core +2 and a nova +1 are in', async () => {
    const missing = async () => unescapeHtml((await c.author!.get('/notes/OSSN-0001')).body);
    expect(await missing()).toContain('needs 2 more +2 votes from security core');
    await vote('core1', '2', '2');
    let page = await missing();
    expect(page).toContain('needs 1 more +2 from security core');
    expect(page).toContain('needs +1 from a core reviewer of nova');
    // Per missing part: who gives it, and whether this viewer can (issue 15 item 5).
    expect(page).toContain('Who approves: Security core members other than the author; the rule asks for two different people.');
    expect(page).toContain('You cannot: this needs someone other than you, because you wrote this note.');
    const as = async (who: string) => unescapeHtml((await c[who]!.get('/notes/OSSN-0001')).body);
    expect(await as('core1')).toContain('You cannot: this needs someone other than you, because your +2 already counts as one of the two.');
    expect(await as('core2')).toContain('You can: you are in security core: vote +2 below.');
    expect(await as('novaCore')).toContain('You can: you review nova: vote +1 below.');
    expect(await as('glanceCore')).toContain('You cannot: you are not a core reviewer of nova.');
    const early = await followFlash(c.author!, await c.author!.post('/notes/OSSN-0001/publish', { confirm: 'yes', reason: 'Approved by the review rule.' }, '/notes/OSSN-0001/publish'));
    expect(early?.kind).toBe('error');
    expect(early?.message).toContain('The note is not approved yet: it needs 1 more +2 from security core; needs +1 from a core reviewer of nova.');
    await vote('core2', '2', '2');
    await vote('novaCore', '1', '2', 'Nova agrees.');
    page = await missing();
    expect(page).toContain('Every part of the rule is met.');
    // A −2 blocks, whatever else is there; a later vote by the same person replaces it.
    expect((await followFlash(c.core1!, await vote('core1', '-2', '2', 'Wrong default named.')))?.kind).toBe('success');
    expect(await missing()).toContain(`blocked by −2 from ${team.core[0]!.user.display_name}`);
    await vote('core1', '2', '2', 'Fixed in my reading.');
    expect(await missing()).toContain('Every part of the rule is met.');
  });

  it('a new revision resets the votes', async () => {
    const n = completeNote(2, { discussion: 'The metadata proxy trusts the X-Instance-ID header.' });
    const form = { base_revision: '2', title: n.title, summary: n.summary, affected: n.affected, discussion: n.discussion, recommended_actions: n.recommendedActions, credits: n.credits, contacts: n.contacts };
    expect((await followFlash(c.author!, await c.author!.post('/notes/OSSN-0001/edit', form)))?.message).toBe('Saved as revision 3. Reviewers vote again on this revision.');
    const page = unescapeHtml((await c.author!.get('/notes/OSSN-0001')).body);
    expect(page).toContain('needs 2 more +2 votes from security core');
    expect(page).toContain('vote(s) on earlier revisions (no longer counted)');
    for (const [who, value] of [['core1', '2'], ['core2', '2'], ['novaCore', '1']] as const) await vote(who, value, '3');
  });

  it('publishing: the public page, index, plain text, feed and the announcement to every list', async () => {
    // Irreversible (issue 13 item 11): without confirmation and a reason, neither the form nor the API publishes.
    const unconfirmed = await c.author!.post('/notes/OSSN-0001/publish', {}, '/notes/OSSN-0001/publish');
    expect(unconfirmed.statusCode).toBe(400);
    expect(unescapeHtml(unconfirmed.body)).toContain('tick the box to confirm it');
    const api = await c.author!.json('POST', '/api/v1/notes/OSSN-0001/publish', { reason: 'Approved.' });
    expect(api.statusCode).toBe(400);
    expect((JSON.parse(api.body) as { error: { fields: { field: string }[] } }).error.fields.map((f) => f.field)).toEqual(['confirm']);
    expect((await loadNote(t.ctx.storage.db, { publicId: 'OSSN-0001' }))!.row.state).toBe('in_review');
    const published = await followFlash(c.author!, await c.author!.post('/notes/OSSN-0001/publish', { confirm: 'yes', reason: 'Approved by the review rule.' }, '/notes/OSSN-0001/publish'));
    expect(published?.message).toBe('Published. The announcement goes to 2 list(s).');
    const anon = new TestClient(t);
    const page = await anon.get('/notes/OSSN-0001');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Nova metadata API exposes instance user data to other tenants');
    expect(page.body).toContain('<h2>Recommended Actions</h2>');
    expect(page.body).not.toContain('vote-form');
    expect((await anon.get('/notes')).body).toContain('href="/notes/OSSN-0001"');
    const note = await loadNote(t.ctx.storage.db, { publicId: 'OSSN-0001' });
    const record = await publishedRecord(t.ctx.storage.db, note!.row);
    const text = await anon.get('/notes/OSSN-0001.txt');
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.body).toBe(renderOssnText(record!));
    expect(text.body.startsWith('Nova metadata API exposes instance user data to other tenants\n---\n\n### Summary ###\n')).toBe(true);
    const feed = await anon.get('/feeds/notes.atom');
    expect(feed.headers['content-type']).toContain('application/atom+xml');
    expect(feed.body).toContain('<id>http://cordon.test/notes/OSSN-0001</id>');
    expect(feed.body).toContain('OSSN-0001: Nova metadata API exposes instance user data to other tenants');
    const mails = await queuedMails(t, /^\[OSSN-0001\]/);
    expect(mails.map((m) => m.to[0]).sort()).toEqual(LISTS);
    expect(mails[0]?.subject).toBe('[OSSN-0001] Nova metadata API exposes instance user data to other tenants');
    expect(mails[0]?.text).toBe(text.body);
    // Published is final for this workflow: no more votes or edits.
    expect((await followFlash(c.core1!, await vote('core1', '2', '3')))?.message).toContain('The note is published; review is over.');
  });

  it('operators send feedback; the author answers and publishes the answer with the note', async () => {
    const sent = await followFlash(c.plain!, await c.plain!.post('/notes/OSSN-0001/feedback', { body: 'Does this affect cells v2 deployments? FEEDBACK-MARKER-3j' }));
    expect(sent?.message).toContain('your feedback went to the note’s authors');
    expect((await c.plain!.get('/notes/OSSN-0001')).body).toContain('FEEDBACK-MARKER-3j');
    expect((await c.glanceCore!.get('/notes/OSSN-0001')).body).not.toContain('FEEDBACK-MARKER-3j');
    expect((await new TestClient(t).get('/notes/OSSN-0001')).body).not.toContain('FEEDBACK-MARKER-3j');
    const authorPage = await c.author!.get('/notes/OSSN-0001');
    expect(authorPage.body).toContain('FEEDBACK-MARKER-3j');
    const id = /name="feedback" value="(\d+)"/.exec(authorPage.body)?.[1] ?? '';
    expect((await followFlash(c.glanceCore!, await c.glanceCore!.post('/notes/OSSN-0001/feedback/answer', { feedback: id, answer: 'x', publish: 'on' })))?.kind).toBe('error');
    const answered = await followFlash(c.author!, await c.author!.post('/notes/OSSN-0001/feedback/answer', { feedback: id, answer: 'Yes: every cell runs the proxy. ANSWER-MARKER-9q', publish: 'on' }));
    expect(answered?.message).toBe('Answer saved and published with the note.');
    const publicPage = await new TestClient(t).get('/notes/OSSN-0001');
    expect(publicPage.body).toContain('ANSWER-MARKER-9q');
    expect(publicPage.body).toContain('FEEDBACK-MARKER-3j');
    expect(publicPage.body).not.toContain(team.plain.user.display_name);
    const empty = await followFlash(c.plain!, await c.plain!.post('/notes/OSSN-0001/feedback', { body: '   ' }));
    expect(empty?.message).toBe('Write your feedback.');
  });

  it('the JSON API shows the published note to anyone and refuses votes the rule forbids', async () => {
    const res = await new TestClient(t).get('/api/v1/notes/OSSN-0001', 'application/json');
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body) as { id: string; state: string; sections: { heading: string }[]; review?: unknown };
    expect(body.id).toBe('OSSN-0001');
    expect(body.state).toBe('published');
    expect(body.sections.map((s) => s.heading)).toEqual(['Summary', 'Affected Services / Software', 'Discussion', 'Recommended Actions', 'Credits', 'Contacts / References']);
    expect(body.review).toBeUndefined();
    expect(JSON.parse((await new TestClient(t).get('/api/v1/notes', 'application/json')).body)).toMatchObject({ notes: [{ id: 'OSSN-0001' }] });
    expect((await new TestClient(t).get('/api/v1/notes/OSSN-9999', 'application/json')).statusCode).toBe(404);
  });
});
