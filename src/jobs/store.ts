// What other code reads from (or, for the outbox, ends in) the job table, asked here instead of queried
// (issue 16 item 1: jobs owns `jobs`). Claiming, completing and retrying jobs live in queue.ts.
import type { Db } from '../storage/database.js';
import type { JobRow } from '../storage/tables.js';

/** Jobs still to run and jobs failed for good, newest first (the admin's queue page). */
export async function unfinishedAndDeadJobs(db: Db, limit: number): Promise<JobRow[]> {
  return db.selectFrom('jobs').selectAll().where('status', 'in', ['dead', 'queued', 'running']).orderBy('id', 'desc').limit(limit).execute();
}

export type JobSummary = Pick<JobRow, 'id' | 'payload' | 'status' | 'last_error' | 'attempts' | 'created_at' | 'updated_at'>;

export async function jobSummary(db: Db, id: number): Promise<JobSummary | undefined> {
  return db.selectFrom('jobs').select(['id', 'payload', 'status', 'last_error', 'attempts', 'created_at', 'updated_at']).where('id', '=', id).executeTakeFirst();
}

/** One job of this kind that failed for good, or undefined. */
export async function deadJobOfKind(db: Db, kind: string, id: number): Promise<JobSummary | undefined> {
  return db.selectFrom('jobs').select(['id', 'payload', 'status', 'last_error', 'attempts', 'created_at', 'updated_at']).where('id', '=', id).where('kind', '=', kind).where('status', '=', 'dead').executeTakeFirst();
}

/**
 * Jobs of this kind that failed for good, newest first; `payloadLike` narrows by a LIKE pattern on the
 * payload (the caller makes sure it holds no wildcard it did not mean).
 */
export async function deadJobsOfKind(db: Db, kind: string, opts: { payloadLike?: string; limit: number }): Promise<JobSummary[]> {
  let q = db.selectFrom('jobs').select(['id', 'payload', 'status', 'last_error', 'attempts', 'created_at', 'updated_at']).where('status', '=', 'dead').where('kind', '=', kind);
  if (opts.payloadLike !== undefined) q = q.where('payload', 'like', opts.payloadLike);
  return q.orderBy('id', 'desc').limit(opts.limit).execute();
}

/**
 * Ends a job for good from inside its own run (a permanent failure: no retry can help), while this
 * worker still holds its lease; the worker's own failure update then finds nothing left to change.
 */
export async function endJobForGood(db: Db, job: Pick<JobRow, 'id' | 'locked_by'>, message: string, now: Date): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ status: 'dead', last_error: message.slice(0, 4000), locked_by: null, locked_until: null, updated_at: now.toISOString() })
    .where('id', '=', job.id)
    .where('locked_by', '=', job.locked_by)
    .execute();
}
