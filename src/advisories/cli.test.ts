// `cordon import ossa`, `cordon export ossa` and `cordon publish --out` as real processes (compiled
// dist/, as the foundation's CLI test does), on the whole OpenStack corpus; the signed site written by
// `publish --out` is served by a plain static file server and passes the CSAF provider checker. Once, on
// SQLite: the same functions run on both databases in import.test.ts and site.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childEnv, createTestStorage, type TestStorage } from '../testing/databases.js';
import { repoPath, fixturePath } from '../testing/fixture-files.js';
import { loadPyYaml } from '../publication/formats/pyyaml-load.js';
import { pyEquals } from '../publication/formats/py-value.js';
import { cveValidator, osvValidator, schemaErrors } from '../publication/testing/corpus.js';
import { checkCsafProvider, serveStatic } from '../publication/testing/csaf-provider.js';
import { generateTeamKey } from '../pgp/team-key.js';

const PASSPHRASE = 'correct horse battery staple 42';

const corpus = fixturePath('ossa');

function cordon(t: TestStorage, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [repoPath('bin', 'cordon.js'), ...args], { env: childEnv(t, env), encoding: 'utf8', cwd: repoPath(), maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

type DocumentTest = (doc: unknown) => unknown;
const library = '@secvisogram/csaf-validator-lib';

describe('cordon import / export / publish on the OSSA corpus', () => {
  let t: TestStorage;
  let tmp: string;
  beforeAll(async () => {
    t = await createTestStorage('sqlite');
    tmp = mkdtempSync(path.join(os.tmpdir(), 'cordon-'));
  });
  afterAll(async () => {
    rmSync(tmp, { recursive: true, force: true });
    await t.cleanup();
  });

  it('imports all 183 files with a warning per oddity, then changes nothing on a second run', () => {
    const first = cordon(t, ['import', 'ossa', corpus]);
    expect(first.code, first.err).toBe(0);
    const warnings = first.err.split('\n').filter((l) => l.startsWith('warning: '));
    expect(first.out).toContain(`183 files: 183 imported, 0 updated, 0 unchanged, 0 failed; ${warnings.length} warnings`);
    expect(warnings.length).toBeGreaterThan(50);
    expect(warnings).toContain('warning: OSSA-2011-001.yaml: reporters.0.affiliation: affiliation of David Black is `UNKNOWN`');
    expect(first.out).toMatch(/public site rebuilt: \d+ files written/);
    const second = cordon(t, ['import', 'ossa', corpus]);
    expect(second.code).toBe(0);
    expect(second.out).toContain('183 files: 0 imported, 0 updated, 183 unchanged, 0 failed');
    expect(second.out).not.toContain('public site rebuilt');
  });

  it('reports a broken file and still handles the others (exit status 1)', () => {
    const dir = path.join(tmp, 'broken');
    mkdirSync(dir);
    copyFileSync(path.join(corpus, 'OSSA-2014-001.yaml'), path.join(dir, 'OSSA-2014-001.yaml'));
    writeFileSync(path.join(dir, 'OSSA-2099-001.yaml'), 'id: OSSA-2099-001\ndate: 2099-01-01\ntitle: x\ndescription: y\nvulnerabilities: {cve-id: 3}\n');
    const r = cordon(t, ['import', 'ossa', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: OSSA-2099-001\.yaml: vulnerabilities/m);
    expect(r.out).toContain('2 files: 0 imported, 0 updated, 1 unchanged, 1 failed');
  });

  it('exports YAML that loads to the same data as each of the 183 originals', () => {
    const out = path.join(tmp, 'export');
    const r = cordon(t, ['export', 'ossa', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('exported 183 advisories');
    const differ = readdirSync(corpus)
      .filter((f) => f.endsWith('.yaml'))
      .filter((f) => !pyEquals(loadPyYaml(readFileSync(path.join(corpus, f), 'utf8'), f).value, loadPyYaml(readFileSync(path.join(out, f), 'utf8'), f).value));
    expect(differ).toEqual([]);
  });

  it('publishes the whole site with fixed paths; OSV, CVE and CSAF files pass their validators', async () => {
    const out = path.join(tmp, 'site');
    const r = cordon(t, ['publish', '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/wrote \d+ files \(each with \.sha256\)/);
    // No team key in this database: the files are published unsigned, and the command says so.
    expect(r.out).toContain('note: No team key is set up yet');
    // …and the CSAF metadata claims no more than a provider: no key, no signature links.
    const metadata = JSON.parse(readFileSync(path.join(out, '.well-known/csaf/provider-metadata.json'), 'utf8')) as Record<string, unknown>;
    expect(metadata.role).toBe('csaf_provider');
    expect(metadata).not.toHaveProperty('public_openpgp_keys');
    expect(readFileSync(path.join(out, '.well-known/csaf/white/csaf-feed-tlp-white.json'), 'utf8')).not.toContain('"signature"');
    // …and no page promises signatures that are not there.
    for (const page of ['index.html', 'advisories/index.html', 'advisories/OSSA-2016-007.html', '.well-known/csaf/white/index.html']) {
      const html = readFileSync(path.join(out, page), 'utf8');
      expect(html, page).toContain('Every file has a SHA-256 checksum (.sha256).');
      expect(html, page).not.toContain('signed by the team key');
    }
    for (const p of ['advisories/OSSA-2016-007.html', 'advisories/OSSA-2016-007.txt', 'advisories/OSSA-2016-007.yaml', 'osv/OSSA-2016-007.json', 'cve/CVE-2016-2140.json', '.well-known/csaf/provider-metadata.json', '.well-known/csaf/white/2016/ossa-2016-007.json', '.well-known/csaf/white/2016/index.html', '.well-known/security.txt', 'feeds/advisories.atom', 'advisories/index.html', 'index.html', 'osv/OSSA-2016-007.json.sha256']) {
      expect(existsSync(path.join(out, p)), p).toBe(true);
    }
    // The notice text is byte for byte what the OpenStack tooling prints (the formats library's golden files).
    expect(readFileSync(path.join(out, 'advisories/OSSA-2016-007.txt'), 'utf8')).toBe(readFileSync(fixturePath('ossa-notices', 'OSSA-2016-007.txt'), 'utf8'));
    const osv = osvValidator();
    const osvFiles = readdirSync(path.join(out, 'osv')).filter((f) => f.endsWith('.json'));
    expect(osvFiles).toHaveLength(183);
    for (const f of osvFiles) expect(schemaErrors(osv, JSON.parse(readFileSync(path.join(out, 'osv', f), 'utf8'))), f).toEqual([]);
    const cve = cveValidator();
    const cveFiles = readdirSync(path.join(out, 'cve')).filter((f) => f.endsWith('.json'));
    expect(cveFiles.length).toBeGreaterThan(183);
    for (const f of cveFiles) expect(schemaErrors(cve, JSON.parse(readFileSync(path.join(out, 'cve', f), 'utf8'))), f).toEqual([]);
    const index = readFileSync(path.join(out, '.well-known/csaf/white/index.txt'), 'utf8').trim().split('\n');
    expect(index).toHaveLength(183);
    const validateStrict = ((await import(`${library}/validateStrict.js`)) as { default: (t: DocumentTest[], d: unknown) => Promise<{ tests: { name: string; isValid: boolean; errors: { message: string }[] }[] }> }).default;
    const schema = (await import(`${library}/schemaTests.js`)) as { csaf_2_0_strict: DocumentTest };
    const mandatory = (await import(`${library}/mandatoryTests.js`)) as Record<string, DocumentTest>;
    const tests = [schema.csaf_2_0_strict, ...Object.values(mandatory)];
    const failures: string[] = [];
    for (const entry of index) {
      const result = await validateStrict(tests, JSON.parse(readFileSync(path.join(out, '.well-known/csaf/white', entry), 'utf8')));
      for (const x of result.tests.filter((y) => !y.isValid)) failures.push(`${entry}: ${x.name} ${x.errors.map((e) => e.message).join('; ')}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('with a team key, publish --out writes a CSAF trusted provider that a plain static file server serves as is', async () => {
    const key = await generateTeamKey({ name: 'Example VMT', email: 'vmt@example.org', passphrase: PASSPHRASE });
    const at = new Date().toISOString();
    await t.storage.db.insertInto('team_keys').values({ fingerprint: key.fingerprint, status: 'current', source: 'generated', public_key: key.publicKeyArmored, secret_key: key.secretKeyArmored, algorithm: 'ed25519', user_ids: '[]', key_created_at: at, expires_at: null, added_at: at, retired_at: null }).execute();
    const out = path.join(tmp, 'signed-site');
    const r = cordon(t, ['publish', '--out', out], { PGP_PASSPHRASE: PASSPHRASE, PUBLIC_URL: 'https://security.example.org' });
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toContain('note:');
    const files = await serveStatic(out);
    try {
      const ids = readdirSync(corpus).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
      const result = await checkCsafProvider({ publicUrl: 'https://security.example.org', fetchBase: files.base, expectIds: ids });
      expect(result.problems).toEqual([]);
      expect(result.role).toBe('csaf_trusted_provider');
      expect(result.documents).toHaveLength(183);
    } finally {
      await new Promise((resolve) => files.server.close(resolve));
    }
  }, 300_000);
});
