// The actor cache (issue 17): roles and memberships are reused for a few seconds, and every change to
// them in this process empties the cache first, so a removed role is gone on the very next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, makeUser, signedInClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { setInstanceRoles } from '../accounts/users.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { buildUserActor } from './load-actor.js';
import { makePublic } from '../reports/embargo/decisions.js';
import { fileReport, scopeOf } from '../reports/testing/queue-fixtures.js';

describe.each(testDialects())('the actor cache on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
  });
  afterAll(async () => t.close());

  it('a VMT role removed takes effect on the next request, and one given back too', async () => {
    const vmt = await makeUser(t, { username: 'vmt-cached', roles: ['vmt'] });
    const client = await signedInClient(t, vmt);
    expect((await client.get('/vmt')).statusCode).toBe(200);
    expect((await client.get('/vmt')).statusCode).toBe(200); // the second one from the cache
    await setInstanceRoles(t.system, vmt.user.id, []);
    expect((await client.get('/vmt')).statusCode).toBe(404);
    expect((await client.get('/api/v1/reports?class=A', 'application/json')).statusCode).toBe(400);
    await setInstanceRoles(t.system, vmt.user.id, ['vmt']);
    expect((await client.get('/vmt')).statusCode).toBe(200);
  });

  it('lists and counts never show a private report after the role that let the viewer read it is gone', async () => {
    const vmt = await makeUser(t, { username: 'vmt-lists', roles: ['vmt'] });
    const client = await signedInClient(t, vmt);
    const hidden = await fileReport(t, { title: 'Private cached-leak-marker-4p7', projects: ['nova'] });
    const opened = await fileReport(t, { title: 'Opened report', projects: ['nova'] });
    await makePublic(await scopeOf(t, vmt), opened.ref, 'Coordinated disclosure.');
    type Page = { items: { ref: string }[]; total: number };
    const before = (await client.get('/api/v1/reports', 'application/json')).json<Page>();
    expect(before.items.map((i) => i.ref)).toContain(hidden.ref);
    await setInstanceRoles(t.system, vmt.user.id, []);
    const after = (await client.get('/api/v1/reports', 'application/json')).json<Page>();
    expect(after.items.map((i) => i.ref)).toEqual([opened.ref]);
    expect(after.total).toBe(1);
    const page = await client.get('/reports');
    expect(page.body).not.toContain('cached-leak-marker-4p7');
    expect(page.body).toContain('1 report');
  });

  it('a project membership added or removed shows in the next actor built', async () => {
    const dev = await makeUser(t, { username: 'dev-cached', totp: false });
    const db = t.ctx.storage.db;
    const build = () => buildUserActor(db, t.ctx.config, dev.user, { kind: 'session', mfaPassed: false });
    expect((await build()).projectRoles.size).toBe(0);
    await setProjectMember(t.system, 'nova', dev.user.id, 'lead', true);
    const lead = await build();
    expect([...(lead.projectRoles.values().next().value ?? [])]).toEqual(['lead']);
    await setProjectMember(t.system, 'nova', dev.user.id, 'lead', false);
    expect((await build()).projectRoles.size).toBe(0);
  });

  it('is a cache: a write it cannot see (raw SQL, another process) waits for the few seconds of its life', async () => {
    const other = await makeUser(t, { username: 'raw-cached', totp: false });
    const db = t.ctx.storage.db;
    const build = () => buildUserActor(db, t.ctx.config, other.user, { kind: 'session', mfaPassed: false });
    expect((await build()).heldRoles.size).toBe(0);
    await sql`insert into user_roles (user_id, role, granted_at) values (${other.user.id}, 'admin', ${new Date().toISOString()})`.execute(db);
    expect((await build()).heldRoles.size).toBe(0);
    // A transaction handle is never cached: it reads what the transaction sees.
    await db.transaction().execute(async (trx) => {
      expect([...(await buildUserActor(trx, t.ctx.config, other.user, { kind: 'session', mfaPassed: false })).heldRoles]).toEqual(['admin']);
    });
  });
});
