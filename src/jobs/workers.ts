// Workers announce themselves (issue 21): each running worker beats a heartbeat into `workers`, and a
// worker whose heartbeat is older than `deadAfterMs` is taken for dead — its running jobs' leases are
// ended at once, so another worker takes them over in seconds instead of waiting out a 60 s (or 10 min)
// lease. Exactly-once completion does not rest on this: completion stays lease-guarded (queue.ts), so a
// worker wrongly taken for dead (paused, cut off) only loses its attempt, which is rolled back.
import { hostname } from 'node:os';
import type { Db } from '../storage/database.js';
import type { WorkersTable } from '../storage/tables.js';
import { capabilities, parseCapabilities, type Capability } from './capabilities.js';

/** A worker silent this long is taken for dead (five missed beats of 2 s); Worker's deadAfterMs default. */
export const DEFAULT_DEAD_AFTER_MS = 10_000;

/** Insert or refresh this worker's row, with what it takes now (a sandbox can come or go: capabilities.ts). */
export async function beat(db: Db, workerId: string, now: Date): Promise<void> {
  const at = now.toISOString();
  const caps = JSON.stringify(capabilities());
  await db
    .insertInto('workers')
    .values({ id: workerId, host: hostname(), pid: process.pid, started_at: at, heartbeat_at: at, capabilities: caps })
    .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: at, capabilities: caps }))
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

export interface WorkerView extends Omit<WorkersTable, 'capabilities'> {
  /** null: it has not said (a worker from before migration 0028, or before its first beat). */
  capabilities: Capability[] | null;
  /** Its heartbeat is older than `deadAfterMs`: it is gone or stuck, and takes nothing. */
  silent: boolean;
}

/** Every worker that announced itself, for the admin's job page. */
export async function listWorkers(db: Db, now: Date, deadAfterMs: number): Promise<WorkerView[]> {
  const cutoff = new Date(now.getTime() - deadAfterMs).toISOString();
  const rows = await db.selectFrom('workers').selectAll().orderBy('host').orderBy('started_at').orderBy('id').limit(200).execute();
  return rows.map((r) => ({ ...r, capabilities: parseCapabilities(r.capabilities), silent: r.heartbeat_at < cutoff }));
}
