// The CSAF 2.0 provider layout of the published site (CSAF v2.0 §7.1, trusted provider, directory-based
// distribution and ROLIE), checked over real HTTP by one checker (formats/testing-csaf-provider.ts) twice:
// served by the app, and written by `publish --out` and served by a plain static file server written here.
// Real GnuPG verifies every signature; nothing of an unpublished advisory shows anywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestApp, TestClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { fixturePath } from '../testing/fixture-files.js';
import { systemScope } from '../context.js';
import { generateTeamKey } from '../pgp/team-key.js';
import { importOssaDirectory } from '../advisories/import.js';
import { approveAdvisory, createAdvisory, recordImpactApproval } from '../advisories/commands.js';
import { publishAdvisory } from '../advisories/publish.js';
import { completeForm, enterPublicationSettings, makeCast, scopeOf } from '../advisories/testing/advisories.js';
import { checkCsafProvider, serveStatic } from './testing/csaf-provider.js';
import { publishSite } from './publish-site.js';
import { signerFromArmoredKey } from './signer.js';

const PASSPHRASE = 'correct horse battery staple 42';
const PUBLIC_URL = 'https://cordon.test';
const SAMPLE = ['OSSA-2014-039.yaml', 'OSSA-2016-004.yaml', 'OSSA-2016-007.yaml', 'OSSA-2023-002.yaml', 'OSSA-2026-008.yaml'];
const DRAFT_MARKER = 'Unpublished draft qx47';

