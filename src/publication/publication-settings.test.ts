// Issue 15 item 3, "Published records say things nobody entered": on a fresh instance with only a project
// named widget, an advisory and a note, no published file (site output, API JSON, feeds, mails) says
// OpenStack, PyPI or mitre; the checklist names what a format needs before publishing; entered settings
// appear in OSV/CVE/CSAF/Atom, still valid under the official schemas; imported OpenStack records keep
// OpenStack's defaults and their byte-exact notices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp, type TestClient as Client } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { fixturePath } from '../testing/fixture-files.js';
import { systemScope } from '../context.js';
import { AppError } from '../errors/catalogue.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { approveAdvisory, createAdvisory, recordImpactApproval, saveAdvisory } from '../advisories/commands.js';
import { publishAdvisory } from '../advisories/publish.js';
import { importOssaDirectory } from '../advisories/import.js';
import { completeForm, EXAMPLE_CNA, scopeOf } from '../advisories/testing/advisories.js';
import { claimNote, flagNote } from '../notes/flagging.js';
import { saveRevision } from '../notes/revisions.js';
import { castVote, submitForReview } from '../notes/review.js';
import { requestPublication } from '../notes/publish.js';
import { completeNote, queuedMails, userScope } from '../notes/testing/fixtures.js';
import { cveValidator, osvValidator, schemaErrors } from './testing/corpus.js';
import { publishSite } from './publish-site.js';

const NOT_ENTERED = /openstack|pypi|mitre/i;
const library = '@secvisogram/csaf-validator-lib';

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}

type DocumentTest = (doc: unknown) => unknown;
interface CsafLibrary {
  validateStrict: (t: DocumentTest[], d: unknown) => Promise<{ tests: { name: string; isValid: boolean; errors: { message: string; instancePath: string }[] }[] }>;
  tests: DocumentTest[];
}
let csafLibrary: Promise<CsafLibrary> | undefined;
/** The BSI/secvisogram validator, loaded once (its first import is slow on a busy machine). */
function loadCsafLibrary(): Promise<CsafLibrary> {
  csafLibrary ??= (async () => {
    const validateStrict = ((await import(`${library}/validateStrict.js`)) as { default: CsafLibrary['validateStrict'] }).default;
    const schema = (await import(`${library}/schemaTests.js`)) as { csaf_2_0_strict: DocumentTest };
    const mandatory = (await import(`${library}/mandatoryTests.js`)) as Record<string, DocumentTest>;
    return { validateStrict, tests: [schema.csaf_2_0_strict, ...Object.values(mandatory)] };
  })();
  return csafLibrary;
}
async function csafProblems(doc: unknown): Promise<string[]> {
  const { validateStrict, tests } = await loadCsafLibrary();
  const result = await validateStrict(tests, doc);
  return result.tests.filter((x) => !x.isValid).flatMap((x) => x.errors.map((e) => `${x.name} ${e.instancePath} ${e.message}`));
}

const WIDGET_FORM = completeForm({
  title: 'Widget token leak',
  description: 'Jane Doe from Example Corp reported a vulnerability in Widget.',
  products: 'widget: <2.0.1, >=2.1.0 <2.1.3',
  cves: 'CVE-2026-41001',
  reporters: 'Jane Doe | Example Corp | CVE-2026-41001',
  issues: 'https://bugs.example.org/widget/41',
  issuesType: 'tracker',
  fixes: 'main: https://git.example.org/widget/commit/1a2b3c',
  notes: '',
});

