// The life of an advisory through the real HTTP stack: drafted from a class A report, refused bad input
// (nothing saved), approved by a second VMT member only, published with every output, then an erratum.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInClient, TestClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { classAReport, completeForm, discloseReport, enterPublicationSettings, makeCast, type AdvisoryCast } from './testing/advisories.js';

function formOf(fields: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

describe.each(testDialects())('advisory workflow on %s', (dialect) => {
  let t: TestApp;
  let cast: AdvisoryCast;
  let report: { ref: string; impact: string };
  let vmt: TestClient;
  let vmt2: TestClient;
  let ref: string;

  beforeAll(async () => {
    t = await createTestApp(dialect, { announceLists: ['announce@lists.example.org'] });
    t.clock.set(new Date('2026-05-12T15:00:00Z'));
    cast = await makeCast(t);
    await enterPublicationSettings(t);
    report = await classAReport(t, cast);
    vmt = await signedInClient(t, cast.vmt);
    vmt2 = await signedInClient(t, cast.vmt2);
  });
  afterAll(async () => t.close());

  it('prefills a draft from the class A report', async () => {
    const page = await vmt.get(`/advisories/new?report=${report.ref}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Host data leak through resize');
    expect(page.body).toContain('CVE-2026-31337');
    expect(page.body).toContain('Jane Doe | Example Corp | CVE-2026-31337');
    expect(page.body).toContain('nova: &lt;20.2.1');
    expect(page.body).toContain('reported a vulnerability in Nova');
    expect(page.body).toContain(`name="report" value="${report.ref}"`);
  });

  it('refuses bad input field by field and saves nothing', async () => {
    const before = await t.ctx.storage.db.selectFrom('advisories').select('id').execute();
    const res = await vmt.post('/advisories', formOf({ ...completeForm({ products: 'nova: less than 20', cves: 'CVE-26-1\nCVE-2026-31337', cvss: 'CVSS:3.1/AV:N/AC:L/XX:Y', cwes: 'CWE-abc', fixes: 'master: not a link' }), report: report.ref }), '/advisories/new');
    expect(res.statusCode).toBe(400);
    for (const id of ['f-products-error', 'f-cves-error', 'f-cvss-error', 'f-cwes-error', 'f-fixes-error']) expect(res.body).toContain(id);
    expect(res.body).toContain('is not a CVE id');
    expect(res.body).toContain('unknown metric');
    expect(res.body).toContain('is not a CWE id');
    // What was typed comes back.
    expect(res.body).toContain('nova: less than 20');
    expect(await t.ctx.storage.db.selectFrom('advisories').select('id').execute()).toHaveLength(before.length);
    expect(await t.ctx.storage.db.selectFrom('advisory_sequences').selectAll().execute()).toHaveLength(0);
  });

  it('creates the draft with its id, scores the vectors, and keeps it from everyone but the VMT', async () => {
    const res = await vmt.post('/advisories', formOf({ ...completeForm({ description: report.impact }), report: report.ref }), `/advisories/new?report=${report.ref}`);
    expect(res.statusCode).toBe(303);
    ref = /\/advisories\/([^/]+)\/manage/.exec(String(res.headers.location))?.[1] ?? '';
    expect(ref).toBe('OSSA-2026-001');
    const manage = await vmt.get(`/advisories/${ref}/manage`);
    expect(manage.statusCode).toBe(200);
    expect(manage.body).toContain(':CVE: CVE-2026-31337');
    expect(manage.body).toContain('A second VMT member approved this revision');
    const edit = await vmt.get(`/advisories/${ref}/edit`);
    expect(edit.body).toContain('6.5 Medium');
    expect(edit.body).toContain('CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N</code> → <strong>7.1 High');
    for (const u of [cast.reporter, cast.lead, cast.admin, cast.plain]) {
      const c = await signedInClient(t, u);
      expect((await c.get(`/advisories/${ref}/manage`)).statusCode).toBe(404);
      expect((await c.get(`/advisories/${ref}`)).statusCode).toBe(404);
    }
    expect((await new TestClient(t).get(`/advisories/${ref}`)).statusCode).toBe(404);
  });

  it('lets only a second VMT member approve, and refuses to publish before', async () => {
    const early = await vmt.post(`/advisories/${ref}/publish`, { revision: '1', confirm: 'yes', reason: 'Coordinated disclosure.' }, `/advisories/${ref}/manage`);
    expect(early.statusCode).toBe(303);
    expect((await vmt.get(`/advisories/${ref}/manage`)).body).toContain('cannot be published yet');
    expect((await t.ctx.storage.db.selectFrom('advisories').select('status').where('ref', '=', ref).executeTakeFirstOrThrow()).status).toBe('draft');
    await vmt.post(`/advisories/${ref}/approve`, { revision: '1' }, `/advisories/${ref}/manage`);
    expect((await vmt.get(`/advisories/${ref}/manage`)).body).toContain('a second VMT member must approve it');
    const ok = await vmt2.post(`/advisories/${ref}/approve`, { revision: '1' }, `/advisories/${ref}/manage`);
    expect(ok.statusCode).toBe(303);
    const page = await vmt2.get(`/advisories/${ref}/manage`);
    expect(page.body).toContain('Approved by vmtbob');
    // Approved, but the report is still under embargo: not yet.
    expect(page.body).toContain('is still under embargo');
    await vmt.post(`/advisories/${ref}/publish`, { revision: '1', confirm: 'yes', reason: 'Coordinated disclosure.' }, `/advisories/${ref}/manage`);
    expect((await vmt.get(`/advisories/${ref}/manage`)).body).toContain('cannot be published yet');
  });

  it('publishes every output, announces it, and shows it on the public pages', async () => {
    await discloseReport(t, report.ref);
    const res = await vmt.post(`/advisories/${ref}/publish`, { revision: '1', confirm: 'yes', reason: 'Coordinated disclosure.' }, `/advisories/${ref}/manage`);
    expect(res.statusCode).toBe(303);
    const row = await t.ctx.storage.db.selectFrom('advisories').selectAll().where('ref', '=', ref).executeTakeFirstOrThrow();
    expect(row.status).toBe('published');
    expect(row.date).toBe('2026-05-12');
    const anon = new TestClient(t);
    const page = await anon.get(`/advisories/${ref}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Host data leak through resize');
    // The page shows the day in the pages' one format; the .txt notice below keeps its own.
    expect(page.body).toContain('<time datetime="2026-05-12">2026-05-12</time>');
    expect((await anon.get('/advisories')).body).toContain(ref);
    expect((await anon.get('/')).body).toContain(ref);
    expect((await anon.get('/projects/nova/advisories')).body).toContain(ref);
    expect((await anon.get('/feeds/advisories.atom')).body).toContain(`<title type="html"><![CDATA[${ref}: Host data leak`);
    const txt = await anon.get(`/advisories/${ref}.txt`);
    expect(txt.body.startsWith(`=====`)).toBe(true);
    expect(txt.body).toContain(':Date: May 12, 2026');
    expect((await anon.get(`/advisories/${ref}.yaml`)).body).toContain('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N');
    expect(JSON.parse((await anon.get(`/osv/${ref}.json`)).body).aliases).toEqual(['CVE-2026-31337']);
    expect(JSON.parse((await anon.get('/cve/CVE-2026-31337.json')).body).cveMetadata.cveId).toBe('CVE-2026-31337');
    expect((await anon.get('/.well-known/csaf/white/index.txt')).body).toBe('2026/ossa-2026-001.json\n');
    expect(JSON.parse((await anon.get('/.well-known/csaf/white/2026/ossa-2026-001.json')).body).document.tracking.id).toBe(ref);
    const sha = await anon.get(`/osv/${ref}.json.sha256`);
    expect(sha.body).toMatch(new RegExp(`^[0-9a-f]{64}  ${ref}\\.json\\n$`));
    // Unsigned until the signing job runs with a team key.
    expect((await anon.get(`/osv/${ref}.json.asc`)).statusCode).toBe(404);
    const mails = await t.ctx.storage.db.selectFrom('jobs').select('payload').where('kind', '=', 'mail.send').execute();
    const announcement = mails.map((m) => JSON.parse(m.payload) as { to: string[]; subject: string; text: string }).find((m) => m.to.includes('announce@lists.example.org'));
    expect(announcement?.subject).toBe(`[${ref}] Nova: Host data leak through resize (CVE-2026-31337)`);
    expect(announcement?.text).toBe(txt.body);
    expect(await t.ctx.storage.db.selectFrom('jobs').select('id').where('kind', '=', 'publication.sign').execute()).toHaveLength(1);
  });

  it('adds an erratum: new revision, history line, original date kept, re-published after approval with an errata mail', async () => {
    t.clock.set(new Date('2026-05-13T10:00:00Z'));
    const res = await vmt.post(`/advisories/${ref}/errata`, { errata: 'The stable/2026.1 patch was incomplete; a second patch fixes it.', revision: '2' }, `/advisories/${ref}/errata`);
    expect(res.statusCode).toBe(303);
    const anon = new TestClient(t);
    // Not public before it is approved and published.
    expect((await anon.get(`/advisories/${ref}`)).body).not.toContain('a second patch fixes it');
    // Revision 2 set the date at publication; revision 3 is the erratum.
    const diff = await vmt.get(`/advisories/${ref}/revisions?from=2&to=3`);
    expect(diff.body).toContain('Errata and history');
    expect(diff.body).toContain('+ 2026-05-13 - Errata 1');
    await vmt2.post(`/advisories/${ref}/approve`, { revision: '3' }, `/advisories/${ref}/manage`);
    const pub = await vmt2.post(`/advisories/${ref}/publish`, { revision: '3', confirm: 'yes', reason: 'Coordinated disclosure.' }, `/advisories/${ref}/manage`);
    expect(pub.statusCode).toBe(303);
    const txt = (await anon.get(`/advisories/${ref}.txt`)).body;
    expect(txt).toContain(':Date: May 12, 2026');
    expect(txt).toContain('Errata\n~~~~~~\nThe stable/2026.1 patch was incomplete; a second patch fixes it.');
    expect(txt).toContain('OSSA History\n~~~~~~~~~~~~\n- 2026-05-13 - Errata 1\n- 2026-05-12 - Original Version\n');
    expect((await anon.get(`/advisories/${ref}`)).body).toContain('a second patch fixes it');
    const mails = (await t.ctx.storage.db.selectFrom('jobs').select('payload').where('kind', '=', 'mail.send').execute()).map((m) => JSON.parse(m.payload) as { subject: string });
    expect(mails.map((m) => m.subject)).toContain(`[${ref}] Nova: Host data leak through resize (CVE-2026-31337) ERRATA 1`);
  });

  it('edits a field and shows the per-field diff between revisions', async () => {
    const res = await vmt.post(`/advisories/${ref}/edit`, { ...formOf(completeForm({ description: report.impact, title: 'Host data leak through instance resize' })), revision: '3' }, `/advisories/${ref}/edit`);
    expect(res.statusCode).toBe(303);
    const diff = await vmt.get(`/advisories/${ref}/revisions`);
    expect(diff.body).toContain('<h2>Title</h2>');
    expect(diff.body).toContain('- Host data leak through resize');
    expect(diff.body).toContain('+ Host data leak through instance resize');
    expect(diff.body).not.toContain('<h2>CVSS vectors</h2>');
    // A stale revision number is refused instead of overwriting.
    const stale = await vmt.post(`/advisories/${ref}/edit`, { ...formOf(completeForm({ title: 'Another title' })), revision: '3' }, `/advisories/${ref}/edit`);
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('changed since you opened it');
  });

  it('after publication, whoever wrote none of the new changes approves them (here the advisory’s creator)', async () => {
    await vmt2.post(`/advisories/${ref}/approve`, { revision: '4' }, `/advisories/${ref}/manage`);
    expect((await vmt2.post(`/advisories/${ref}/publish`, { revision: '4', confirm: 'yes', reason: 'Coordinated disclosure.' }, `/advisories/${ref}/manage`)).statusCode).toBe(303);
    await vmt2.post(`/advisories/${ref}/errata`, { errata: 'Second erratum written by the second member.', revision: '4' }, `/advisories/${ref}/errata`);
    await vmt2.post(`/advisories/${ref}/approve`, { revision: '5' }, `/advisories/${ref}/manage`);
    expect((await vmt2.get(`/advisories/${ref}/manage`)).body).toContain('a second VMT member must approve it');
    expect((await vmt.post(`/advisories/${ref}/approve`, { revision: '5' }, `/advisories/${ref}/manage`)).statusCode).toBe(303);
    expect((await t.ctx.storage.db.selectFrom('advisories').select('status').where('ref', '=', ref).executeTakeFirstOrThrow()).status).toBe('approved');
  });
});
