// Migration 0021: a site published under the old CSAF layout (`csaf/…`, before issue 18) is rebuilt once
// by the `publication.rebuild` job, so it moves to `/.well-known/csaf/` and the old links redirect there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { createTestApp, TestClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { fixturePath } from '../testing/fixture-files.js';
import { systemScope } from '../context.js';
import { importOssaDirectory } from '../advisories/import.js';
import { migrations } from '../storage/migrate.js';
import { Worker } from '../jobs/worker.js';
import { buildJobRegistry } from '../jobs/registry.js';
import { REBUILD_JOB } from '../advisories/jobs.js';

describe.each(testDialects())('moving a published site to /.well-known/csaf/ on %s', (dialect) => {
  let t: TestApp;
  let tmp: string;
  const migration = migrations.find((m) => m.version === '0021_csaf_well_known');

  beforeAll(async () => {
    t = await createTestApp(dialect, { publicUrl: 'https://cordon.test' });
    t.clock.set(new Date('2026-06-02T15:00:00Z'));
    tmp = mkdtempSync(path.join(os.tmpdir(), 'cordon-csaf-move-'));
    mkdirSync(path.join(tmp, 'in'));
    copyFileSync(path.join(fixturePath('ossa'), 'OSSA-2016-007.yaml'), path.join(tmp, 'in', 'OSSA-2016-007.yaml'));
    await importOssaDirectory(systemScope(t.ctx), path.join(tmp, 'in'));
  });
  afterAll(async () => {
    rmSync(tmp, { recursive: true, force: true });
    await t.close();
  });

  const rebuildJobs = () => t.ctx.storage.db.selectFrom('jobs').select(['id', 'status']).where('kind', '=', REBUILD_JOB).execute();
  const db = () => t.ctx.storage.db as unknown as Kysely<unknown>;

  it('queues nothing where no file has an old path', async () => {
    await migration!.up({ db: db(), dialect });
    expect(await rebuildJobs()).toEqual([]);
  });

  it('queues one rebuild where the site has old paths; the rebuild replaces them and the old links redirect', async () => {
    // The site as the previous version stored it: the layout under csaf/.
    const files = t.ctx.storage.db;
    const at = t.clock.now().toISOString();
    const row = (p: string, ref: string | null) => ({ path: p, section: 'advisories', advisory_ref: ref, content: '{}\n', content_type: 'application/json; charset=utf-8', sha256: 'x', signature: null, signed_sha256: null, updated_at: at });
    await files.insertInto('public_site_files').values([row('csaf/provider-metadata.json', null), row('csaf/white/2016/ossa-2016-007.json', 'OSSA-2016-007')]).execute();
    await files.deleteFrom('public_site_files').where('path', 'like', '.well-known/%').execute();
    const anon = new TestClient(t);
    expect((await anon.get('/.well-known/csaf/provider-metadata.json', '*/*')).statusCode).toBe(404);

    await migration!.up({ db: db(), dialect });
    expect((await rebuildJobs()).map((j) => j.status)).toEqual(['queued']);
    // A migration has no clock: the job is due from the real time it ran.
    t.clock.set(new Date(Date.now() + 60_000));
    await new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx) }).drain();
    expect((await rebuildJobs()).map((j) => j.status)).toEqual(['done']);

    const paths = (await files.selectFrom('public_site_files').select('path').execute()).map((r) => r.path);
    expect(paths.filter((p) => p.startsWith('csaf/'))).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(['.well-known/csaf/provider-metadata.json', '.well-known/csaf/white/2016/ossa-2016-007.json', '.well-known/csaf/white/2016/index.html']));
    const old = await anon.get('/csaf/white/2016/ossa-2016-007.json', '*/*');
    expect(old.statusCode).toBe(301);
    expect(old.headers.location).toBe('/.well-known/csaf/white/2016/ossa-2016-007.json');
    const doc = JSON.parse((await anon.get('/.well-known/csaf/white/2016/ossa-2016-007.json', '*/*')).body) as { document: { references: { category: string; url: string }[] } };
    expect(doc.document.references[0]).toMatchObject({ category: 'self', url: 'https://cordon.test/.well-known/csaf/white/2016/ossa-2016-007.json' });
    const audit = await files.selectFrom('audit_events').select(['action']).where('action', '=', 'publication.rebuilt').execute();
    expect(audit.length).toBeGreaterThan(0);
  });
});
