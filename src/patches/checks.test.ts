// Apply checks that git cannot answer, and the recurring mirror sync as a durable job: a project without a
// repository, a branch the repository lacks, a repository that cannot be mirrored (recorded, then checked
// once it can be), and the mirror made on first need.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueJob } from '../jobs/queue.js';
import { createProject, updateProject } from '../projects/projects.js';
import { receiveReport } from '../reports/intake.js';
import { subscribe } from '../reports/ladder.js';
import { testDialects } from '../testing/databases.js';
import { SYNC_MIRRORS_JOB } from './jobs.js';
import { createPatchWorld, type PatchWorld } from './testing/world.js';

describe.each(testDialects())('apply checks without an answer from git, and the sync job, on %s', (dialect) => {
  let w: PatchWorld;
  let ref: string;
  const upload = (project: string, branch: string) => w.clients.developer!.json('POST', `/api/v1/reports/${ref}/patches`, { project, branch, mbox: w.patches.first });
  const statusOf = async (project: string, branch: string) => {
    const body = JSON.parse((await w.clients.vmt!.get(`/api/v1/reports/${ref}/patches`, 'application/json')).body) as { patches: { project: string; branch: string; current: { check: { status: string | null; git_message: string | null } } }[] };
    return body.patches.find((p) => p.project === project && p.branch === branch)?.current.check;
  };

  beforeAll(async () => {
    w = await createPatchWorld(dialect);
    const t = w.t;
    await createProject(t.system, { slug: 'horizon', name: 'Horizon', branches: ['master'] });
    await createProject(t.system, { slug: 'keystone', name: 'Keystone', branches: ['master', 'stable/zed'], repositories: [{ name: 'keystone', remoteUrl: w.upstream }] });
    await createProject(t.system, { slug: 'glance', name: 'Glance', branches: ['master'], repositories: [{ name: 'glance', remoteUrl: path.join(w.tmp, 'not-there-yet') }] });
    const vmt = await w.scopeOf(w.users.vmt);
    ref = (await receiveReport(vmt, { title: 'Three projects', description: 'd', projects: ['horizon', 'keystone', 'glance'], email: 'vmt@example.org' }, [], 'web')).report.ref;
    await subscribe(vmt, ref, { username: 'developer', level: 'developer', reason: 'fix' });
  }, 60_000);
  afterAll(async () => w.close());

  it('records why git was not asked: no repository, a missing branch, an unreachable repository', async () => {
    for (const [project, branch] of [['horizon', 'master'], ['keystone', 'stable/zed'], ['keystone', 'master'], ['glance', 'master']] as const) {
      const res = await upload(project, branch);
      expect(res.statusCode, res.body).toBe(201);
    }
    await w.drain();
    expect((await statusOf('horizon', 'master'))?.status).toBe('no_repository');
    const missing = await statusOf('keystone', 'stable/zed');
    expect(missing?.status).toBe('branch_missing');
    expect(missing?.git_message).toContain('The repository has no branch "stable/zed".');
    // The keystone mirror was made on first need, under DATA_DIR/mirrors/<project>/<repository>.
    expect((await statusOf('keystone', 'master'))?.status).toBe('applies_cleanly');
    expect(existsSync(path.join(w.t.ctx.config.dataDir, 'mirrors', 'keystone', 'keystone', 'HEAD'))).toBe(true);
    const unreachable = await statusOf('glance', 'master');
    expect(unreachable?.status).toBe('mirror_unavailable');
    // git's words (which may name an internal address) stay in the log.
    expect(unreachable?.git_message).not.toContain('not-there-yet');
    const page = await w.clients.developer!.get(`/reports/${ref}/patches`);
    expect(page.body).toContain('not checked: the project lists no repository');
    expect(page.body).toContain('the branch is not in the repository');
    expect(page.body).toContain('not checked: repository unreachable');
  }, 60_000);

  it('the recurring sync job records each mirror and checks again what it could not check before', async () => {
    const now = w.t.clock.now();
    await enqueueJob(w.t.ctx.storage.db, now, SYNC_MIRRORS_JOB, {});
    await w.drain();
    const db = w.t.ctx.storage.db;
    const mirrors = await db.selectFrom('patch_mirrors').innerJoin('projects', 'projects.id', 'patch_mirrors.project_id').select(['projects.slug', 'patch_mirrors.last_error', 'patch_mirrors.synced_at']).orderBy('projects.slug').execute();
    expect(mirrors.map((m) => [m.slug, m.last_error === null, m.synced_at !== null])).toEqual([
      ['glance', false, false],
      ['keystone', true, true],
      ['nova', true, true],
    ]);
    expect((await statusOf('glance', 'master'))?.status).toBe('mirror_unavailable');

    // The administrator fixes the address; the next sync makes the mirror and checks the patch.
    await updateProject(w.t.system, 'glance', { repositories: [{ name: 'glance', remoteUrl: w.upstream }] });
    await enqueueJob(db, now, SYNC_MIRRORS_JOB, {}, { dedupeKey: 'second-sync' });
    await w.drain();
    expect((await statusOf('glance', 'master'))?.status).toBe('applies_cleanly');
    // Checks already at the current head were not repeated.
    const masterChecks = await db.selectFrom('patch_checks').select('id').where('branch', '=', 'master').execute();
    expect(masterChecks.length).toBe(4); // horizon and keystone master once each, glance master twice
    const audit = await db.selectFrom('audit_events').select('action').where('action', '=', 'patch.mirrors_synced').execute();
    expect(audit).toHaveLength(2);
  }, 60_000);
});
