// The public site end to end: published records → stored files → signed by the team key → written out
// with fixed paths, and served by the app byte for byte. Every .asc verifies with the real gpg; every
// OSV file passes the OSV schema, every CVE record the CVE 5 schema, every CSAF document the BSI/
// secvisogram validator (schema and mandatory tests).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createTestApp, TestClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { fixturePath } from '../testing/fixture-files.js';
import { systemScope } from '../context.js';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { generateTeamKey } from '../pgp/team-key.js';
import { Worker } from '../jobs/worker.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { importOssaDirectory } from '../advisories/import.js';
import { approveAdvisory, createAdvisory, recordImpactApproval } from '../advisories/commands.js';
import { publishAdvisory } from '../advisories/publish.js';
import { completeForm, enterPublicationSettings, makeCast, scopeOf } from '../advisories/testing/advisories.js';
import { cveValidator, osvValidator, schemaErrors } from './testing/corpus.js';
import { publishSite } from './publish-site.js';
import { signerFromArmoredKey, type TeamSigner } from './signer.js';
import { currentSignature } from './site-files.js';
import { saveGuidePage } from './guide.js';

const PASSPHRASE = 'correct horse battery staple 42';
const SAMPLE = ['OSSA-2014-039.yaml', 'OSSA-2016-004.yaml', 'OSSA-2016-007.yaml', 'OSSA-2023-002.yaml', 'OSSA-2026-008.yaml'];

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}

type DocumentTest = (doc: unknown) => unknown;
interface ValidationResult {
  tests: { name: string; isValid: boolean; errors: { message: string; instancePath: string }[] }[];
}
const library = '@secvisogram/csaf-validator-lib';

async function csafProblems(doc: unknown): Promise<string[]> {
  const validateStrict = ((await import(`${library}/validateStrict.js`)) as { default: (t: DocumentTest[], d: unknown) => Promise<ValidationResult> }).default;
  const schema = (await import(`${library}/schemaTests.js`)) as { csaf_2_0_strict: DocumentTest };
  const mandatory = (await import(`${library}/mandatoryTests.js`)) as Record<string, DocumentTest>;
  const result = await validateStrict([schema.csaf_2_0_strict, ...Object.values(mandatory)], doc);
  return result.tests.filter((x) => !x.isValid).flatMap((x) => x.errors.map((e) => `${x.name} ${e.instancePath} ${e.message}`));
}

