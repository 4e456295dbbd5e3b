// Irreversible steps on a report (issue 13 item 11): make public, end the embargo and disclose now each go
// through a confirmation page (plain HTML, no script) that asks for a reason; a POST without `confirm` and a
// reason is refused with a clear error and changes nothing. The reporter's files stay private unless picked.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { auditEvents, events, receive, reportRow, setUpTeam, snapshot, userScope } from './testing/deadline-fixtures.js';
import { receiveReport } from './intake.js';
import { subscribe } from './ladder.js';
import { insertScheduledPlan } from '../disclosure/testing/plans.js';
import { setProjectMember } from '../projects/projects.js';

describe.each(testDialects())('irreversible report steps on %s', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  async function world() {
    t = await createTestApp(dialect);
    const team = await setUpTeam(t);
    const vmt = await signedInClient(t, team.vmt[0]!);
    const { report } = await receiveReport(t.system, { title: 'Overflow', description: 'Details.', projects: ['nova'], email: 'finder@example.net' }, [{ filename: 'poc.py', contentType: 'text/plain', content: Buffer.from('poc-marker-6t2') }], 'web');
    const file = await t.ctx.storage.db.selectFrom('report_attachments').select('id').where('report_id', '=', report.id).executeTakeFirstOrThrow();
    return { team, vmt, report, fileId: file.id };
  }

  it('“Make public” is a link to a confirmation page; the POST needs confirm and a reason, else nothing changes', async () => {
    const { vmt, report, fileId } = await world();
    const page = await vmt.get(`/reports/${report.ref}`);
    expect(page.body).toContain(`href="/reports/${report.ref}/make-public"`);
    expect(page.body).not.toContain(`action="/reports/${report.ref}/make-public"`);
    const confirm = await vmt.get(`/reports/${report.ref}/make-public`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('This cannot be undone.');
    expect(confirm.body).toContain(`action="/reports/${report.ref}/make-public"`);
    // The reporter's file is offered, not ticked.
    expect(confirm.body).toMatch(new RegExp(`<input type="checkbox" id="pub-file-${fileId}" name="publish_files" value="${fileId}"\\s*/?>`));

    const before = await snapshot(t, report.id);
    const forms: Record<string, string>[] = [{}, { reason: 'Published upstream.' }, { confirm: 'yes' }, { confirm: 'yes', reason: '   ' }];
    // Checked by the route's schema before the step runs: a field sent twice is no single answer.
    const twice = await vmt.post(`/reports/${report.ref}/make-public`, { confirm: ['yes', 'yes'], reason: ['Published upstream.', 'Again.'] }, `/reports/${report.ref}/make-public`);
    expect(twice.statusCode).toBe(400);
    expect(twice.body).toContain('This cannot be undone.');
    expect(await snapshot(t, report.id)).toEqual(before);
    for (const form of forms) {
      const refused = await vmt.post(`/reports/${report.ref}/make-public`, form, `/reports/${report.ref}/make-public`);
      expect(refused.statusCode, JSON.stringify(form)).toBe(400);
      expect(refused.body).toContain('There ');
      if (!('confirm' in form)) expect(refused.body).toContain('tick the box to confirm it');
      if (!('reason' in form) || !form.reason?.trim()) expect(refused.body).toContain('Give the reason');
      expect(await snapshot(t, report.id)).toEqual(before);
    }

    const done = await vmt.post(`/reports/${report.ref}/make-public`, { confirm: 'yes', reason: 'Published upstream by a third party.' }, `/reports/${report.ref}/make-public`);
    expect(done.statusCode).toBe(303);
    expect((await reportRow(t, report.id)).visibility).toBe('public');
    expect((await events(t, report.id, 'made_public'))[0]!.data.reason).toBe('Published upstream by a third party.');
    expect((await auditEvents(t, report.id, 'report.made_public'))[0]!.after?.reason).toBe('Published upstream by a third party.');
    expect((await new TestClient(t).get(`/reports/${report.ref}`)).body).toContain('Report made public: Published upstream by a third party.');
    // Nobody picked the proof of concept: it stays with the people on the report.
    expect((await new TestClient(t).get(`/reports/${report.ref}/attachments/${fileId}`, 'application/octet-stream')).statusCode).toBe(404);
    expect((await vmt.get(`/reports/${report.ref}/attachments/${fileId}`, 'application/octet-stream')).body).toBe('poc-marker-6t2');
  });

  it('the coordinator can pick the files on the confirmation; only those become public', async () => {
    const { vmt, report, fileId } = await world();
    const res = await vmt.post(`/reports/${report.ref}/make-public`, { confirm: 'yes', reason: 'Coordinated disclosure.', publish_files: String(fileId) }, `/reports/${report.ref}/make-public`);
    expect(res.statusCode).toBe(303);
    expect((await new TestClient(t).get(`/reports/${report.ref}/attachments/${fileId}`, 'application/octet-stream')).body).toBe('poc-marker-6t2');
    // A file id of another report is refused and changes nothing.
    const other = await receive(t);
    const before = await snapshot(t, other.id);
    const refused = await vmt.post(`/reports/${other.ref}/make-public`, { confirm: 'yes', reason: 'x', publish_files: String(fileId) }, `/reports/${other.ref}/make-public`);
    expect(refused.statusCode).toBe(400);
    expect(await snapshot(t, other.id)).toEqual(before);
  });

  it('ending the embargo and disclosing now need the confirmation too; readers who may not act get 403, others 404', async () => {
    const { team, vmt, report } = await world();
    const before = await snapshot(t, report.id);
    // The old one-click forms (reason only) are refused.
    expect((await vmt.post(`/reports/${report.ref}/embargo/end`, { reason: 'Leaked.' }, `/reports/${report.ref}`)).statusCode).toBe(400);
    await insertScheduledPlan(t, report.id, new Date(t.clock.now().getTime() + 7 * 86_400_000).toISOString(), team.vmt[0]!.user.id);
    const planned = await snapshot(t, report.id);
    expect((await vmt.post(`/reports/${report.ref}/disclosure/now`, { reason: 'Leaked.' }, `/reports/${report.ref}/disclosure`)).statusCode).toBe(400);
    expect(await snapshot(t, report.id)).toEqual(planned);
    expect(planned.report).toEqual(before.report);
    const now = await vmt.get(`/reports/${report.ref}/disclosure/now`);
    expect(now.statusCode).toBe(200);
    expect(now.body).toContain('The approved advisory is published and announced');

    const coresec = await makeUser(t, { totp: false });
    await setProjectMember(t.system, 'nova', coresec.user.id, 'coresec', true);
    await subscribe(await userScope(t, team.vmt[0]!), report.ref, { username: coresec.user.username, level: 'coresec', reason: 'fix' });
    const reader = await signedInClient(t, coresec);
    const stranger = await signedInClient(t, await makeUser(t, { totp: false }));
    for (const url of ['make-public', 'embargo/end', 'disclosure/now', 'publish-files']) {
      expect((await reader.get(`/reports/${report.ref}/${url}`)).statusCode, url).toBe(403);
      expect((await stranger.get(`/reports/${report.ref}/${url}`)).statusCode, url).toBe(404);
      expect((await reader.post(`/reports/${report.ref}/${url}`, { confirm: 'yes', reason: 'x' }, `/reports/${report.ref}`)).statusCode, url).toBe(403);
    }
    expect((await reportRow(t, report.id)).visibility).toBe('private');

    const done = await vmt.post(`/reports/${report.ref}/disclosure/now`, { confirm: 'yes', reason: 'The fix was pushed to a public review.' }, `/reports/${report.ref}/disclosure/now`);
    expect(done.statusCode).toBe(303);
    expect((await events(t, report.id, 'embargo_ended_early'))[0]!.data.reason).toBe('The fix was pushed to a public review.');
  });
});
