// The durable job table (DESIGN.md §4, outbox pattern): work that must survive a crash is written as a
// row in the same transaction as the change that causes it, then claimed by workers with a lease.
import { sql } from 'kysely';
import type { Db, DialectName, Storage } from '../storage/database.js';
import { skipLockedRows } from '../storage/locks.js';
import type { JobRow } from '../storage/tables.js';

export interface EnqueueOptions {
  runAt?: Date;
  /** A job with the same dedupe key is never queued twice (e.g. "embargo-end:report:42:v3"). */
  dedupeKey?: string;
  maxAttempts?: number;
}

/** Insert a job inside the caller's transaction. Returns the job id, or null when deduplicated. */
export async function enqueueJob(
  trx: Db,
  now: Date,
  kind: string,
  payload: unknown,
  options: EnqueueOptions = {},
): Promise<number | null> {
  const at = now.toISOString();
  const row = await trx
    .insertInto('jobs')
    .values({
      kind,
      payload: JSON.stringify(payload ?? {}),
      status: 'queued',
      run_at: (options.runAt ?? now).toISOString(),
      max_attempts: options.maxAttempts ?? 8,
      dedupe_key: options.dedupeKey ?? null,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export interface JobToQueue {
  kind: string;
  payload: unknown;
  options?: EnqueueOptions;
}

/** Insert many jobs with one statement (the batch lane's notifications); same rules as enqueueJob. */
export async function enqueueJobs(trx: Db, now: Date, jobs: readonly JobToQueue[]): Promise<void> {
  const at = now.toISOString();
  // Chunks keep each statement well under SQLite's and PostgreSQL's bound-parameter limits.
  for (let i = 0; i < jobs.length; i += 500) {
    const values = jobs.slice(i, i + 500).map((j) => ({
      kind: j.kind,
      payload: JSON.stringify(j.payload ?? {}),
      status: 'queued' as const,
      run_at: (j.options?.runAt ?? now).toISOString(),
      max_attempts: j.options?.maxAttempts ?? 8,
      dedupe_key: j.options?.dedupeKey ?? null,
      created_at: at,
      updated_at: at,
    }));
    await trx.insertInto('jobs').values(values).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
  }
}

/** Cancel queued jobs by dedupe key (many at once); same effect as cancelJob on each key. */
export async function cancelJobs(trx: Db, now: Date, dedupeKeys: readonly string[]): Promise<void> {
  const suffix = `#cancelled@${now.toISOString()}`;
  for (let i = 0; i < dedupeKeys.length; i += 500) {
    await trx
      .updateTable('jobs')
      .set({ status: 'cancelled', updated_at: now.toISOString(), dedupe_key: sql<string>`dedupe_key || ${suffix}` })
      .where('dedupe_key', 'in', dedupeKeys.slice(i, i + 500))
      // `status || ''` keeps SQLite from walking jobs_runnable (status, run_at) — every queued job — in
      // place of the unique dedupe_key index: without statistics it guesses an equality finds ~10 rows.
      .where(sql<string>`status || ''`, '=', 'queued')
      .execute();
  }
}

/** Cancel queued jobs by dedupe key (e.g. when an embargo moves); running jobs finish their attempt. */
export async function cancelJob(trx: Db, now: Date, dedupeKey: string): Promise<boolean> {
  const r = await trx
    .updateTable('jobs')
    .set({ status: 'cancelled', updated_at: now.toISOString(), dedupe_key: `${dedupeKey}#cancelled@${now.toISOString()}` })
    .where('dedupe_key', '=', dedupeKey)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Claim one runnable job: queued and due, or running with an expired lease (its worker died).
 * PostgreSQL: `FOR UPDATE SKIP LOCKED` lets several workers claim different rows without waiting.
 * SQLite: a single UPDATE … RETURNING is atomic because SQLite has one writer at a time.
 */
export async function claimJob(
  storage: Storage,
  now: Date,
  workerId: string,
  leaseMs: number,
  kinds: readonly string[],
): Promise<JobRow | null> {
  if (!kinds.length) return null;
  const at = now.toISOString();
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const kindList = sql.join(kinds.map((k) => sql`${k}`));
  const lockClause = skipLockedRows(storage.dialect);
  // Two index-ordered look-ups (jobs_runnable is (status, run_at)): a job whose lease expired, else the
  // oldest due queued job. One OR-ed condition made both databases collect and sort every due job on
  // each claim, which grew with the backlog (bench/results/PROFILE.md).
  const result = await sql<JobRow>`
    update jobs set status = 'running', locked_by = ${workerId}, locked_until = ${until},
      attempts = attempts + 1, updated_at = ${at}
    where id = coalesce(
      (select id from jobs
        where status = 'running' and locked_until < ${at} and kind in (${kindList})
        order by run_at, id limit 1 ${lockClause}),
      (select id from jobs
        where status = 'queued' and run_at <= ${at} and kind in (${kindList})
        order by run_at, id limit 1 ${lockClause})
    )
    returning *`.execute(storage.db);
  return result.rows[0] ?? null;
}

/**
 * Claim up to `limit` due queued jobs of one kind at once, oldest first (the batch lane; index
 * jobs_due_by_kind). Jobs whose lease expired are left to claimJob, which takes them over one by one.
 */
export async function claimJobBatch(storage: Storage, now: Date, workerId: string, leaseMs: number, kind: string, limit: number): Promise<JobRow[]> {
  const at = now.toISOString();
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const lockClause = skipLockedRows(storage.dialect);
  const result = await sql<JobRow>`
    update jobs set status = 'running', locked_by = ${workerId}, locked_until = ${until},
      attempts = attempts + 1, updated_at = ${at}
    where id in (select id from jobs
        where kind = ${kind} and status = 'queued' and run_at <= ${at}
        order by run_at, id limit ${limit} ${lockClause})
    returning *`.execute(storage.db);
  return result.rows.sort((a, b) => (a.run_at < b.run_at ? -1 : a.run_at > b.run_at ? 1 : a.id - b.id));
}

export class LeaseLostError extends Error {
  constructor(jobId: number) {
    super(`job ${jobId}: lease lost (another worker took it over); this attempt's changes were rolled back`);
    this.name = 'LeaseLostError';
  }
}

/** Mark a job done, only if this worker still holds its lease. Call inside the transaction with the job's effects. */
export async function completeJob(trx: Db, now: Date, job: Pick<JobRow, 'id' | 'locked_by'>): Promise<void> {
  const r = await trx
    .updateTable('jobs')
    .set({ status: 'done', completed_at: now.toISOString(), updated_at: now.toISOString(), locked_until: null, last_error: null })
    .where('id', '=', job.id)
    .where('status', '=', 'running')
    .where('locked_by', '=', job.locked_by)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new LeaseLostError(job.id);
}

/** Exponential backoff with a cap: 5 s, 10 s, 20 s … up to 1 hour. */
export function backoffMs(attempts: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/** Record a failed attempt: retry later, or move to the dead-letter state after max attempts. */
export async function failJob(db: Db, now: Date, job: JobRow, error: unknown): Promise<'retry' | 'dead'> {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const dead = job.attempts >= job.max_attempts;
  await db
    .updateTable('jobs')
    .set({
      status: dead ? 'dead' : 'queued',
      run_at: dead ? job.run_at : new Date(now.getTime() + backoffMs(job.attempts)).toISOString(),
      locked_by: null,
      locked_until: null,
      last_error: message.slice(0, 4000),
      updated_at: now.toISOString(),
    })
    .where('id', '=', job.id)
    .where('locked_by', '=', job.locked_by)
    // A handler that throws after its commit marked the job done must not put it back in the queue.
    .where('status', '=', 'running')
    .execute();
  return dead ? 'dead' : 'retry';
}

/** Extend the lease of a long-running job. */
export async function extendLease(db: Db, now: Date, job: JobRow, leaseMs: number): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ locked_until: new Date(now.getTime() + leaseMs).toISOString() })
    .where('id', '=', job.id)
    .where('status', '=', 'running')
    .where('locked_by', '=', job.locked_by)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function jobCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db.selectFrom('jobs').select(['status', db.fn.countAll<number>().as('n')]).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export async function retryDeadJob(db: Db, now: Date, id: number): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ status: 'queued', run_at: now.toISOString(), attempts: 0, updated_at: now.toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export type { DialectName };
