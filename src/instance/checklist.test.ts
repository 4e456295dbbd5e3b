// The first-run checklist (issue 15) walked through the HTTP stack from the setup link: the first admin
// lands on it after enrolling 2FA, each step turns done from the data (settings, a sent test mail, a team
// key, a project with branches and repositories, an invitation), dismissal is stored and audited, and an
// invitation gives one person several hats (VMT, a project's lead and coresec) at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSetupLink } from '../accounts/invites.js';
import { currentTotp } from '../accounts/totp.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { Worker } from '../jobs/worker.js';
import { generateAndStoreTeamKey } from '../keys/team-keys.js';
import { createTestApp, makeUser, signedInClient, TEST_PASSWORD, TestClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';

describe.each(testDialects())('the first-run checklist on %s', (dialect) => {
  let t: TestApp;
  let admin: TestClient;

  const drainMail = () => new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx) }).drain();
  const steps = async () => (await admin.json('GET', '/api/v1/instance/setup')).json<{ complete: boolean; dismissed: boolean; steps: { id: string; state: string }[] }>();
  const stateOf = async () => Object.fromEntries((await steps()).steps.map((s) => [s.id, s.state]));
  const auditCount = async (action: string) =>
    Number((await t.ctx.storage.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', action).executeTakeFirstOrThrow()).n);

  async function acceptLink(path: string, username: string, email: string): Promise<TestClient> {
    const c = new TestClient(t);
    const res = await c.post(path, { username, email, display_name: `The ${username}`, password: TEST_PASSWORD }, path);
    expect(res.statusCode).toBe(303);
    return c;
  }

  beforeAll(async () => {
    t = await createTestApp(dialect, { pgpPassphrase: 'checklist test passphrase' });
  });
  afterAll(async () => t.close());

  it('lands the first admin on the checklist after 2FA enrolment, with every step to do', async () => {
    const link = await ensureSetupLink(t.system);
    const path = new URL(link!).pathname;
    admin = new TestClient(t);
    const created = await admin.post(path, { username: 'root', email: 'root@widget.example', display_name: 'Root', password: TEST_PASSWORD }, path);
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe('/account/security');
    await admin.post('/account/totp/start', {}, '/account/security');
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec((await admin.get('/account/security')).body)![1]!;
    const confirmed = await admin.post('/account/totp/confirm', { code: currentTotp(secret, t.clock.now()) }, '/account/security');
    expect(confirmed.statusCode).toBe(303);
    const codes = await admin.get(confirmed.headers.location as string);
    expect(codes.statusCode).toBe(200);
    expect(codes.body).toContain('href="/admin/setup"');
    expect(codes.body).toContain('continue to the first-run checklist');
    const page = await admin.get('/admin/setup');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('0 of 6 steps done');
    expect(page.body).toContain('PGP_PASSPHRASE, set');
    expect(page.body).toContain('href="/admin/keys"');
    expect(await stateOf()).toEqual({ identity: 'todo', mail: 'todo', team_key: 'todo', project: 'todo', publication: 'todo', people: 'todo' });
    expect((await admin.get('/admin')).body).toContain('Finish setting up');
  });

  it('dismissal hides the card on admin pages, is stored and audited, and can be undone', async () => {
    const res = await admin.post('/admin/setup/dismiss', { dismissed: 'true' }, '/admin/setup');
    expect(res.statusCode).toBe(303);
    expect((await steps()).dismissed).toBe(true);
    expect((await admin.get('/admin')).body).not.toContain('Finish setting up');
    expect(await auditCount('instance.checklist_dismissed')).toBe(1);
    await admin.post('/admin/setup/dismiss', { dismissed: 'false' }, '/admin/setup');
    expect((await admin.get('/admin')).body).toContain('Finish setting up');
    expect(await auditCount('instance.checklist_restored')).toBe(1);
  });

  it('turns each step done from the data, and is complete once the team key exists', async () => {
    await admin.post('/admin/settings', { instance_name: 'Widget Security', public_url: 'https://security.widget.example/' }, '/admin/settings');
    expect(t.ctx.config.publicUrl).toBe('https://security.widget.example');
    expect((await stateOf()).identity).toBe('done');

    await admin.post('/admin/settings', { team_email: 'security@widget.example', mail_from: 'Widget Security <security@widget.example>' }, '/admin/settings');
    expect((await stateOf()).mail).toBe('todo'); // addresses set, no test mail yet
    await admin.post('/admin/settings/test-mail', { to: 'root@widget.example' }, '/admin/settings');
    await drainMail();
    expect((await stateOf()).mail).toBe('done');

    const created = await admin.post('/admin/projects', { name: 'Widget', slug: 'widget', vmt_oversees: 'on', branches: '', repositories: '' }, '/admin/projects/new');
    expect(created.statusCode).toBe(303);
    expect((await stateOf()).project).toBe('todo');
    expect((await admin.get('/admin/setup')).body).toContain('href="/admin/projects/widget"');
    await admin.post('/admin/projects/widget', { name: 'Widget', slug: 'widget', vmt_oversees: 'on', branches: 'main\nstable/1.0', repositories: 'widget https://git.widget.example/widget.git' }, '/admin/projects/widget');
    expect((await stateOf()).project).toBe('done');

    expect((await stateOf()).people).toBe('todo');
    await admin.post('/admin/invites', { invite_email: 'vera@widget.example', invite_roles: ['vmt'] }, '/admin/users');
    expect((await stateOf()).people).toBe('done');

    expect((await stateOf()).publication).toBe('todo');
    expect((await admin.get('/admin/setup')).body).toContain('href="/admin/publication"');
    await admin.post('/admin/publication', { vendor_name: 'Widget', publisher_name: '', feed_rights: '', cna_choice: 'none', cna_org_id: '', cna_short_name: '', osv_id_prefix: 'x_' }, '/admin/publication');
    expect((await stateOf()).publication).toBe('done');

    expect((await steps()).complete).toBe(false);
    await generateAndStoreTeamKey(t.system, {});
    expect(await stateOf()).toEqual({ identity: 'done', mail: 'done', team_key: 'done', project: 'done', publication: 'done', people: 'done' });
    expect((await steps()).complete).toBe(true);
    expect((await admin.get('/admin')).body).not.toContain('Finish setting up');
    expect((await admin.get('/admin/setup')).body).toContain('Everything the core flow needs is in place.');
  });

  it('invites one person as VMT, the project’s lead and its coresec at once, and says which rules need someone else', async () => {
    const invites = async () => (await t.ctx.storage.db.selectFrom('invites').select('id').where('purpose', '=', 'invite').execute()).length;
    const before = await invites();
    const bad = await admin.post('/admin/invites', { invite_email: 'hats@widget.example', invite_roles: ['vmt'], invite_project_roles: ['nope:lead'] }, '/admin/users');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is no project nope.');
    expect(await invites()).toBe(before);

    const form = await admin.get('/admin/users');
    expect(form.body).toContain('value="widget:lead"');
    expect(form.body).toContain('publishing needs a second VMT member (now 0)');
    const sent = await admin.post('/admin/invites', { invite_email: 'hats@widget.example', invite_roles: ['vmt', 'security_core'], invite_project_roles: ['widget:lead', 'widget:coresec'] }, '/admin/users');
    expect(sent.statusCode).toBe(303);
    const job = await t.ctx.storage.db.selectFrom('jobs').select('payload').where('payload', 'like', '%hats@widget.example%').executeTakeFirstOrThrow();
    const path = /https:\/\/security\.widget\.example(\/invite\/[A-Za-z0-9_-]+)/.exec(job.payload)![1]!;
    await acceptLink(path, 'hats', 'hats@widget.example');
    const user = await t.ctx.storage.db.selectFrom('users').select('id').where('username', '=', 'hats').executeTakeFirstOrThrow();
    const roles = await t.ctx.storage.db.selectFrom('user_roles').select('role').where('user_id', '=', user.id).orderBy('role').execute();
    expect(roles.map((r) => r.role)).toEqual(['security_core', 'vmt']);
    const hats = await t.ctx.storage.db
      .selectFrom('project_members')
      .innerJoin('projects', 'projects.id', 'project_members.project_id')
      .select(['projects.slug', 'project_members.role'])
      .where('project_members.user_id', '=', user.id)
      .orderBy('project_members.role')
      .execute();
    expect(hats).toEqual([{ slug: 'widget', role: 'coresec' }, { slug: 'widget', role: 'lead' }]);
    expect(await auditCount('project.member_added')).toBe(2);
    const people = await admin.get('/admin/users');
    expect(people.body).toContain('publishing needs a second VMT member (now 1)');
    expect(people.body).toContain('two +2 votes from security core members other than its author');
  });
});