describe.each(testDialects())('publication settings: only what was entered is published, on %s', (dialect) => {
  let t: TestApp;
  let out: string;
  let ref: string;
  let vmt: Client;
  let admin: Client;
  let lead: Client;
  let plain: Client;
  const scopes: { a?: Awaited<ReturnType<typeof scopeOf>>; b?: Awaited<ReturnType<typeof scopeOf>> } = {};

  /** Every public file of the instance, served and written out, with API answers and queued mail. */
  async function everythingPublished(dir: string): Promise<Map<string, string>> {
    await publishSite(t.ctx, dir, null);
    const texts = new Map<string, string>();
    for (const f of walk(dir)) texts.set(f, readFileSync(path.join(dir, f), 'utf8'));
    const anon = new TestClient(t);
    const pages = ['/', `/advisories/${ref}`, '/advisories', '/feeds/advisories.atom', '/feeds/notes.atom', '/notes', '/projects/widget', '/api/v1/advisories', `/api/v1/advisories/${ref}`, '/api/v1/notes', '/api/v1/projects/widget', '/.well-known/security.txt'];
    for (const url of pages) {
      const res = await anon.get(url, url.startsWith('/api/') ? 'application/json' : undefined);
      expect(res.statusCode, url).toBe(200);
      texts.set(`GET ${url}`, res.body);
    }
    for (const [i, mail] of (await queuedMails(t)).entries()) texts.set(`mail ${i}: ${mail.subject}`, JSON.stringify(mail));
    return texts;
  }

  beforeAll(async () => {
    await loadCsafLibrary();
    t = await createTestApp(dialect, { announceLists: ['announce@lists.example.org'] });
    t.clock.set(new Date('2026-07-01T15:00:00Z'));
    out = mkdtempSync(path.join(os.tmpdir(), 'cordon-pubsettings-'));
    await createProject(t.system, { slug: 'widget', name: 'Widget', branches: ['main'] });
    const [v1, v2, adm, ld, pl, c1, c2, c3, wc] = [
      await makeUser(t, { username: 'vmtone', roles: ['vmt'] }),
      await makeUser(t, { username: 'vmttwo', roles: ['vmt'] }),
      await makeUser(t, { username: 'admin', roles: ['admin'] }),
      await makeUser(t, { username: 'widgetlead', totp: false }),
      await makeUser(t, { username: 'plain', totp: false }),
      await makeUser(t, { username: 'core1', roles: ['security_core'] }),
      await makeUser(t, { username: 'core2', roles: ['security_core'] }),
      await makeUser(t, { username: 'core3', roles: ['security_core'] }),
      await makeUser(t, { username: 'widgetcore', totp: false }),
    ];
    await setProjectMember(t.system, 'widget', ld.user.id, 'lead', true);
    await setProjectMember(t.system, 'widget', wc.user.id, 'core_reviewer', true);
    scopes.a = await scopeOf(t, v1);
    scopes.b = await scopeOf(t, v2);
    vmt = await signedInClient(t, v1);
    admin = await signedInClient(t, adm);
    lead = await signedInClient(t, ld);
    plain = await signedInClient(t, pl);

    ref = await createAdvisory(scopes.a, WIDGET_FORM);
    await recordImpactApproval(scopes.a, ref, 'reporter', 'by mail');
    await recordImpactApproval(scopes.a, ref, 'lead', 'on the call');
    await approveAdvisory(scopes.b, ref, 1);

    // A security note about widget, published.
    const core = await userScope(t, c1);
    const { ref: flag } = await flagNote(core, { report: '', title: 'Widget default configuration exposes tokens', reason: '', projects: ['widget'] });
    const note = await claimNote(core, flag);
    await saveRevision(core, note, completeNote(1, {
      title: 'Widget default configuration exposes tokens',
      summary: 'The default configuration of Widget logs session tokens.',
      affected: '- widget: <2.0.1',
      discussion: 'Widget writes tokens to its log at the info level.',
      recommendedActions: '- Set log_level to warning.',
      credits: '- Jane Finder, Example Corp',
      contacts: 'Author: Alex Author\nThis OSSN : http://cordon.test/notes/OSSN-0001\nCVE: none',
    }));
    await submitForReview(core, note);
    for (const [u, value] of [[c2, 2], [c3, 2], [wc, 1]] as const) await castVote(await userScope(t, u), note, { revision: 2, value, comment: '' });
    await requestPublication(core, note, 'Approved.');
  });
  afterAll(async () => {
    rmSync(out, { recursive: true, force: true });
    await t.close();
  });

  it('says before publishing that CVE records need a CNA nobody entered, with a link to the setting, and does not block', async () => {
    const manage = await vmt.get(`/advisories/${ref}/manage`);
    expect(manage.statusCode).toBe(200);
    expect(manage.body).toContain('The publication settings cover this advisory');
    expect(manage.body).toContain('CVE records (CVE JSON 5) of CVE-2026-41001 need the CNA that assigned the ids');
    expect(manage.body).toContain('<a href="/admin/publication">Open the publication settings</a>');
    expect(manage.body).toContain('(does not block publication)');
  });

  it('publishes the widget advisory and note without a word of OpenStack, PyPI or mitre anywhere', async () => {
    await publishAdvisory(scopes.a!, ref, 1, 'Coordinated disclosure.');
    const texts = await everythingPublished(path.join(out, 'fresh'));
    // The outputs are all there (so the check below reads real files), except the CVE record nobody asked for.
    for (const f of [`advisories/${ref}.html`, `advisories/${ref}.txt`, `osv/${ref}.json`, `.well-known/csaf/white/2026/${ref.toLowerCase()}.json`, 'feeds/advisories.atom', 'notes/OSSN-0001.html', 'notes/OSSN-0001.txt', 'feeds/notes.atom']) {
      expect(texts.has(f), f).toBe(true);
    }
    expect([...texts.keys()].filter((k) => k.startsWith('cve/'))).toEqual([]);
    expect([...texts.keys()].some((k) => k.startsWith('mail') && k.includes(ref))).toBe(true);
    expect([...texts.keys()].some((k) => k.startsWith('mail') && k.includes('OSSN-0001'))).toBe(true);
    const said = [...texts].filter(([, text]) => NOT_ENTERED.test(text)).map(([name, text]) => `${name}: ${NOT_ENTERED.exec(text)?.[0]} …${text.slice(Math.max(0, (NOT_ENTERED.exec(text)?.index ?? 0) - 60), (NOT_ENTERED.exec(text)?.index ?? 0) + 60)}…`);
    expect(said).toEqual([]);

    const osv = JSON.parse(texts.get(`osv/${ref}.json`)!) as { affected: { package?: unknown; database_specific: { product: string } }[] };
    expect(schemaErrors(osvValidator(), osv)).toEqual([]);
    expect(osv.affected).toEqual([expect.not.objectContaining({ package: expect.anything() })]);
    const csaf = JSON.parse(texts.get(`.well-known/csaf/white/2026/${ref.toLowerCase()}.json`)!) as { document: { publisher: { name: string } }; product_tree: { branches: { category: string; name: string }[] } };
    // Nobody entered a publisher or vendor: the instance's own name publishes, and the tree has no vendor.
    expect(csaf.document.publisher.name).toBe(t.ctx.config.instanceName);
    expect(csaf.product_tree.branches.map((b) => [b.category, b.name])).toEqual([['product_name', 'widget']]);
    expect(await csafProblems(csaf)).toEqual([]);
    const atom = texts.get('feeds/advisories.atom')!;
    expect(atom).not.toContain('<rights>');
    expect(atom).toContain(`<name>${t.ctx.config.instanceName}</name>`);
    // New records link the CVE programme's site.
    expect(texts.get(`advisories/${ref}.txt`)).toContain('- https://www.cve.org/CVERecord?id=CVE-2026-41001\n');
    expect(texts.get(`advisories/${ref}.html`)).not.toContain('CVE JSON 5');
  });

  it('refuses bad settings field by field and saves nothing; the project page is for its lead, the VMT and admins only', async () => {
    const before = await t.ctx.storage.db.selectFrom('publication_settings').selectAll().execute();
    const bad = await admin.post('/admin/publication', { vendor_name: 'Example Foundation', publisher_name: '', feed_rights: '', cna_choice: 'set', cna_org_id: 'not-a-uuid', cna_short_name: 'x', osv_id_prefix: 'x_' }, '/admin/publication');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('version 4 UUID');
    expect(bad.body).toContain('2–32 letters');
    expect(bad.body).toContain('value="not-a-uuid"');
    const partial = await admin.post('/admin/publication', { vendor_name: 'Half a form' }, '/admin/publication');
    expect(partial.statusCode).toBe(400);
    expect(await t.ctx.storage.db.selectFrom('publication_settings').selectAll().execute()).toEqual(before);

    expect((await admin.get('/admin')).body).toContain('href="/admin/publication"');
    expect((await lead.get('/projects/widget')).body).toContain('href="/projects/widget/publication"');
    expect((await plain.get('/projects/widget')).body).not.toContain('/projects/widget/publication');
    expect((await plain.get('/projects/widget/publication')).statusCode).toBe(404);
    expect((await vmt.get('/admin/publication')).statusCode).toBe(404);
    const cobol = await lead.post('/projects/widget/publication', { products: 'Widget = widget core', ecosystem: 'Cobol', purl_type: 'Not A Type', cve_version_type: '', vendor_name: '' }, '/projects/widget/publication');
    expect(cobol.statusCode).toBe(400);
    expect(cobol.body).toContain('Choose one of PyPI, npm');
    expect(cobol.body).toContain('a package name has no spaces');
    expect(cobol.body).toContain('A purl type is lower-case');
    expect(await t.ctx.storage.db.selectFrom('project_publication_settings').selectAll().execute()).toEqual([]);
  });

  it('names the missing vendor before publishing once CVE records are wanted, links the project setting, and blocks', async () => {
    const saved = await admin.post('/admin/publication', { vendor_name: '', publisher_name: '', feed_rights: '', cna_choice: 'set', cna_org_id: EXAMPLE_CNA.orgId, cna_short_name: EXAMPLE_CNA.shortName, osv_id_prefix: 'x_' }, '/admin/publication');
    expect(saved.statusCode).toBe(303);
    const audit = await t.ctx.storage.db.selectFrom('audit_events').select('action').where('action', '=', 'publication.settings_changed').execute();
    expect(audit).toHaveLength(1);
    const { revision } = await saveAdvisory(scopes.a!, ref, { ...WIDGET_FORM, title: 'Widget token leak in the session log' });
    await approveAdvisory(scopes.b!, ref, revision);
    const manage = await vmt.get(`/advisories/${ref}/manage`);
    expect(manage.body).toContain('CVE records name the vendor of widget (or its package and ecosystem); nobody entered one.');
    expect(manage.body).toContain('<a href="/projects/widget/publication">Open the publication settings</a>');
    expect(manage.body).not.toContain('(does not block publication)');
    const refused = await publishAdvisory(scopes.a!, ref, revision, 'Errata.').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).fields.map((f) => f.field)).toEqual(['publication_settings']);
  });

  it('publishes what was entered, in OSV, CVE JSON 5, CSAF and Atom, valid under their schemas', async () => {
    const project = await lead.post('/projects/widget/publication', { products: 'Widget = widget-core', ecosystem: 'npm', purl_type: '', cve_version_type: '', vendor_name: 'Widget Project' }, '/projects/widget/publication');
    expect(project.statusCode).toBe(303);
    const form = await lead.get('/projects/widget/publication');
    expect(form.body).toContain('Widget = widget-core');
    const instance = await admin.post('/admin/publication', { vendor_name: 'Example Foundation', publisher_name: 'Example Security Team', feed_rights: '© 2026 Example Foundation', cna_choice: 'set', cna_org_id: EXAMPLE_CNA.orgId, cna_short_name: EXAMPLE_CNA.shortName, osv_id_prefix: 'x_' }, '/admin/publication');
    expect(instance.statusCode).toBe(303);
    const row = await t.ctx.storage.db.selectFrom('advisories').select('current_revision').where('ref', '=', ref).executeTakeFirstOrThrow();
    await publishAdvisory(scopes.a!, ref, row.current_revision, 'Errata.');

    const texts = await everythingPublished(path.join(out, 'entered'));
    const osv = JSON.parse(texts.get(`osv/${ref}.json`)!) as { affected: { package: unknown; ranges: unknown[] }[] };
    expect(schemaErrors(osvValidator(), osv)).toEqual([]);
    expect(osv.affected[0]?.package).toEqual({ ecosystem: 'npm', name: 'widget-core', purl: 'pkg:npm/widget-core' });
    expect(osv.affected[0]?.ranges).toHaveLength(2);

    const cve = JSON.parse(texts.get('cve/CVE-2026-41001.json')!) as { cveMetadata: Record<string, string>; containers: { cna: { affected: Record<string, unknown>[] } } };
    expect(schemaErrors(cveValidator(), cve)).toEqual([]);
    expect(cve.cveMetadata).toMatchObject({ assignerOrgId: EXAMPLE_CNA.orgId, assignerShortName: EXAMPLE_CNA.shortName });
    expect(cve.containers.cna.affected[0]).toMatchObject({ vendor: 'Widget Project', product: 'widget', collectionURL: 'https://www.npmjs.com', packageName: 'widget-core' });
    expect(cve.containers.cna.affected[0]?.versions).toContainEqual({ version: '2.1.0', status: 'affected', versionType: 'semver', lessThan: '2.1.3' });

    const csaf = JSON.parse(texts.get(`.well-known/csaf/white/2026/${ref.toLowerCase()}.json`)!) as { document: { publisher: { name: string } }; product_tree: { branches: { category: string; name: string; branches: { branches: { name: string }[] }[] }[] } };
    expect(await csafProblems(csaf)).toEqual([]);
    expect(csaf.document.publisher.name).toBe('Example Security Team');
    expect(csaf.product_tree.branches.map((b) => [b.category, b.name])).toEqual([['vendor', 'Widget Project']]);
    expect(csaf.product_tree.branches[0]?.branches[0]?.branches.map((b) => b.name)).toContain('vers:npm/>=2.1.0|<2.1.3');

    const atom = texts.get('feeds/advisories.atom')!;
    expect(atom).toContain('<rights>© 2026 Example Foundation</rights>');
    expect(atom).toContain('<name>Example Security Team</name>');
    expect(texts.get(`advisories/${ref}.html`)).toContain('CVE JSON 5 (CVE-2026-41001)');
    // Still nothing that nobody entered.
    expect([...texts].filter(([, text]) => NOT_ENTERED.test(text)).map(([name]) => name)).toEqual([]);
  });

  it('keeps OpenStack’s values for records imported from OpenStack, and their notices byte for byte', async () => {
    const input = path.join(out, 'import');
    mkdirSync(input);
    copyFileSync(path.join(fixturePath('ossa'), 'OSSA-2016-007.yaml'), path.join(input, 'OSSA-2016-007.yaml'));
    await importOssaDirectory(systemScope(t.ctx), input);
    const anon = new TestClient(t);
    expect((await anon.get('/advisories/OSSA-2016-007.txt')).body).toBe(readFileSync(fixturePath('ossa-notices', 'OSSA-2016-007.txt'), 'utf8'));
    const osv = JSON.parse((await anon.get('/osv/OSSA-2016-007.json', 'application/json')).body) as { affected: { package: { ecosystem: string; purl: string } }[] };
    expect(osv.affected[0]?.package.ecosystem).toBe('PyPI');
    expect(osv.affected[0]?.package.purl).toMatch(/^pkg:pypi\//);
    const cve = JSON.parse((await anon.get('/cve/CVE-2016-2140.json', 'application/json')).body) as { containers: { cna: { affected: { collectionURL: string }[] } } };
    expect(cve.containers.cna.affected[0]?.collectionURL).toBe('https://pypi.org');
    // The widget record is unchanged by the import.
    expect(JSON.parse((await anon.get(`/osv/${ref}.json`, 'application/json')).body).affected[0].package.ecosystem).toBe('npm');
  });
});
