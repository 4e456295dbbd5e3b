// Patch review through the real HTTP stack, the durable job queue and the real git (issue 5): a series
// uploaded for master and a stable branch applies to master, needs a 3-way merge and conflicts on the
// stable branch; a new version supersedes the old one; re-checks when the branch moves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../testing/databases.js';
import { commitFiles, gitSync, numberedLines } from './testing/support.js';
import { createPatchWorld, postMultipart, STABLE, type PatchWorld } from './testing/world.js';
import { recordSyncOutcomes, syncMirrors } from './mirrors.js';
import { change, systemScope } from '../context.js';

interface PatchJson {
  id: number;
  branch: string;
  position: number;
  state: string;
  current: { version: number; subject: string; check: { status: string | null; pending: boolean; conflicting_files: string[]; head_sha: string | null }; review: { state: string } };
}

describe.each(testDialects())('patch upload, apply checks and versions on %s', (dialect) => {
  let w: PatchWorld;
  const list = async (): Promise<{ matrix: { branch: string; readiness: string; patches: number[] }[]; patches: PatchJson[] }> =>
    JSON.parse((await w.clients.vmt!.get(`/api/v1/reports/${w.ref}/patches`, 'application/json')).body) as never;
  const onBranch = async (branch: string) => (await list()).patches.filter((p) => p.branch === branch && p.state === 'active');

  beforeAll(async () => {
    w = await createPatchWorld(dialect);
  }, 60_000);
  afterAll(async () => w.close());

  it('a developer uploads a series for master and the stable branch from the web form; checks run as jobs', async () => {
    const res = await postMultipart(w.t, w.clients.developer!, `/reports/${w.ref}/patches`, [['targets', 'nova|nova|master'], ['targets', `nova|nova|${STABLE}`]], [{ field: 'files', filename: 'fix.mbox', content: w.patches.series }], `/reports/${w.ref}/patches`);
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    expect(res.headers.location).toBe(`/reports/${w.ref}/patches`);
    // Stored, with the checks queued but not yet run.
    const before = await onBranch('master');
    expect(before.map((p) => [p.position, p.current.subject, p.current.check.pending])).toEqual([
      [1, 'Validate the token', true],
      [2, 'Escape the query', true],
    ]);
    const jobs = await w.t.ctx.storage.db.selectFrom('jobs').select('payload').where('kind', '=', 'patches.apply_check').where('status', '=', 'queued').execute();
    expect(jobs).toHaveLength(4);

    expect(await w.drain()).toBeGreaterThanOrEqual(4);
    const master = await onBranch('master');
    expect(master.map((p) => p.current.check.status)).toEqual(['applies_cleanly', 'applies_cleanly']);
    expect(master[0]!.current.check.head_sha).toBe(gitSync(w.upstream, ['rev-parse', 'master']).trim());
    const stable = await onBranch(STABLE);
    // The first fix's context changed on stable (3-way); the second conflicts in db.py.
    expect(stable.map((p) => p.current.check.status)).toEqual(['applies_with_3way', 'conflicts']);
    expect(stable[1]!.current.check.conflicting_files).toEqual(['nova/db.py']);
  }, 60_000);

  it('the matrix shows each branch with its patches, check results and readiness', async () => {
    const page = await w.clients.developer!.get(`/reports/${w.ref}/patches`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('applies cleanly');
    expect(page.body).toContain('applies with 3-way merge');
    expect(page.body).toContain('conflicts in nova/db.py');
    expect(page.body).toContain('not ready');
    const { matrix } = await list();
    expect(matrix.map((m) => [m.branch, m.readiness, m.patches.length])).toEqual([
      ['master', 'not_ready', 2],
      [STABLE, 'not_ready', 2],
    ]);
  });

  it('the patch page shows metadata, the check and the diff, escaped, in both layouts', async () => {
    const [, second] = await onBranch(STABLE);
    const unified = await w.clients.reporter!.get(`/reports/${w.ref}/patches/${second!.id}`);
    expect(unified.statusCode).toBe(200);
    expect(unified.body).toContain('Jérôme Développeur &lt;jerome@example.org&gt;');
    expect(unified.body).toContain('Signed-off-by: Jérôme Développeur &lt;jerome@example.org&gt;');
    expect(unified.body).toContain('CONFLICT (content): Merge conflict in nova/db.py');
    expect(unified.body).toContain('escape(query)');
    expect(unified.body).toContain('class="diff-table unified"');
    const split = await w.clients.reporter!.get(`/reports/${w.ref}/patches/${second!.id}?view=split`);
    expect(split.body).toContain('class="diff-table side-by-side"');
  });

  it('a new version supersedes the old one, keeps its history, and is checked again', async () => {
    const [, second] = await onBranch(STABLE);
    const res = await w.clients.developer!.json('POST', `/api/v1/reports/${w.ref}/patches/${second!.id}/versions`, { mbox: w.patches.secondBackport });
    expect(res.statusCode, res.body).toBe(201);
    expect(JSON.parse(res.body)).toEqual({ version: 2 });
    await w.drain();
    const detail = JSON.parse((await w.clients.vmt!.get(`/api/v1/reports/${w.ref}/patches/${second!.id}`, 'application/json')).body) as {
      current_version: number;
      versions: { version: number; current: boolean; subject: string; superseded_at: string | null; check: { status: string } }[];
    };
    expect(detail.current_version).toBe(2);
    expect(detail.versions.map((v) => [v.version, v.current, v.subject, v.check.status])).toEqual([
      [1, false, 'Escape the query', 'conflicts'],
      // The check is of the series up to this patch: patch 1 still needs its 3-way merge on stable.
      [2, true, 'Escape the query (stable)', 'applies_with_3way'],
    ]);
    expect(detail.versions[0]!.superseded_at).not.toBeNull();
    const old = await w.clients.vmt!.get(`/reports/${w.ref}/patches/${second!.id}?version=1`);
    expect(old.body).toContain('You are reading version 1');
    expect(old.body).toContain('escape(query)');
  }, 60_000);

  it('a bare diff is accepted and marked "apply with git apply"', async () => {
    const res = await w.clients.developer!.json('POST', `/api/v1/reports/${w.ref}/patches`, { project: 'nova', branch: STABLE, mbox: w.patches.bareDiff });
    expect(res.statusCode, res.body).toBe(201);
    const [id] = (JSON.parse(res.body) as { targets: { patches: number[] }[] }).targets[0]!.patches;
    const detail = JSON.parse((await w.clients.vmt!.get(`/api/v1/reports/${w.ref}/patches/${id}`, 'application/json')).body) as { versions: { apply_with: string; author: unknown }[] };
    expect(detail.versions[0]).toMatchObject({ apply_with: 'git apply', author: null });
    // Abandoned again, so the stable series stays two patches long for the tests below.
    expect((await w.clients.developer!.json('POST', `/api/v1/reports/${w.ref}/patches/${id}/abandon`)).statusCode).toBe(204);
    expect((await onBranch(STABLE)).map((p) => p.id)).not.toContain(id);
  });

  it('when the branch head moves, a sync re-checks the patches aimed at it', async () => {
    await w.drain();
    // Upstream master now has its own change on line 5 of api.py: the first fix conflicts.
    gitSync(w.upstream, ['switch', '-q', 'master']);
    commitFiles(w.upstream, { 'nova/api.py': numberedLines(40, { 5: 'check(token)' }) }, 'Upstream change');
    const outcomes = await syncMirrors(w.t.ctx.storage.db, w.t.ctx.config);
    expect(outcomes.map((o) => [o.projectSlug, o.repository, o.error])).toEqual([['nova', 'nova', null]]);
    const queued = await change(systemScope(w.t.ctx), (c) => recordSyncOutcomes(c, outcomes));
    // Both master patches; the stable ones were checked at the current stable head already.
    expect(queued).toBe(2);
    // A second sync at the same heads queues nothing more.
    expect(await change(systemScope(w.t.ctx), (c) => recordSyncOutcomes(c, outcomes))).toBe(0);
    await w.drain();
    const master = await onBranch('master');
    expect(master.map((p) => p.current.check.status)).toEqual(['conflicts', 'blocked_by_earlier']);
    expect(master[0]!.current.check.head_sha).toBe(gitSync(w.upstream, ['rev-parse', 'master']).trim());
  }, 60_000);
});