describe.each(testDialects())('the setup link without required 2FA on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { mfaRequiredRoles: new Set() });
  });
  afterAll(async () => t.close());

  it('lands the first admin straight on the checklist when MFA_REQUIRED_ROLES leaves admins out', async () => {
    const path = new URL((await ensureSetupLink(t.system))!).pathname;
    const c = new TestClient(t);
    const res = await c.post(path, { username: 'root', email: 'root@widget.example', display_name: 'Root', password: TEST_PASSWORD }, path);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/setup');
    expect((await c.get('/admin/setup')).statusCode).toBe(200);
  });
});

// The card on the VMT queue: the queue is a reports page, the checklist the instance domain's, handed to the
// queue's routes in composition (web/setup-notice.ts, http/routes-index.ts).
describe.each(testDialects())('the first-run card on the VMT queue on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.close());

  it('shows an admin who is VMT the card until it is dismissed, and a VMT member who is not an admin none', async () => {
    const both = await signedInClient(t, await makeUser(t, { username: 'ada', roles: ['admin', 'vmt'] }));
    const vmt = await signedInClient(t, await makeUser(t, { username: 'vera', roles: ['vmt'] }));
    const open = await both.get('/vmt');
    expect(open.statusCode).toBe(200);
    expect(open.body).toContain('Finish setting up');
    expect(open.body).toContain('href="/admin/setup"');
    expect((await vmt.get('/vmt')).body).not.toContain('Finish setting up');
    expect((await both.post('/admin/setup/dismiss', { dismissed: 'true' }, '/admin/setup')).statusCode).toBe(303);
    const dismissed = await both.get('/vmt');
    expect(dismissed.statusCode).toBe(200);
    expect(dismissed.body).not.toContain('Finish setting up');
  });
});