describe.each(testDialects())('the published site on %s', (dialect) => {
  let t: TestApp;
  let out: string;
  let signer: TeamSigner;
  let publicKey: string;
  let fingerprint: string;
  let gpg: TempGnupg;
  let draftRef: string;
  let ref: string;

  beforeAll(async () => {
    t = await createTestApp(dialect, { pgpPassphrase: PASSPHRASE });
    t.clock.set(new Date('2026-06-02T15:00:00Z'));
    out = mkdtempSync(path.join(os.tmpdir(), 'cordon-'));
    const input = path.join(out, 'input');
    mkdirSync(input);
    for (const f of SAMPLE) copyFileSync(path.join(fixturePath('ossa'), f), path.join(input, f));
    await importOssaDirectory(systemScope(t.ctx), input);
    const cast = await makeCast(t);
    await enterPublicationSettings(t);
    const a = await scopeOf(t, cast.vmt);
    const b = await scopeOf(t, cast.vmt2);
    ref = await createAdvisory(a, completeForm({ cves: 'CVE-2026-40001', reporters: 'Jane Doe | Example Corp | CVE-2026-40001' }));
    await recordImpactApproval(a, ref, 'reporter', 'by mail on 2026-06-01');
    await recordImpactApproval(a, ref, 'lead', 'on the call of 2026-06-01');
    await approveAdvisory(b, ref, 1);
    await publishAdvisory(a, ref, 1);
    draftRef = await createAdvisory(a, completeForm({ title: 'Unpublished draft zq81', cves: 'CVE-2026-40002', reporters: '' }));
    const key = await generateTeamKey({ name: 'Example VMT', email: 'vmt@example.org', passphrase: PASSPHRASE });
    signer = await signerFromArmoredKey(key.secretKeyArmored, PASSPHRASE);
    publicKey = key.publicKeyArmored;
    fingerprint = key.fingerprint;
    gpg = new TempGnupg();
    gpg.importKey(publicKey);
  });
  afterAll(async () => {
    gpg.cleanup();
    rmSync(out, { recursive: true, force: true });
    await t.close();
  });

  it('writes every file at its fixed path with .sha256 and .asc, and every signature verifies with gpg', async () => {
    const dir = path.join(out, 'site');
    const result = await publishSite(t.ctx, dir, signer);
    expect(result.written.unsigned).toEqual([]);
    const files = walk(dir);
    // Signed by a team key: the pages say so.
    expect(readFileSync(path.join(dir, 'advisories/index.html'), 'utf8')).toContain('Every file is signed by the team key (.asc)');
    expect(ref).toBe('OSSA-2026-009'); // after the imported OSSA-2026-008
    for (const p of [`advisories/${ref}.html`, `advisories/${ref}.txt`, `advisories/${ref}.yaml`, `osv/${ref}.json`, 'cve/CVE-2026-40001.json', '.well-known/csaf/provider-metadata.json', '.well-known/csaf/white/index.txt', '.well-known/csaf/white/changes.csv', '.well-known/csaf/white/2026/ossa-2026-009.json', '.well-known/csaf/white/2026/ossa-2026-009.json.sha512', '.well-known/csaf/white/csaf-feed-tlp-white.json', '.well-known/csaf/white/index.html', '.well-known/csaf/white/2026/index.html', 'feeds/advisories.atom', 'advisories/index.html', 'index.html', 'guide/embargo-policy.html', 'advisories/OSSA-2016-007.txt', 'cve/CVE-2016-2140.json', `.well-known/csaf/openpgp/${fingerprint}.asc`, 'assets/app.css', 'notes/index.html', 'feeds/notes.atom']) {
      expect(files, p).toContain(p);
    }
    const content = files.filter((f) => !f.endsWith('.asc') && !f.endsWith('.sha256') && !f.endsWith('.sha512') && !f.startsWith('input/') && !f.startsWith('keys/') && f !== '.well-known/security.txt');
    expect(content.length).toBeGreaterThan(40);
    for (const f of content) {
      const bytes = readFileSync(path.join(dir, f));
      expect(readFileSync(path.join(dir, `${f}.sha256`), 'utf8'), f).toBe(`${createHash('sha256').update(bytes).digest('hex')}  ${path.posix.basename(f)}\n`);
      const verify = gpg.run(['--verify', path.join(dir, `${f}.asc`), path.join(dir, f)]);
      expect(verify.status, `${f}: ${verify.stderr}`).toBe(0);
      expect(verify.stderr).toContain('Good signature from "Example VMT <vmt@example.org>"');
    }
    // Nothing of the draft was published.
    expect(files.some((f) => f.includes(draftRef) || f.includes('CVE-2026-40002'))).toBe(false);
    for (const f of content) expect(readFileSync(path.join(dir, f), 'utf8'), f).not.toContain('zq81');
  });

  it('publishes OSV, CVE JSON 5 and CSAF files that pass their official schemas and the CSAF validator', async () => {
    const dir = path.join(out, 'site');
    const osv = osvValidator();
    const cve = cveValidator();
    const osvFiles = walk(path.join(dir, 'osv')).filter((f) => f.endsWith('.json'));
    const cveFiles = walk(path.join(dir, 'cve')).filter((f) => f.endsWith('.json'));
    expect(osvFiles).toHaveLength(SAMPLE.length + 1);
    expect(cveFiles.length).toBeGreaterThanOrEqual(SAMPLE.length + 1);
    for (const f of osvFiles) expect(schemaErrors(osv, JSON.parse(readFileSync(path.join(dir, 'osv', f), 'utf8'))), f).toEqual([]);
    for (const f of cveFiles) expect(schemaErrors(cve, JSON.parse(readFileSync(path.join(dir, 'cve', f), 'utf8'))), f).toEqual([]);
    const index = readFileSync(path.join(dir, '.well-known/csaf/white/index.txt'), 'utf8').trim().split('\n');
    expect(index).toHaveLength(SAMPLE.length + 1);
    for (const entry of index) {
      const doc = JSON.parse(readFileSync(path.join(dir, '.well-known/csaf/white', entry), 'utf8')) as unknown;
      expect(await csafProblems(doc), entry).toEqual([]);
    }
    const changes = readFileSync(path.join(dir, '.well-known/csaf/white/changes.csv'), 'utf8');
    expect(changes.split('\n')[0]).toBe('"2026/ossa-2026-009.json","2026-06-02T00:00:00.000Z"');
    const metadata = JSON.parse(readFileSync(path.join(dir, '.well-known/csaf/provider-metadata.json'), 'utf8')) as { canonical_url: string; public_openpgp_keys: { fingerprint: string }[]; distributions: { directory_url: string }[] };
    expect(metadata.canonical_url).toBe('http://cordon.test/.well-known/csaf/provider-metadata.json');
    expect(metadata.distributions[0]?.directory_url).toBe('http://cordon.test/.well-known/csaf/white/');
    expect(metadata.public_openpgp_keys[0]?.fingerprint).toBe(fingerprint);
  });

  it('serves the same bytes as the static files, and the signatures beside them', async () => {
    const dir = path.join(out, 'site');
    const anon = new TestClient(t);
    for (const f of [`advisories/${ref}.txt`, 'advisories/OSSA-2016-007.yaml', `osv/${ref}.json`, 'cve/CVE-2026-40001.json', '.well-known/csaf/white/2026/ossa-2026-009.json', '.well-known/csaf/white/index.txt', '.well-known/csaf/white/2026/index.html', 'feeds/advisories.atom', `advisories/${ref}.html`, 'index.html', 'guide/embargo-policy.html']) {
      for (const suffix of ['', '.asc', '.sha256']) {
        const res = await anon.get(`/${f}${suffix}`, '*/*');
        expect(res.statusCode, `${f}${suffix}`).toBe(200);
        expect(res.body, `${f}${suffix}`).toBe(readFileSync(path.join(dir, `${f}${suffix}`), 'utf8'));
      }
    }
    expect((await anon.get('/csaf/provider-metadata.json')).headers.location).toBe('/.well-known/csaf/provider-metadata.json');
    expect((await anon.get(`/osv/${draftRef}.json`)).statusCode).toBe(404);
    expect((await anon.get('/cve/CVE-2026-40002.json')).statusCode).toBe(404);
    expect((await anon.get(`/.well-known/csaf/white/..%2F..%2Fadvisories%2F${ref}.txt`)).statusCode).toBe(404);
    expect((await anon.get(`/csaf/white/..%2F..%2Fadvisories%2F${ref}.txt`)).statusCode).toBe(404);
  });

  it('the signing job signs changed files with the team key from team_keys and PGP_PASSPHRASE', async () => {
    const key = await generateTeamKey({ name: 'Job VMT', email: 'job@example.org', passphrase: PASSPHRASE });
    const at = t.clock.now().toISOString();
    await t.ctx.storage.db.insertInto('team_keys').values({ fingerprint: key.fingerprint, status: 'current', source: 'generated', public_key: key.publicKeyArmored, secret_key: key.secretKeyArmored, algorithm: 'ed25519', user_ids: '[]', key_created_at: at, expires_at: null, added_at: at, retired_at: null }).execute();
    // A guide edit changes two files (the guide page and the home page), which lose their signatures.
    const cast = await makeCast(t, 'swift');
    await saveGuidePage(await scopeOf(t, cast.admin), 'embargo-policy', { slug: 'embargo-policy', title: 'Security Guide for operators', body: 'Updated guide text.' });
    const unsigned = await t.ctx.storage.db.selectFrom('public_site_files').selectAll().execute();
    expect(unsigned.filter((r) => !currentSignature(r)).map((r) => r.path).sort()).toEqual(['guide/embargo-policy.html', 'index.html']);
    await t.ctx.storage.db.insertInto('jobs').values({ kind: 'publication.sign', payload: '{}', status: 'queued', run_at: at, max_attempts: 3, created_at: at, updated_at: at }).execute();
    await new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx) }).drain();
    const page = await t.ctx.storage.db.selectFrom('public_site_files').selectAll().where('path', '=', 'guide/embargo-policy.html').executeTakeFirstOrThrow();
    const signature = currentSignature(page);
    expect(signature).not.toBeNull();
    const g = new TempGnupg();
    try {
      g.importKey(key.publicKeyArmored);
      const sig = g.writeFile('page.asc', signature ?? '');
      const data = g.writeFile('page.html', page.content);
      const verify = g.run(['--verify', sig, data]);
      expect(verify.status, verify.stderr).toBe(0);
      expect(verify.stderr).toContain('Good signature from "Job VMT <job@example.org>"');
    } finally {
      g.cleanup();
    }
    expect(existsSync(path.join(out, 'site'))).toBe(true);
  });
});
