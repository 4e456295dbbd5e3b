// The reporter's private link on both databases: status and embargo, the everyone-visible conversation and
// files (never VMT-only ones), comments, files and credit from the reporter, claiming with an account,
// 404 for every wrong link, and safe attachment downloads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../context.js';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { acknowledge, setClass, setState } from './triage.js';
import { addAttachments, addComment } from './collaboration.js';
import { makePublic } from './embargo/decisions.js';
import { postMultipart, setUpIntake, storedCounts } from './testing/intake.js';

async function fileReport(t: TestApp, title: string): Promise<{ ref: string; token: string; id: number }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    remoteAddress: `10.6.0.${Math.floor(Math.random() * 250)}`,
    payload: JSON.stringify({ title, description: `Description of ${title}`, projects: ['nova'], email: 'finder@example.net', credit_name: 'Ada Finder' }),
  });
  if (res.statusCode !== 201) throw new Error(`intake failed: ${res.body}`);
  const body = JSON.parse(res.body) as { ref: string; follow_url: string };
  const row = await t.ctx.storage.db.selectFrom('reports').select('id').where('ref', '=', body.ref).executeTakeFirstOrThrow();
  return { ref: body.ref, token: new URL(body.follow_url).pathname.slice(3), id: row.id };
}

const file = (filename: string, text: string) => ({ filename, contentType: 'text/plain', content: Buffer.from(text) });

