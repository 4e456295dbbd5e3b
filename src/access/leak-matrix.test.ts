// Leak matrix for the foundation's non-public objects: accounts (their email), stakeholder organisations,
// API tokens and jobs, across anonymous, plain users, a project lead, VMT, security core, an admin, an admin
// who has not enrolled TOTP yet, and API tokens. Later objects (reports, patches, drafts) extend this file's
// pattern in their own suites.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeUser, signedInClient, type TestApp } from '../testing/harness.js';
import { probeLeaks, undeclaredParams, type LeakRole } from '../testing/leak-matrix.js';
import { testDialects } from '../testing/databases.js';
import { createOrg } from '../stakeholders/stakeholders.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { saveProjectPublication } from '../publication/settings-store.js';
import { enqueueJob } from '../jobs/queue.js';
import { beat, leave } from '../jobs/workers.js';
import { createApiToken } from '../accounts/api-tokens.js';
import type { CatalogueEntry } from '../http/route.js';

/**
 * Param kinds covered by a leak matrix: here (foundation objects) and in src/reports/leak-matrix.test.ts
 * (report, attachment, public_issue), and others beside their domains (oidc_*: src/accounts/oidc.test.ts). A route
 * naming any other kind must bring its own matrix first.
 */
const coveredKinds = new Set(['user', 'project', 'stakeholder_org', 'api_token', 'job', 'secret_link', 'public_asset', 'report', 'attachment', 'public_issue', 'patch', 'advisory', 'advisory_cve', 'guide_page', 'note', 'note_flag', 'inbound_message', 'webhook_endpoint', 'webhook_delivery', 'ci_run', 'oidc_provider', 'oidc_identity', 'oidc_role_rule']);