describe.each(testDialects())('the CSAF provider on %s', (dialect) => {
  let t: TestApp;
  let tmp: string;
  let out: string;
  let ref: string;
  let draft: string;
  let live: string;
  let files: { server: Server; base: string };
  const ids = ['OSSA-2014-039', 'OSSA-2016-004', 'OSSA-2016-007', 'OSSA-2023-002', 'OSSA-2026-008'];

  beforeAll(async () => {
    t = await createTestApp(dialect, { pgpPassphrase: PASSPHRASE, publicUrl: PUBLIC_URL });
    t.clock.set(new Date('2026-06-02T15:00:00Z'));
    tmp = mkdtempSync(path.join(os.tmpdir(), 'cordon-csaf-'));
    const input = path.join(tmp, 'input');
    mkdirSync(input);
    for (const f of SAMPLE) copyFileSync(path.join(fixturePath('ossa'), f), path.join(input, f));
    await importOssaDirectory(systemScope(t.ctx), input);
    const cast = await makeCast(t);
    await enterPublicationSettings(t);
    const a = await scopeOf(t, cast.vmt);
    ref = await createAdvisory(a, completeForm({ cves: 'CVE-2026-40001', reporters: 'Jane Doe | Example Corp | CVE-2026-40001' }));
    await recordImpactApproval(a, ref, 'reporter', 'by mail on 2026-06-01');
    await recordImpactApproval(a, ref, 'lead', 'on the call of 2026-06-01');
    await approveAdvisory(await scopeOf(t, cast.vmt2), ref, 1);
    await publishAdvisory(a, ref, 1);
    draft = await createAdvisory(a, completeForm({ title: DRAFT_MARKER, cves: 'CVE-2026-40002', reporters: '' }));
    // The team key as the keys work stores it, so security.txt, the signer and the metadata agree.
    const key = await generateTeamKey({ name: 'Example VMT', email: 'vmt@example.org', passphrase: PASSPHRASE });
    const at = t.clock.now().toISOString();
    await t.ctx.storage.db.insertInto('team_keys').values({ fingerprint: key.fingerprint, status: 'current', source: 'generated', public_key: key.publicKeyArmored, secret_key: key.secretKeyArmored, algorithm: 'ed25519', user_ids: '[]', key_created_at: at, expires_at: null, added_at: at, retired_at: null }).execute();
    out = path.join(tmp, 'site');
    const result = await publishSite(t.ctx, out, await signerFromArmoredKey(key.secretKeyArmored, PASSPHRASE));
    expect(result.written.unsigned).toEqual([]);
    live = await t.app.listen({ port: 0, host: '127.0.0.1' });
    files = await serveStatic(out);
  });
  afterAll(async () => {
    await new Promise((resolve) => files.server.close(resolve));
    rmSync(tmp, { recursive: true, force: true });
    await t.close();
  });

  it('served by the app: a trusted provider with every §7.1 requirement that applies met', async () => {
    const result = await checkCsafProvider({ publicUrl: PUBLIC_URL, fetchBase: live, expectIds: [...ids, ref] });
    expect(result.problems).toEqual([]);
    expect(result.role).toBe('csaf_trusted_provider');
    expect(result.documents).toHaveLength(ids.length + 1);
    expect(result.documents).toContain('2026/ossa-2026-009.json');
  }, 120_000);

  it('written by publish --out and served by a plain static file server: the same', async () => {
    const result = await checkCsafProvider({ publicUrl: PUBLIC_URL, fetchBase: files.base, expectIds: [...ids, ref] });
    expect(result.problems).toEqual([]);
    expect(result.role).toBe('csaf_trusted_provider');
    expect(result.documents).toHaveLength(ids.length + 1);
    // The static folder has what the app answers at fixed paths outside the stored site.
    const securityTxt = readFileSync(path.join(out, '.well-known', 'security.txt'), 'utf8');
    expect(securityTxt).toContain(`CSAF: ${PUBLIC_URL}/.well-known/csaf/provider-metadata.json`);
    expect(securityTxt).toContain(`Encryption: ${PUBLIC_URL}/keys/team.asc`);
    expect(readFileSync(path.join(out, 'keys', 'team.asc'), 'utf8')).toBe((await new TestClient(t).get('/keys/team.asc', '*/*')).body);
  }, 120_000);

  it('the checker is live: a changed document and a missing one are found', async () => {
    const copy = path.join(tmp, 'broken');
    rmSync(copy, { recursive: true, force: true });
    cpSync(out, copy, { recursive: true });
    const doc = path.join(copy, '.well-known/csaf/white/2016/ossa-2016-007.json');
    writeFileSync(doc, readFileSync(doc, 'utf8').replace('"final"', '"interim"'));
    rmSync(path.join(copy, '.well-known/csaf/white/2023/ossa-2023-002.json'));
    const broken = await serveStatic(copy);
    try {
      const result = await checkCsafProvider({ publicUrl: PUBLIC_URL, fetchBase: broken.base, expectIds: [...ids, ref] });
      const kinds = result.problems.map((p) => p.split(':')[0]);
      expect(kinds).toEqual(expect.arrayContaining(['7.1.18', '7.1.19', '7.1.6']));
      expect(result.problems.some((p) => p.includes('ossa-2016-007.json.sha256 does not match'))).toBe(true);
      expect(result.problems.some((p) => p.includes('ossa-2023-002.json answers 404'))).toBe(true);
    } finally {
      await new Promise((resolve) => broken.server.close(resolve));
    }
  }, 120_000);

  it('keeps the old /csaf/ URLs working by a redirect, and serves the new ones directly', async () => {
    const anon = new TestClient(t);
    const metadata = await anon.get('/.well-known/csaf/provider-metadata.json', 'application/json');
    expect(metadata.statusCode).toBe(200);
    expect(metadata.body).toBe(readFileSync(path.join(out, '.well-known/csaf/provider-metadata.json'), 'utf8'));
    for (const [old, now] of [
      ['/csaf/provider-metadata.json', '/.well-known/csaf/provider-metadata.json'],
      ['/csaf/white/2026/ossa-2026-009.json', '/.well-known/csaf/white/2026/ossa-2026-009.json'],
      ['/csaf/white/2026/ossa-2026-009.json.asc', '/.well-known/csaf/white/2026/ossa-2026-009.json.asc'],
      ['/csaf/white/index.txt', '/.well-known/csaf/white/index.txt'],
      ['/csaf/white/', '/.well-known/csaf/white/'],
    ] as const) {
      const res = await anon.get(old, '*/*');
      expect(res.statusCode, old).toBe(301);
      expect(res.headers.location, old).toBe(now);
      expect((await anon.get(now, '*/*')).statusCode, now).toBe(200);
    }
    expect((await anon.get('/.well-known/csaf/white', '*/*')).headers.location).toBe('/.well-known/csaf/white/');
    for (const missing of ['/csaf/white/2031/nothing.json', '/.well-known/csaf/white/2031/', '/.well-known/csaf/white/..%2F..%2Fsecurity.txt', `/.well-known/csaf/white/2026/${draft.toLowerCase()}.json`]) {
      expect((await anon.get(missing, '*/*')).statusCode, missing).toBe(404);
    }
  });

  it('shows nothing of an unpublished advisory in any listing, feed, index or the metadata', async () => {
    const anon = new TestClient(t);
    const surfaces = ['/.well-known/csaf/provider-metadata.json', '/.well-known/csaf/service.json', '/.well-known/csaf/white/', '/.well-known/csaf/white/2026/', '/.well-known/csaf/white/index.txt', '/.well-known/csaf/white/changes.csv', '/.well-known/csaf/white/csaf-feed-tlp-white.json', '/.well-known/security.txt'];
    for (const url of surfaces) {
      const res = await anon.get(url, '*/*');
      expect(res.statusCode, url).toBe(200);
      for (const marker of [DRAFT_MARKER, draft, draft.toLowerCase(), 'CVE-2026-40002']) expect(res.body.includes(marker), `${url} shows ${marker}`).toBe(false);
    }
    const listing = (await anon.get('/.well-known/csaf/white/2026/', 'text/html')).body;
    expect(listing).toContain('href="ossa-2026-009.json.asc"');
  });
});