describe.each(testDialects())('the reporter’s private link on %s', (dialect) => {
  let t: TestApp;
  let vmt: Scope;
  let main: { ref: string; token: string; id: number };
  let other: { ref: string; token: string; id: number };
  let ids: { everyone: number; vmtOnly: number; html: number; otherFile: number };

  beforeAll(async () => {
    t = await createTestApp(dialect, { maxAttachmentBytes: 4096, maxAttachments: 3 });
    vmt = (await setUpIntake(t)).vmtScope;
    main = await fileReport(t, 'Heap overflow in the metadata API');
    other = await fileReport(t, 'Another report OTHER-REPORT-MARKER');
    await acknowledge(vmt, main.ref);
    await addComment(vmt, main.ref, { body: 'Thanks, **confirmed** on master. EVERYONE-MARKER', visibility: 'everyone' });
    await addComment(vmt, main.ref, { body: 'Internal: severity high. VMT-ONLY-MARKER', visibility: 'vmt' });
    await setClass(vmt, main.ref, 'A');
    await addAttachments(vmt, main.ref, [file('internal-notes.txt', 'secret notes')], 'vmt');
    await addAttachments(vmt, main.ref, [file('fix.patch', 'diff --git a/x b/x\n')], 'everyone');
    await addAttachments(vmt, main.ref, [file('page.html', '<script>alert(1)</script>')], 'everyone');
    await addAttachments(vmt, other.ref, [file('other.txt', 'other')], 'everyone');
    const byName = async (report: number, name: string) =>
      (await t.ctx.storage.db.selectFrom('report_attachments').select('id').where('report_id', '=', report).where('filename', '=', name).executeTakeFirstOrThrow()).id;
    ids = {
      everyone: await byName(main.id, 'fix.patch'),
      vmtOnly: await byName(main.id, 'internal-notes.txt'),
      html: await byName(main.id, 'page.html'),
      otherFile: await byName(other.id, 'other.txt'),
    };
  });
  afterAll(async () => t.close());

  it('shows status, embargo end with days left, the everyone-visible comments, files and history — and nothing VMT-only', async () => {
    const res = await new TestClient(t).get(`/r/${main.token}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-robots-tag']).toBe('noindex, nofollow');
    const body = res.body;
    expect(body).toContain('Heap overflow in the metadata API');
    expect(body).toContain(main.ref);
    // Progress: received and acknowledged are done, triage is next, the embargo end is the step after.
    expect(body).toMatch(/<li class="done"><span class="step-label">Acknowledged<\/span>/);
    expect(body).toMatch(/<li class="current" aria-current="step"><span class="step-label">Triaged<\/span>/);
    expect(body).toContain('Embargo ends on <time datetime="2026-04-06T10:00:00.000Z" title="2026-04-06 10:00 UTC">2026-04-06</time>');
    // Received 2026-01-06 10:00 UTC + 90 days; anonymous viewers get UTC in a <time> (app.js adds local time on hover).
    expect(body).toContain('<p class="embargo-end">90 days left</p><p>Ends <time datetime="2026-04-06T10:00:00.000Z">2026-04-06 10:00 UTC</time></p>');
    expect(body).toContain('The vulnerability management team acknowledged your report on');
    expect(body).toContain('EVERYONE-MARKER');
    expect(body).toContain('<strong>confirmed</strong>');
    expect(body).toContain('fix.patch');
    expect(body).toContain('Acknowledged by the vulnerability management team.');
    expect(body).not.toContain('VMT-ONLY-MARKER');
    expect(body).not.toContain('internal-notes.txt');
    expect(body).not.toContain('Classified');
    expect(body).not.toContain('OTHER-REPORT-MARKER');
    expect(body).toContain(`/login?next=${encodeURIComponent(`/r/${main.token}`)}`);
  });

  it('shows the embargo end in a signed-in viewer’s own time zone too', async () => {
    const u = await makeUser(t, { totp: false });
    await t.ctx.storage.db.updateTable('users').set({ time_zone: 'Europe/Berlin' }).where('id', '=', u.user.id).execute();
    const res = await (await signedInClient(t, u)).get(`/r/${main.token}`);
    // One format inside the <time>; the viewer's own zone beside it.
    expect(res.body).toContain('<time datetime="2026-04-06T10:00:00.000Z">2026-04-06 10:00 UTC</time><span class="local"> (12:00 Europe/Berlin)</span>');
    expect(res.body).toContain('Link this report to my account');
  });

  it('lets the reporter comment through the link (refusing an empty comment, keeping nothing)', async () => {
    const c = new TestClient(t);
    const empty = await c.post(`/r/${main.token}/comments`, { body: '   ' }, `/r/${main.token}`);
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Write a comment first.');
    const before = await t.ctx.storage.db.selectFrom('report_comments').select('id').where('report_id', '=', main.id).execute();
    const res = await c.post(`/r/${main.token}/comments`, { body: 'More detail: it also needs `admin`. REPORTER-MARKER' }, `/r/${main.token}`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/r/${main.token}#comments`);
    const rows = await t.ctx.storage.db.selectFrom('report_comments').selectAll().where('report_id', '=', main.id).orderBy('id').execute();
    expect(rows).toHaveLength(before.length + 1);
    expect(rows.at(-1)).toMatchObject({ visibility: 'everyone', author_id: null, author_label: 'reporter' });
    const page = await c.get(`/r/${main.token}`);
    expect(page.body).toContain('Your comment was added');
    expect(page.body).toContain('<code>admin</code>');
  });

  it('lets the reporter add files, refusing an oversized one (413) or none, storing nothing then', async () => {
    const c = new TestClient(t);
    const opts = { tokenFrom: `/r/${main.token}` };
    const before = await storedCounts(t);
    const big = await postMultipart(t, c, `/r/${main.token}/attachments`, [], [{ filename: 'huge.log', content: Buffer.alloc(5000, 1) }], opts);
    expect(big.statusCode).toBe(413);
    expect(big.body).toContain('huge.log is larger than 4 KiB');
    const none = await postMultipart(t, c, `/r/${main.token}/attachments`, [], [{ filename: '', content: Buffer.alloc(0) }], opts);
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Choose a file.');
    const noCsrf = await postMultipart(t, c, `/r/${main.token}/attachments`, [], [{ filename: 'a.txt', content: Buffer.from('a') }], { ...opts, csrf: null });
    expect(noCsrf.statusCode).toBe(403);
    expect(await storedCounts(t)).toEqual(before);
    const ok = await postMultipart(t, c, `/r/${main.token}/attachments`, [], [{ filename: 'trace.log', content: Buffer.from('trace') }], opts);
    expect(ok.statusCode).toBe(303);
    const row = await t.ctx.storage.db.selectFrom('report_attachments').selectAll().where('report_id', '=', main.id).where('filename', '=', 'trace.log').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ visibility: 'everyone', uploaded_label: 'reporter' });
  });

  it('lets the reporter change the credit choice, requiring a name unless anonymous', async () => {
    const c = new TestClient(t);
    const credit = async () => t.ctx.storage.db.selectFrom('reports').select(['credit_wanted', 'credit_name', 'credit_affiliation']).where('id', '=', main.id).executeTakeFirstOrThrow();
    const bad = await c.post(`/r/${main.token}/credit`, { credit_name: '', credit_affiliation: 'Labs' }, `/r/${main.token}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Give the name to credit, or choose to stay anonymous.');
    expect(bad.body).toContain('value="Labs"');
    expect(await credit()).toMatchObject({ credit_wanted: 1, credit_name: 'Ada Finder' });
    expect((await c.post(`/r/${main.token}/credit`, { credit_name: '', credit_affiliation: '', stay_anonymous: 'on' }, `/r/${main.token}`)).statusCode).toBe(303);
    expect(await credit()).toMatchObject({ credit_wanted: 0 });
    expect((await c.get(`/r/${main.token}`)).body).toContain('You chose to stay anonymous');
    expect((await c.post(`/r/${main.token}/credit`, { credit_name: 'Ada Finder', credit_affiliation: 'Example Labs' }, `/r/${main.token}`)).statusCode).toBe(303);
    expect(await credit()).toEqual({ credit_wanted: 1, credit_name: 'Ada Finder', credit_affiliation: 'Example Labs' });
  });

  it('checks each form of the link against its schema first: a field sent twice is refused on the page and changes nothing', async () => {
    const c = new TestClient(t);
    const before = await t.ctx.storage.db.selectFrom('reports').select(['credit_wanted', 'credit_name', 'credit_affiliation', 'updated_at']).where('id', '=', main.id).executeTakeFirstOrThrow();
    const twice = await c.post(`/r/${main.token}/credit`, { credit_name: ['Ada Finder', 'Mallory'], credit_affiliation: '' }, `/r/${main.token}`);
    expect(twice.statusCode).toBe(400);
    expect(twice.body).toContain('credit_name');
    expect(await t.ctx.storage.db.selectFrom('reports').select(['credit_wanted', 'credit_name', 'credit_affiliation', 'updated_at']).where('id', '=', main.id).executeTakeFirstOrThrow()).toEqual(before);
    // A wrong link still answers 404 whatever the body holds: the link is checked before the form.
    expect((await c.post('/r/not-a-real-token-at-all-000000/credit', { credit_name: ['a', 'b'] }, `/r/${main.token}`)).statusCode).toBe(404);
  });

  it('answers 404 for a wrong link, another report’s file, a VMT-only file, and any malformed id', async () => {
    const c = new TestClient(t);
    for (const url of [
      '/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '/r/short',
      `/r/${main.token}x`,
      `/r/${main.token}/attachments/${ids.otherFile}`,
      `/r/${main.token}/attachments/${ids.vmtOnly}`,
      `/r/${main.token}/attachments/0`,
      `/r/${main.token}/attachments/1e3`,
      `/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/attachments/${ids.everyone}`,
    ]) {
      const res = await c.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('secret notes');
    }
    // The other report's link shows that report only.
    const otherPage = await c.get(`/r/${other.token}`);
    expect(otherPage.statusCode).toBe(200);
    expect(otherPage.body).toContain('OTHER-REPORT-MARKER');
    expect(otherPage.body).not.toContain('EVERYONE-MARKER');
    expect(otherPage.body).not.toContain('Heap overflow');
    const wrongComment = await c.post('/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/comments', { body: 'hello' }, '/report');
    expect(wrongComment.statusCode).toBe(404);
  });

  it('downloads files the reporter may see as opaque attachments, never rendered', async () => {
    const c = new TestClient(t);
    const res = await c.get(`/r/${main.token}/attachments/${ids.everyone}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toBe('attachment; filename="fix.patch"');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.rawPayload.equals(Buffer.from('diff --git a/x b/x\n'))).toBe(true);
    const html = await c.get(`/r/${main.token}/attachments/${ids.html}`);
    expect(html.headers['content-type']).toBe('application/octet-stream');
    expect(html.headers['content-disposition']).toBe('attachment; filename="page.html"');
  });

  it('links the report to a signed-in account once; a second account is refused; anonymous callers must sign in', async () => {
    const anonymousClaim = await new TestClient(t).post(`/r/${other.token}/claim`, {}, `/r/${other.token}`);
    expect(anonymousClaim.statusCode).toBe(401);
    const owner = await makeUser(t, { totp: false });
    const c = await signedInClient(t, owner);
    const res = await c.post(`/r/${other.token}/claim`, {}, `/r/${other.token}`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/reports/${other.ref}`);
    const row = async () => t.ctx.storage.db.selectFrom('reports').select('reporter_user_id').where('id', '=', other.id).executeTakeFirstOrThrow();
    expect((await row()).reporter_user_id).toBe(owner.user.id);
    expect((await c.get(`/r/${other.token}`)).body).toContain('This report is linked to your account');
    const intruder = await signedInClient(t, await makeUser(t, { totp: false }));
    const second = await intruder.post(`/r/${other.token}/claim`, {}, `/r/${other.token}`);
    expect(second.statusCode).toBe(303);
    expect(second.headers.location).toBe(`/r/${other.token}`);
    expect((await intruder.get(`/r/${other.token}`)).body).toContain('already linked to another account');
    expect((await row()).reporter_user_id).toBe(owner.user.id);
  });

  it('shows a closed report plainly, with the reason, and a public one as public', async () => {
    const closed = await fileReport(t, 'Not really a bug');
    await setState(vmt, closed.ref, 'invalid', 'Works as designed: the option is admin-only.');
    const page = await new TestClient(t).get(`/r/${closed.token}`);
    expect(page.body).toContain('<strong>Closed: not a vulnerability.</strong>');
    expect(page.body).toContain('Reason: Works as designed: the option is admin-only.');
    expect(page.body).not.toContain('class="progress"');

    const opened = await fileReport(t, 'Already out there');
    await makePublic(vmt, opened.ref, 'Published by a third party.');
    const pub = await new TestClient(t).get(`/r/${opened.token}`);
    expect(pub.body).toContain('This report is public.');
    expect(pub.body).toMatch(/<li class="done"><span class="step-label">Public<\/span>/);
    expect(pub.body).not.toContain('Embargo ends on');
  });
});
