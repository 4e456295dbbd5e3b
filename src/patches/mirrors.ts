// The local mirror of every project repository, under DATA_DIR/mirrors/<project>/<repository>
// (DESIGN.md §4): made on first need, refreshed by `cordon patches sync` and a recurring job; when a
// branch head moves, the patches aimed at that branch are checked again.
import { existsSync } from 'node:fs';
import { projectIdBySlug, repositoriesWithProjects } from '../projects/projects.js';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { errors } from '../errors/catalogue.js';
import type { ChangeContext } from '../context.js';
import type { Db } from '../storage/database.js';
import { requestCheck } from './check-requests.js';
import { syncMirror } from './bare-mirror.js';

/** Project slugs are `[a-z0-9-]`; repository names `[A-Za-z0-9._-]`: refuse the two that name directories. */
export function mirrorDirFor(config: Pick<Config, 'dataDir'>, projectSlug: string, repository: string): string {
  for (const part of [projectSlug, repository]) {
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(part) || part.startsWith('.')) throw errors.field('repository', `"${part.slice(0, 60)}" cannot name a mirror directory.`);
  }
  return path.join(config.dataDir, 'mirrors', projectSlug, repository);
}

// One git run per mirror at a time in this process: a clone and a fetch of the same directory would trip
// over each other. (Across worker processes a collision fails one sync; its job retries.)
const locks = new Map<string, Promise<unknown>>();

function withMirrorLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const previous = locks.get(dir) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  locks.set(dir, tail);
  void tail.then(() => {
    if (locks.get(dir) === tail) locks.delete(dir);
  });
  return run;
}

/** Make the mirror when it is missing (the first check of a project needs it before the first sync). */
export async function ensureMirror(mirrorDir: string, remote: string): Promise<void> {
  if (existsSync(path.join(mirrorDir, 'HEAD'))) return;
  await withMirrorLock(mirrorDir, async () => {
    if (!existsSync(path.join(mirrorDir, 'HEAD'))) await syncMirror({ mirrorDir, remote });
  });
}

export interface SyncOutcome {
  projectId: number;
  projectSlug: string;
  repository: string;
  remoteUrl: string;
  heads: Record<string, string> | null;
  error: string | null;
}

/** Clone or refresh every repository of every project (or of one), one after another. Git work only. */
export async function syncMirrors(db: Db, config: Pick<Config, 'dataDir'>, filter: { projectSlug?: string } = {}): Promise<SyncOutcome[]> {
  let projectId: number | undefined;
  if (filter.projectSlug !== undefined) {
    projectId = await projectIdBySlug(db, filter.projectSlug);
    if (projectId === undefined) throw errors.field('project', `There is no project "${filter.projectSlug.slice(0, 60)}".`);
  }
  const outcomes: SyncOutcome[] = [];
  for (const repo of await repositoriesWithProjects(db, projectId)) {
    const base = { projectId: repo.projectId, projectSlug: repo.slug, repository: repo.name, remoteUrl: repo.remote_url };
    try {
      const dir = mirrorDirFor(config, repo.slug, repo.name);
      const state = await withMirrorLock(dir, () => syncMirror({ mirrorDir: dir, remote: repo.remote_url }));
      outcomes.push({ ...base, heads: state.heads, error: null });
    } catch (error) {
      outcomes.push({ ...base, heads: null, error: (error instanceof Error ? error.message : String(error)).slice(0, 2000) });
    }
  }
  return outcomes;
}

/**
 * Records the sync outcomes and queues a check for every current patch version whose latest check ran
 * at another head of its branch (or never ran), unless one is already on its way. In one transaction.
 */
export async function recordSyncOutcomes({ trx, now, audit }: ChangeContext, outcomes: readonly SyncOutcome[]): Promise<number> {
  const at = now.toISOString();
  let queued = 0;
  for (const o of outcomes) {
    const values = { project_id: o.projectId, repository: o.repository, remote_url: o.remoteUrl, last_attempt_at: at, last_error: o.error };
    await trx
      .insertInto('patch_mirrors')
      .values({ ...values, heads: JSON.stringify(o.heads ?? {}), synced_at: o.heads ? at : null })
      .onConflict((oc) => oc.columns(['project_id', 'repository']).doUpdateSet(o.heads ? { ...values, heads: JSON.stringify(o.heads), synced_at: at } : values))
      .execute();
    if (!o.heads) continue;
    const versions = await trx
      .selectFrom('patches')
      .innerJoin('patch_versions', (j) => j.onRef('patch_versions.patch_id', '=', 'patches.id').onRef('patch_versions.version', '=', 'patches.current_version'))
      .select(['patch_versions.id', 'patch_versions.checks_requested', 'patches.branch'])
      .where('patches.project_id', '=', o.projectId)
      .where('patches.repository', '=', o.repository)
      .where('patches.state', '=', 'active')
      .execute();
    for (const v of versions) {
      const latest = await trx.selectFrom('patch_checks').select(['head_sha', 'request_seq']).where('patch_version_id', '=', v.id).orderBy('id', 'desc').limit(1).executeTakeFirst();
      if ((latest?.request_seq ?? 0) < v.checks_requested) continue; // a check is on its way
      const head = o.heads[v.branch] ?? null;
      if (latest && latest.head_sha === head) continue;
      if (head === null && !latest) continue;
      if (await requestCheck(trx, now, v.id, 'branch_moved', head ?? 'none')) queued++;
    }
  }
  // A quiet refresh (nothing failed, nothing to check again) is routine, every 15 minutes: not audited.
  if (queued === 0 && outcomes.every((o) => o.error === null)) return 0;
  await audit('patch.mirrors_synced', 'patch_mirror', null, undefined, {
    repositories: outcomes.map((o) => ({ project: o.projectSlug, repository: o.repository, ok: o.error === null })),
    checks_queued: queued,
  });
  return queued;
}
