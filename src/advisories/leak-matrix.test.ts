// The leak matrix for advisories (issue 6): an unpublished draft of an embargoed report and an
// unpublished erratum of a published advisory, across anonymous, the report's reporter, the project
// lead, a bystander, an admin who is not VMT, a VMT member's read-only token and the VMT — on every
// registered route, and on every public surface: pages, feeds, search, the CSAF index, OSV and CVE
// files, the static site. Plus the guide pages (public, edited by admins only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInClient, TestClient, type TestApp } from '../testing/harness.js';
import { probeLeaks, type LeakRole } from '../testing/leak-matrix.js';
import { testDialects } from '../testing/databases.js';
import { createApiToken } from '../accounts/api-tokens.js';
import type { CatalogueEntry } from '../http/route.js';
import { saveGuidePage } from '../publication/guide.js';
import { addErratum, approveAdvisory, createAdvisory } from './commands.js';
import { publishAdvisory } from './publish.js';
import { classAReport, completeForm, discloseReport, enterPublicationSettings, makeCast, scopeOf, type AdvisoryCast } from './testing/advisories.js';

const DRAFT_MARKER = 'dq3draftmarker';
const ERRATUM_MARKER = 'em5erratummarker';
const GUIDE_MARKER = 'gm9guidemarker';
const DRAFT_CVE = 'CVE-2031-99991';

const editorPages = new Set(['/advisories/:id/manage', '/advisories/:id/edit', '/api/v1/advisories/:id/draft']);

