// Failed mail where people look (issue 15): a pre-notice that a real SMTP relay on loopback refuses for good
// shows as "failed: <error>" on the disclosure page (not "queued"), on the report page and on the
// stakeholder organisation's page, escaped, for the VMT (admins see the stakeholder side without what the
// mail was about); Retry queues the same mail again (audited) and it goes out. Nobody else sees or retries
// it (the leak matrix over every route). Both databases, real git, gpg and SMTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TempGnupg } from '../pgp/testing/gnupg.js';
import type { PatchWorld } from '../patches/testing/world.js';
import { testDialects } from '../testing/databases.js';
import { makeUser, signedInClient, type TestClient } from '../testing/harness.js';
import { probeLeaks, type LeakRole } from '../testing/leak-matrix.js';
import type { CatalogueEntry } from '../http/route.js';
import { createFailedMailWorld, RELAY_MARKER, type FailedMailWorld } from './testing/failed-mail.js';
import { gpgVerifyPgpMime } from './testing/mail.js';

const MARKER = RELAY_MARKER;

describe.each(testDialects())('failed mail on the report, disclosure and stakeholder pages on %s', (dialect) => {
  let f: FailedMailWorld;
  let w: PatchWorld;
  let gpg: TempGnupg;
  let drain: () => Promise<number>;
  let receivedFor: (address: string) => string[];
  let admin: TestClient;
  let orgId: number;
  let jobId = 0;

  beforeAll(async () => {
    f = await createFailedMailWorld(dialect);
    ({ w, gpg, orgId } = f);
    receivedFor = (address) => f.receivedFor(address);
    drain = () => f.drain();
    admin = await signedInClient(w.t, await makeUser(w.t, { username: 'admin', roles: ['admin'] }));
  }, 90_000);
  afterAll(async () => f?.close());

  it('refuses the pre-notice while the From or team address is a placeholder, saying so before and after; nothing is queued', async () => {
    const saved = { teamEmail: w.t.ctx.config.teamEmail, mailFrom: w.t.ctx.config.mailFrom };
    Object.assign(w.t.ctx.config, { teamEmail: 'security@localhost', mailFrom: 'Cordon <security@localhost>' });
    try {
      const mailJobs = async () => (await w.t.ctx.storage.db.selectFrom('jobs').select('id').where('kind', '=', 'mail.send').execute()).length;
      const before = await mailJobs();
      const page = await w.clients.vmt!.get(`/reports/${w.ref}/disclosure`);
      expect(page.body).toMatch(/<li class="todo"><span class="mark" aria-hidden="true">•<\/span> <strong>Stakeholders can reply to the From and team addresses<\/strong>/);
      expect(page.body).toContain('The From address security@localhost is a placeholder');
      const res = await w.clients.vmt!.post(`/reports/${w.ref}/disclosure/prenotice`, { at: '', reason: '' }, `/reports/${w.ref}/disclosure`);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('set MAIL_FROM to the team');
      expect(res.body).toContain('set TEAM_EMAIL');
      expect(await mailJobs()).toBe(before);
      expect(await w.t.ctx.storage.db.selectFrom('disclosure_plans').select('id').execute()).toEqual([]);
    } finally {
      Object.assign(w.t.ctx.config, saved);
    }
    expect((await w.clients.vmt!.get(`/reports/${w.ref}/disclosure`)).body).toContain('Stakeholders can reply to the From and team addresses</strong><div class="muted">From Example VMT');
  });

  it('a pre-notice the relay refuses for good shows as failed with the error on the disclosure page, not as queued', async () => {
    const sent = await w.clients.vmt!.post(`/reports/${w.ref}/disclosure/prenotice`, { at: '', reason: '' }, `/reports/${w.ref}/disclosure`);
    expect(sent.statusCode, sent.body.slice(0, 2000)).toBe(303);
    await drain();
    const job = await w.t.ctx.storage.db.selectFrom('mail_deliveries').innerJoin('jobs', 'jobs.id', 'mail_deliveries.job_id').select(['jobs.id', 'jobs.status']).where('mail_deliveries.recipient', '=', 'gone@example.net').executeTakeFirstOrThrow();
    expect(job.status).toBe('dead');
    jobId = job.id;
    // A worker that died on the last attempt leaves the delivery row saying "queued": the dead job still wins.
    await w.t.ctx.storage.db.updateTable('mail_deliveries').set({ status: 'queued' }).where('job_id', '=', jobId).execute();

    const page = await w.clients.vmt!.get(`/reports/${w.ref}/disclosure`);
    expect(page.statusCode).toBe(200);
    const row = /<tr><td data-label="Organisation">Distro<\/td><td data-label="Recipient">Gone list &lt;gone@example\.net&gt;<\/td>.*?<\/tr>/s.exec(page.body)?.[0] ?? '';
    expect(row).toContain('badge danger">failed<');
    expect(row).not.toContain('>queued<');
    expect(row).toContain(`&lt;b&gt;${MARKER}&lt;/b&gt;`);
    expect(row).toContain(`action="/mail/failed/${jobId}/retry"`);
    expect(page.body).not.toContain(`<b>${MARKER}</b>`);
    const dana = /<tr><td data-label="Organisation">Distro<\/td><td data-label="Recipient">Dana &lt;dana@example\.net&gt;<\/td>.*?<\/tr>/s.exec(page.body)?.[0] ?? '';
    expect(dana).toContain('>sent<');
    expect(receivedFor('dana@example.net')).toHaveLength(1);
    expect(receivedFor('gone@example.net')).toHaveLength(0);
    expect(gpgVerifyPgpMime(gpg, receivedFor('dana@example.net')[0]!).status).toBe(0);
  });

  it('shows on the report page to the VMT only, and on the stakeholder page (what it was about to the VMT only)', async () => {
    const vmtView = await w.clients.vmt!.get(`/reports/${w.ref}`);
    expect(vmtView.body).toContain('id="mail-problems-heading"');
    expect(vmtView.body).toContain('gone@example.net');
    expect(vmtView.body).toContain(`&lt;b&gt;${MARKER}&lt;/b&gt;`);
    expect(vmtView.body).toContain('1 failed');
    for (const who of ['reporter', 'developer', 'stakeholder'] as const) {
      const view = await w.clients[who]!.get(`/reports/${w.ref}`);
      expect(view.statusCode, who).toBe(200);
      expect(view.body, who).not.toContain(MARKER);
      expect(view.body, who).not.toContain('mail-problems-heading');
    }
    const vmtOrg = await w.clients.vmt!.get(`/admin/stakeholders/${orgId}`);
    expect(vmtOrg.body).toContain(MARKER);
    expect(vmtOrg.body).toContain('[pre-OSSA] Vulnerability in Nova');
    const adminOrg = await admin.get(`/admin/stakeholders/${orgId}`);
    expect(adminOrg.body).toContain(MARKER);
    expect(adminOrg.body).toContain(`action="/mail/failed/${jobId}/retry"`);
    // An admin is not the VMT (DESIGN.md §1): the failure, not which embargoed report it was about.
    expect(adminOrg.body).not.toContain('[pre-OSSA]');
  });

  it('only the VMT and admins see or retry it; every other role gets a 404 on every route', async () => {
    const roles: LeakRole[] = [
      { name: 'anonymous', client: null },
      ...(['reporter', 'developer', 'coresec', 'stakeholder', 'unrelated'] as const).map((name) => ({ name, client: w.clients[name]! })),
      { name: 'vmt', client: w.clients.vmt! },
      { name: 'admin', client: admin },
    ];
    const permissionRoute = (r: CatalogueEntry) => typeof r.audience === 'string' && r.audience !== 'public' && r.audience !== 'user';
    const violations = await probeLeaks(w.t, roles, {
      kind: 'job',
      paramValue: String(jobId),
      marker: MARKER,
      allowed: (role, route) => role === 'vmt' || (role === 'admin' && permissionRoute(route)),
      mustShow: () => false,
    });
    expect(violations).toEqual([]);
    expect((await w.t.ctx.storage.db.selectFrom('jobs').select('status').where('id', '=', jobId).executeTakeFirstOrThrow()).status).toBe('dead');
  }, 120_000);

  it('Retry queues the same mail again (audited); once the relay takes it, the recipient shows as sent', async () => {
    f.refusing.clear();
    const before = await w.t.ctx.storage.db.selectFrom('jobs').select('payload').where('id', '=', jobId).executeTakeFirstOrThrow();
    const res = await w.clients.vmt!.post(`/mail/failed/${jobId}/retry`, { back: `/reports/${w.ref}/disclosure` }, `/reports/${w.ref}/disclosure`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/reports/${w.ref}/disclosure`);
    const audit = await w.t.ctx.storage.db.selectFrom('audit_events').select(['action', 'before_json']).where('action', '=', 'mail.retried').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.before_json).toContain(MARKER);
    // A second press finds nothing left to retry.
    expect((await w.clients.vmt!.post(`/mail/failed/${jobId}/retry`, { back: '/' }, `/reports/${w.ref}/disclosure`)).statusCode).toBe(404);
    await drain();
    const after = await w.t.ctx.storage.db.selectFrom('jobs').select(['status', 'payload']).where('id', '=', jobId).executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'done', payload: before.payload });
    const [mail] = receivedFor('gone@example.net');
    expect(receivedFor('gone@example.net')).toHaveLength(1);
    expect(mail).toContain('Subject: [pre-OSSA] Vulnerability in Nova');
    expect(gpgVerifyPgpMime(gpg, mail!).status).toBe(0);
    const page = await w.clients.vmt!.get(`/reports/${w.ref}/disclosure`);
    const row = /<tr><td data-label="Organisation">Distro<\/td><td data-label="Recipient">Gone list &lt;gone@example\.net&gt;<\/td>.*?<\/tr>/s.exec(page.body)?.[0] ?? '';
    expect(row).toContain('>sent<');
    expect((await w.clients.vmt!.get(`/reports/${w.ref}`)).body).not.toContain('mail-problems-heading');
  });
});