describe.each(testDialects())('leak matrix (foundation) on %s', (dialect) => {
  let t: TestApp;
  let roles: LeakRole[];
  let target: Awaited<ReturnType<typeof makeUser>>;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    const project = await createProject(t.system, { slug: 'nova', name: 'Nova', description: 'Compute', branches: ['master'] });
    target = await makeUser(t, { username: 'target', totp: false });
    const plain = await makeUser(t, { username: 'plain', totp: false });
    const lead = await makeUser(t, { username: 'lead', totp: false });
    await setProjectMember(t.system, project.slug, lead.user.id, 'lead', true);
    const vmt = await makeUser(t, { username: 'vmt', roles: ['vmt'] });
    const core = await makeUser(t, { username: 'core', roles: ['security_core'] });
    const admin = await makeUser(t, { username: 'admin', roles: ['admin'] });
    const dormantAdmin = await makeUser(t, { username: 'dormant', roles: ['admin'], totp: false });
    const adminToken = await createApiToken({ ...t.system, actor: { kind: 'anonymous' } }, admin.user.id, { name: 'adm', scopes: ['admin'] });
    const readToken = await createApiToken(t.system, admin.user.id, { name: 'ro', scopes: ['read'] });
    roles = [
      { name: 'anonymous', client: null },
      { name: 'target', client: await signedInClient(t, target) },
      { name: 'plain', client: await signedInClient(t, plain) },
      { name: 'lead', client: await signedInClient(t, lead) },
      { name: 'vmt', client: await signedInClient(t, vmt) },
      { name: 'core', client: await signedInClient(t, core) },
      { name: 'admin', client: await signedInClient(t, admin) },
      { name: 'dormant-admin', client: await signedInClient(t, dormantAdmin) },
      { name: 'admin-token', client: null, bearer: adminToken.token },
      { name: 'read-token', client: null, bearer: readToken.token },
    ];
  });
  afterAll(async () => t.close());

  const isAdminRoute = (r: CatalogueEntry) => typeof r.audience === 'string' && r.audience !== 'public' && r.audience !== 'user';
  const admins = new Set(['admin', 'admin-token']);

  it('every route with parameters declares what they name, and the kinds are covered here', () => {
    expect(undeclaredParams(t.catalogue)).toEqual([]);
    const kinds = new Set(t.catalogue.flatMap((r) => Object.values(r.leak.params ?? {})));
    expect([...kinds].filter((k) => !coveredKinds.has(k))).toEqual([]);
  });

  it('an account’s email is seen only by admins (and its owner on their own pages)', async () => {
    const v = await probeLeaks(t, roles, {
      kind: 'user',
      paramValue: String(target.user.id),
      marker: 'target@example.org',
      allowed: (role, route) => admins.has(role) || (role === 'target' && !route.url.includes(':')) || (role === 'read-token' && route.audience === 'user'),
      mustShow: (route) => route.method === 'GET' && route.url.includes(':userId'),
    });
    expect(v).toEqual([]);
  });

  it('a stakeholder organisation is seen only by the VMT and admins', async () => {
    const orgId = await createOrg(t.system, { name: 'Example Distro', description: 'marker-distro-7f3a' });
    const v = await probeLeaks(t, roles, {
      kind: 'stakeholder_org',
      paramValue: String(orgId),
      marker: 'marker-distro-7f3a',
      // Admins also see it in the audit log; an admin's read-scoped token may read the registry.
      allowed: (role, route) => admins.has(role) || (route.url.includes('stakeholders') && (role === 'vmt' || (role === 'read-token' && route.method === 'GET'))),
      mustShow: (route) => route.method === 'GET' && route.url.includes(':orgId'),
    });
    expect(v).toEqual([]);
  });

  it('a project’s repositories are internal; its public page is public', async () => {
    await createProject(t.system, { slug: 'swift', name: 'Swift', branches: ['master'], repositories: [{ name: 'swift', remoteUrl: '/srv/private/marker-repo-91c2' }] });
    const v = await probeLeaks(t, roles, {
      kind: 'project',
      paramValue: 'swift',
      marker: 'marker-repo-91c2',
      // Repositories are admin data: an admin's read-scoped token does not see them, the VMT does.
      allowed: (role, route) => admins.has(role) || (!route.url.startsWith('/admin') && role === 'vmt'),
      // The project's test recipe (issue 20) is about how tests run, not where the code lives: no repository there.
      mustShow: (route) => route.url.startsWith('/admin') || (route.api && !route.url.endsWith('/test-recipe')),
    });
    // Admin-only routes aimed at the project answer 404 to everyone else; public routes answer 200 without the marker.
    expect(v.filter((x) => !(x.problem.includes('instead of 404') && !x.url.startsWith('/admin')))).toEqual([]);
  });

  it('a project’s publication settings page is for admins, the VMT and the project’s lead only (issue 15)', async () => {
    await saveProjectPublication(t.system, 'nova', { products: [{ name: 'Nova', package: 'marker-package-3e8b' }], ecosystem: 'PyPI', purlType: '', cveVersionType: '', vendorName: '' });
    const page = (url: string) => url === '/projects/:slug/publication';
    const v = await probeLeaks(t, roles, {
      kind: 'project',
      paramValue: 'nova',
      marker: 'marker-package-3e8b',
      // Admins also see the change in the audit log; nothing is published before an advisory names the product.
      allowed: (role, route) => admins.has(role) || (page(route.url) && (role === 'vmt' || role === 'lead')),
      mustShow: (route) => page(route.url),
    });
    // The project's public pages answer everyone (without the marker); the settings page answers 404 to the others.
    expect(v.filter((x) => x.problem.startsWith('shows') || x.url.endsWith('/publication'))).toEqual([]);
  });

  it('someone else’s API token cannot be revoked (404), only its owner can', async () => {
    const { id } = await createApiToken(t.system, target.user.id, { name: 'target-token', scopes: ['read'] });
    const v = await probeLeaks(t, roles, { kind: 'api_token', paramValue: String(id), marker: 'target-token', allowed: (role, route) => role === 'target' || (admins.has(role) && route.url.includes('audit')), mustShow: () => false });
    expect(v.filter((x) => x.role !== 'target')).toEqual([]);
  });

  it('jobs are admin-only', async () => {
    const id = await enqueueJob(t.ctx.storage.db, t.clock.now(), 'mail.send', { to: ['x@example.org'], subject: 'marker-job-55', text: '' });
    await t.ctx.storage.db.updateTable('jobs').set({ status: 'dead' }).where('id', '=', id!).execute();
    const v = await probeLeaks(t, roles, { kind: 'job', paramValue: String(id), marker: 'marker-job-55', allowed: (role, route) => admins.has(role) && isAdminRoute(route), mustShow: () => false });
    expect(v).toEqual([]);
  });

  it('workers and what they take are admin-only (issue 20: /admin/jobs lists them)', async () => {
    const id = await enqueueJob(t.ctx.storage.db, t.clock.now(), 'mail.send', { to: ['x@example.org'], subject: 'w', text: '' });
    await beat(t.ctx.storage.db, 'marker-worker-77', t.clock.now());
    try {
      const v = await probeLeaks(t, roles, { kind: 'job', paramValue: String(id), marker: 'marker-worker-77', allowed: (role, route) => admins.has(role) && isAdminRoute(route), mustShow: () => false });
      expect(v).toEqual([]);
      // The marker is there to find: the admin's job page shows it.
      expect((await roles.find((r) => r.name === 'admin')!.client!.get('/admin/jobs')).body).toContain('marker-worker-77');
    } finally {
      await leave(t.ctx.storage.db, 'marker-worker-77');
    }
  });
});
