// Workers announce themselves (issue 21): each running worker beats a heartbeat into `workers`, and a
// worker whose heartbeat is older than `deadAfterMs` is taken for dead — its running jobs' leases are
// ended at once, so another worker takes them over in seconds instead of waiting out a 60 s (or 10 min)
// lease. Exactly-once completion does not rest on this: completion stays lease-guarded (queue.ts), so a
// worker wrongly taken for dead (paused, cut off) only loses its attempt, which is rolled back.
import { hostname } from 'node:os';
import type { Db } from '../storage/database.js';

/** Insert or refresh this worker's row. */
export async function beat(db: Db, workerId: string, now: Date): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('workers')
    .values({ id: workerId, host: hostname(), pid: process.pid, started_at: at, heartbeat_at: at })
    .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: at }))
    .execute();
}

/** A worker that stops cleanly leaves; its jobs were finished or handed back already. */
export async function leave(db: Db, workerId: string): Promise<void> {
  await db.deleteFrom('workers').where('id', '=', workerId).execute();
}

export interface ReleasedWorker {
  workerId: string;
  jobs: number;
}

/**
 * End the leases of the running jobs of every worker whose heartbeat is older than `deadAfterMs`, and
 * forget those workers. The jobs are then claimable like any job whose lease ran out (claimJob).
 */
export async function releaseDeadWorkers(db: Db, now: Date, selfId: string, deadAfterMs: number): Promise<ReleasedWorker[]> {
  const cutoff = new Date(now.getTime() - deadAfterMs).toISOString();
  const at = now.toISOString();
  const dead = await db.selectFrom('workers').select('id').where('heartbeat_at', '<', cutoff).where('id', '!=', selfId).execute();
  const released: ReleasedWorker[] = [];
  for (const { id } of dead) {
    const r = await db
      .updateTable('jobs')
      .set({ locked_until: at, updated_at: at })
      .where('status', '=', 'running')
      .where('locked_by', '=', id)
      .where('locked_until', '>', at)
      .executeTakeFirst();
    // Only if it is still silent: a worker that came back meanwhile keeps its row (and refreshes its leases).
    await db.deleteFrom('workers').where('id', '=', id).where('heartbeat_at', '<', cutoff).execute();
    released.push({ workerId: id, jobs: Number(r.numUpdatedRows) });
  }
  return released;
}

export async function liveWorkers(db: Db, now: Date, deadAfterMs: number): Promise<string[]> {
  const cutoff = new Date(now.getTime() - deadAfterMs).toISOString();
  const rows = await db.selectFrom('workers').select('id').where('heartbeat_at', '>=', cutoff).orderBy('id').execute();
  return rows.map((r) => r.id);
}
