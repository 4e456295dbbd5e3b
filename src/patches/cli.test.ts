// `cordon patches sync` and `cordon patches rule` as real processes (npm test builds dist/ first).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { testConfig } from '../config/config.js';
import { createLogger } from '../logging.js';
import { createProject } from '../projects/projects.js';
import { childEnv, createTestStorage, testDialects, type TestStorage } from '../testing/databases.js';
import { repoPath } from '../testing/fixture-files.js';
import { commitFiles, initRepo, makeTempDir, removeDir } from './testing/support.js';

function cordon(t: TestStorage, args: string[]) {
  const r = spawnSync(process.execPath, [repoPath('bin', 'cordon.js'), ...args], { env: childEnv(t), encoding: 'utf8', cwd: repoPath() });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.each(testDialects())('cordon patches commands on %s', (dialect) => {
  let t: TestStorage;
  let tmp: string;

  beforeAll(async () => {
    t = await createTestStorage(dialect);
    tmp = makeTempDir();
    const upstream = initRepo(path.join(tmp, 'upstream'));
    commitFiles(upstream, { 'README.rst': 'Nova\n' }, 'Initial');
    const system = { app: { config: testConfig({ dataDir: t.dataDir }), storage: t.storage, clock: systemClock, log: createLogger({ logLevel: 'silent' }) }, actor: { kind: 'anonymous' as const }, requestId: null };
    await createProject(system, { slug: 'nova', name: 'Nova', branches: ['master'], repositories: [{ name: 'nova', remoteUrl: upstream }] });
    await createProject(system, { slug: 'swift', name: 'Swift', branches: ['master'], repositories: [{ name: 'swift', remoteUrl: path.join(tmp, 'missing') }] });
  });
  afterAll(async () => {
    await t.cleanup();
    removeDir(tmp);
  });

  it('sync mirrors one project, or all of them (exit 1 naming the repository that failed)', async () => {
    const one = cordon(t, ['patches', 'sync', '--project', 'nova']);
    expect(one.code, one.err).toBe(0);
    expect(one.out).toContain('nova/nova\tok\t1 branches');
    expect(one.out).toContain('1 repositories synced, 0 apply checks queued');
    expect(existsSync(path.join(t.dataDir, 'mirrors', 'nova', 'nova', 'HEAD'))).toBe(true);
    const all = cordon(t, ['patches', 'sync']);
    expect(all.code).toBe(1);
    expect(all.out).toMatch(/swift\/swift\tfailed\tgit clone failed/);
    const row = await t.storage.db.selectFrom('patch_mirrors').select(['repository', 'last_error']).where('repository', '=', 'swift').executeTakeFirstOrThrow();
    expect(row.last_error).toContain('git clone failed');
    const unknown = cordon(t, ['patches', 'sync', '--project', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('There is no project "nope".');
  });

  it('rule sets a project’s pre-approval rule, refusing nonsense', async () => {
    const ok = cordon(t, ['patches', 'rule', '--project', 'nova', '--coresec', '1', '--core-reviewers', '2']);
    expect(ok.code, ok.err).toBe(0);
    const rule = await t.storage.db.selectFrom('patch_review_rules').selectAll().executeTakeFirstOrThrow();
    expect([rule.coresec_approvals, rule.core_reviewer_approvals]).toEqual([1, 2]);
    const bad = cordon(t, ['patches', 'rule', '--project', 'nova', '--coresec', 'many']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('coresec: Give a whole number from 0 to 10.');
  });
});