describe.each(testDialects())('leak matrix (advisories) on %s', (dialect) => {
  let t: TestApp;
  let cast: AdvisoryCast;
  let roles: LeakRole[];
  let published: string;
  let draft: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    t.clock.set(new Date('2031-02-03T15:00:00Z'));
    cast = await makeCast(t);
    await enterPublicationSettings(t);
    const vmt = await scopeOf(t, cast.vmt);
    const vmt2 = await scopeOf(t, cast.vmt2);
    // A published advisory with an unpublished erratum.
    const first = await classAReport(t, cast, { cve: 'CVE-2031-10001', title: 'Published issue' });
    published = await createAdvisory(vmt, completeForm({ title: 'Published public advisory', description: first.impact, cves: 'CVE-2031-10001', reporters: 'Jane Doe | Example Corp | CVE-2031-10001' }), { reportRef: first.ref });
    await approveAdvisory(vmt2, published, 1);
    await discloseReport(t, first.ref);
    await publishAdvisory(vmt, published, 1);
    await addErratum(vmt, published, `A further patch is needed (${ERRATUM_MARKER}).`, 2);
    // A draft for a second, still embargoed report.
    const second = await classAReport(t, cast, { cve: DRAFT_CVE, title: 'Embargoed issue' });
    draft = await createAdvisory(vmt, completeForm({ title: `Heap overflow ${DRAFT_MARKER}`, description: `${second.impact} ${DRAFT_MARKER}`, cves: DRAFT_CVE, reporters: `Jane Doe | Example Corp | ${DRAFT_CVE}` }), { reportRef: second.ref });
    await saveGuidePage(await scopeOf(t, cast.admin), 'embargo-policy', { slug: 'embargo-policy', title: 'Security Guide', body: `Harden everything. ${GUIDE_MARKER}` });
    const token = await createApiToken(t.system, cast.vmt.user.id, { name: 'ro', scopes: ['read'] });
    roles = [{ name: 'anonymous', client: null }, { name: 'vmt-read-token', client: null, bearer: token.token }];
    for (const name of ['reporter', 'lead', 'plain', 'admin', 'vmt'] as const) roles.push({ name, client: await signedInClient(t, cast[name]) });
  });
  afterAll(async () => t.close());

  it('a draft advisory: only the VMT sees it, everyone else gets 404 on every route aimed at it', async () => {
    const v = await probeLeaks(t, roles, {
      kind: 'advisory',
      paramValue: draft,
      marker: DRAFT_MARKER,
      allowed: (role) => role === 'vmt',
      mustShow: (route) => editorPages.has(route.url),
    });
    expect(v).toEqual([]);
  });

  it('an unpublished erratum of a published advisory: only the VMT sees it; the public pages show the published version', async () => {
    const v = await probeLeaks(t, roles, {
      kind: 'advisory',
      paramValue: published,
      marker: ERRATUM_MARKER,
      denial: 'absence',
      allowed: (role) => role === 'vmt',
      mustShow: (route) => route.url === '/advisories/:id/manage' || route.url === '/api/v1/advisories/:id/draft',
    });
    expect(v).toEqual([]);
    const page = await new TestClient(t).get(`/advisories/${published}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Published public advisory');
  });

  it('a CVE of a draft has no public record; a published one has', async () => {
    const v = await probeLeaks(t, roles, { kind: 'advisory_cve', paramValue: `${DRAFT_CVE}.json`, marker: DRAFT_MARKER, allowed: (role) => role === 'vmt', mustShow: () => false });
    expect(v).toEqual([]);
    for (const role of roles) {
      const client = role.client ?? new TestClient(t);
      expect((await client.get(`/cve/${DRAFT_CVE}.json`, 'application/json')).statusCode, role.name).toBe(404);
      expect((await client.get('/cve/CVE-2031-10001.json', 'application/json')).statusCode, role.name).toBe(200);
    }
  });

  it('no public surface shows the draft or the erratum: files, feed, CSAF index, OSV, search, lists', async () => {
    const files = await t.ctx.storage.db.selectFrom('public_site_files').select(['path', 'content']).execute();
    expect(files.length).toBeGreaterThan(8);
    for (const f of files) {
      for (const marker of [DRAFT_MARKER, ERRATUM_MARKER, draft, DRAFT_CVE]) expect(f.content.includes(marker), `${f.path} shows ${marker}`).toBe(false);
      expect(f.path.includes(draft) || f.path.includes(DRAFT_CVE), f.path).toBe(false);
    }
    // Each surface with what it must not show (a search page repeats its own query, so that word is not counted).
    const everything = [DRAFT_MARKER, ERRATUM_MARKER, DRAFT_CVE, draft];
    const except = (word: string) => everything.filter((m) => m !== word);
    const surfaces: [string, string[]][] = [
      ['/', everything],
      ['/index.html', everything],
      ['/advisories', everything],
      [`/advisories?q=${DRAFT_MARKER}`, except(DRAFT_MARKER)],
      [`/advisories?q=${DRAFT_CVE}`, except(DRAFT_CVE)],
      ['/api/v1/advisories', everything],
      [`/api/v1/advisories?q=${DRAFT_MARKER}`, except(DRAFT_MARKER)],
      [`/api/v1/advisories?q=${ERRATUM_MARKER}`, except(ERRATUM_MARKER)],
      ['/feeds/advisories.atom', everything],
      ['/.well-known/csaf/white/index.txt', everything],
      ['/.well-known/csaf/white/changes.csv', everything],
      ['/.well-known/csaf/provider-metadata.json', everything],
      ['/.well-known/csaf/service.json', everything],
      ['/.well-known/csaf/white/csaf-feed-tlp-white.json', everything],
      ['/.well-known/csaf/white/', everything],
      ['/.well-known/csaf/white/2031/', everything],
      ['/.well-known/security.txt', everything],
      [`/osv/${draft}.json`, except(draft)],
      [`/advisories/${draft}.txt`, except(draft)],
      [`/advisories/${draft}.yaml`, except(draft)],
      [`/advisories/${draft}.html`, except(draft)],
      [`/.well-known/csaf/white/2031/${draft.toLowerCase()}.json`, everything],
      [`/csaf/white/2031/${draft.toLowerCase()}.json`, everything],
      ['/projects/nova/advisories', everything],
      [`/api/v1/advisories/${draft}`, except(draft)],
    ];
    for (const role of roles) {
      const client = role.client ?? new TestClient(t);
      for (const [url, forbidden] of surfaces) {
        const res = role.bearer ? await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${role.bearer}` } }) : await client.get(url, url.startsWith('/api/') ? 'application/json' : 'text/html');
        for (const marker of forbidden) expect(res.body.includes(marker), `${role.name} ${url} shows ${marker}`).toBe(false);
        if (url.includes(`${draft}.`) || url.includes(`/${draft}`)) expect(res.statusCode, `${role.name} ${url}`).toBe(404);
      }
      const search = await client.get('/api/v1/advisories?q=published', 'application/json');
      if (!role.bearer) expect((JSON.parse(search.body) as { total: number }).total, role.name).toBe(1);
    }
  });

  it('guide pages are public; only admins reach their editor', async () => {
    const isEditor = (route: CatalogueEntry) => route.url.endsWith('/edit');
    const v = await probeLeaks(t, roles, {
      kind: 'guide_page',
      paramValue: 'embargo-policy',
      marker: GUIDE_MARKER,
      allowed: (role, route) => !isEditor(route) || role === 'admin',
      mustShow: (route) => route.method === 'GET',
    });
    expect(v).toEqual([]);
    const plain = roles.find((r) => r.name === 'plain')?.client;
    const res = await plain?.post('/guide/embargo-policy/edit', { slug: 'embargo-policy', title: 'Defaced', body: 'x' });
    expect(res?.statusCode).toBe(404);
    expect((await new TestClient(t).get('/guide/embargo-policy')).body).toContain(GUIDE_MARKER);
  });
});
