// The durable job table: dedupe, backoff, dead letters, recurring jobs, and exactly-once completion with
// two real worker processes and after a worker is killed mid-job.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { ManualClock } from '../clock.js';
import { testConfig } from '../config/config.js';
import { backoffMs, cancelJob, claimJob, enqueueJob } from './queue.js';
import { JobRegistry, Worker } from './worker.js';
import { childEnv, createTestStorage, describeOnPostgres, testDialects, type TestStorage } from '../testing/databases.js';
import { waitFor } from '../testing/worker-processes.js';
import { repoPath } from '../testing/fixture-files.js';

describe.each(testDialects())('job queue on %s', (dialect) => {
  let t: TestStorage;
  const clock = new ManualClock('2026-02-03T10:00:00.000Z');
  const config = testConfig();
  beforeAll(async () => {
    t = await createTestStorage(dialect);
  });
  afterAll(async () => t.cleanup());

  it('deduplicates by key and runs nothing before its time', async () => {
    const at = new Date(clock.now().getTime() + 60_000);
    const first = await enqueueJob(t.storage.db, clock.now(), 'k.later', { a: 1 }, { runAt: at, dedupeKey: 'once' });
    const second = await enqueueJob(t.storage.db, clock.now(), 'k.later', { a: 2 }, { runAt: at, dedupeKey: 'once' });
    expect(first).toBeTypeOf('number');
    expect(second).toBeNull();
    expect(await claimJob(t.storage, clock.now(), 'w', 1000, ['k.later'])).toBeNull();
    const claimed = await claimJob(t.storage, new Date(at.getTime() + 1), 'w', 1000, ['k.later']);
    expect(claimed?.id).toBe(first);
    expect(JSON.parse(claimed!.payload)).toEqual({ a: 1 });
  });

  it('cancels a queued job so it never runs, and frees its key', async () => {
    await enqueueJob(t.storage.db, clock.now(), 'k.cancel', {}, { dedupeKey: 'embargo:1' });
    expect(await cancelJob(t.storage.db, clock.now(), 'embargo:1')).toBe(true);
    expect(await claimJob(t.storage, clock.now(), 'w', 1000, ['k.cancel'])).toBeNull();
    expect(await enqueueJob(t.storage.db, clock.now(), 'k.cancel', {}, { dedupeKey: 'embargo:1' })).toBeTypeOf('number');
  });

  it('retries with backoff, then moves to the dead-letter state', async () => {
    const registry = new JobRegistry().register({ kind: 'k.fail', run: async () => Promise.reject(new Error('smtp down')) });
    const outcomes: string[] = [];
    const worker = new Worker({ storage: t.storage, config, clock, registry, onError: (_j, _e, o) => outcomes.push(o) });
    const id = await enqueueJob(t.storage.db, clock.now(), 'k.fail', {}, { maxAttempts: 3 });
    for (let i = 0; i < 3; i++) {
      await worker.drain();
      clock.advance(backoffMs(i + 1) + 1);
    }
    expect(outcomes).toEqual(['retry', 'retry', 'dead']);
    const row = await t.storage.db.selectFrom('jobs').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
    expect(row.status).toBe('dead');
    expect(row.attempts).toBe(3);
    expect(row.last_error).toContain('smtp down');
  });

  it('gives a kind with a long lease that lease before it runs, so nobody takes it over meanwhile', async () => {
    let seenUntil = '';
    const registry = new JobRegistry().register({
      kind: 'k.long',
      leaseMs: 600_000,
      run: async ({ job }) => {
        seenUntil = (await t.storage.db.selectFrom('jobs').select('locked_until').where('id', '=', job.id).executeTakeFirstOrThrow()).locked_until ?? '';
        // Past the worker's default 60 s claim lease, another worker finds nothing to take over.
        expect(await claimJob(t.storage, new Date(clock.now().getTime() + 120_000), 'other', 1000, ['k.long'])).toBeNull();
      },
    });
    await enqueueJob(t.storage.db, clock.now(), 'k.long', {});
    await new Worker({ storage: t.storage, config, clock, registry }).drain();
    expect(seenUntil).toBe(new Date(clock.now().getTime() + 600_000).toISOString());
  });

  it('runs a flood of one kind in batches before other work; a failing batch falls back to one job at a time', async () => {
    const batches: number[] = [];
    const order: string[] = [];
    const registry = new JobRegistry()
      .register({ kind: 'k.single', run: async ({ commit }) => commit(async () => void order.push('single')) })
      .register({
        kind: 'k.flood',
        run: async ({ payload, commit }) => {
          if ((payload as { n: number }).n === 7) throw new Error('poisoned');
          await commit(async ({ audit }) => audit('flood.one', 'n', (payload as { n: number }).n));
        },
        batch: {
          size: 100,
          run: async ({ jobs, commit }) => {
            batches.push(jobs.length);
            order.push('batch');
            await commit(async ({ audit }) => {
              for (const job of jobs) {
                const n = (JSON.parse(job.payload) as { n: number }).n;
                if (n === 7) throw new Error('poisoned');
                await audit('flood.one', 'n', n);
              }
            });
          },
        },
      });
    // The single job is older than the flood, yet the flood goes first.
    await enqueueJob(t.storage.db, new Date(clock.now().getTime() - 60_000), 'k.single', {});
    for (let n = 0; n < 250; n++) await enqueueJob(t.storage.db, clock.now(), 'k.flood', { n });
    const errors: unknown[] = [];
    expect(await new Worker({ storage: t.storage, config, clock, registry, onError: (_j, e) => errors.push(e) }).drain()).toBe(251);
    expect(batches).toEqual([100, 100, 50]);
    expect(order).toEqual(['batch', 'batch', 'batch', 'single']);
    // The first batch held the poisoned job: it rolled back, and its jobs ran one by one — all but one done.
    const audited = await t.storage.db.selectFrom('audit_events').select('target_id').where('action', '=', 'flood.one').execute();
    expect(audited).toHaveLength(249);
    expect(new Set(audited.map((a) => a.target_id)).size).toBe(249);
    const poisoned = await t.storage.db.selectFrom('jobs').selectAll().where('kind', '=', 'k.flood').where('status', '!=', 'done').execute();
    expect(poisoned).toHaveLength(1);
    expect(poisoned[0]).toMatchObject({ status: 'queued', attempts: 1 });
    expect(poisoned[0]!.last_error).toContain('poisoned');
    expect(errors).toHaveLength(1);
  });

  it('keeps a job done when its handler throws after committing', async () => {
    const registry = new JobRegistry().register({
      kind: 'k.late-throw',
      run: async ({ commit }) => {
        await commit(async () => undefined);
        throw new Error('after the commit');
      },
    });
    const id = await enqueueJob(t.storage.db, clock.now(), 'k.late-throw', {});
    const errors: unknown[] = [];
    await new Worker({ storage: t.storage, config, clock, registry, onError: (_j, e) => errors.push(e) }).drain();
    expect(errors).toHaveLength(1);
    expect((await t.storage.db.selectFrom('jobs').select('status').where('id', '=', id!).executeTakeFirstOrThrow()).status).toBe('done');
  });

  it('records a failure that could not be written at the time once the database is back, instead of waiting out the lease', async () => {
    let runs = 0;
    const registry = new JobRegistry().register({
      kind: 'k.outage',
      run: async ({ commit }) => {
        runs += 1;
        if (runs === 1) {
          // The job table goes away under the attempt (as it does when the database restarts): the attempt
          // fails, and so does writing that failure.
          await sql`alter table jobs rename to jobs_away`.execute(t.storage.db);
          throw new Error('database went away');
        }
        await commit(async () => undefined);
      },
    });
    const errors: unknown[] = [];
    const worker = new Worker({ storage: t.storage, config, clock, registry, onError: (_j, e) => errors.push(e) });
    const id = (await enqueueJob(t.storage.db, clock.now(), 'k.outage', {}))!;
    await expect(worker.drain()).rejects.toThrow(/jobs/);
    await sql`alter table jobs_away rename to jobs`.execute(t.storage.db);
    expect(await t.storage.db.selectFrom('jobs').select('status').where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ status: 'running' });

    // Back: the first thing the worker does is hand the job back for a retry after its backoff.
    expect(await worker.drain()).toBe(0);
    const row = await t.storage.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'queued', locked_by: null, attempts: 1 });
    expect(row.last_error).toContain('database went away');
    clock.advance(backoffMs(1) + 1);
    expect(await worker.drain()).toBe(1);
    expect((await t.storage.db.selectFrom('jobs').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('done');
    expect(errors).toHaveLength(1);
  });

  it('rolls back a job’s effects when its lease was taken over', async () => {
    let firstRun = true;
    const registry = new JobRegistry().register({
      kind: 'k.lease',
      run: async ({ commit, job }) => {
        if (firstRun) {
          firstRun = false;
          // Simulate another worker taking the job over after our lease expired.
          await t.storage.db.updateTable('jobs').set({ locked_by: 'someone-else' }).where('id', '=', job.id).execute();
        }
        await commit(({ audit }) => audit('test.lease_effect', 'test', null));
      },
    });
    const errors: unknown[] = [];
    const worker = new Worker({ storage: t.storage, config, clock, registry, onError: (_j, e) => errors.push(e) });
    await enqueueJob(t.storage.db, clock.now(), 'k.lease', {});
    await worker.drain();
    expect(String(errors[0])).toMatch(/lease lost/);
    const effects = await t.storage.db.selectFrom('audit_events').select('id').where('action', '=', 'test.lease_effect').execute();
    expect(effects).toHaveLength(0);
  });

  it('runs at most a group’s limit at once, counted at the claim: no over-take while a claimed job is starting', async () => {
    // Private CI's shape (CI_CONCURRENCY=1 over two kinds, a long lease, so the job starts after an await): the
    // worker could take four jobs at once, but only one of the group.
    let running = 0;
    let most = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const grouped = async () => {
      running += 1;
      most = Math.max(most, running);
      await gate;
      running -= 1;
    };
    const group = { name: 'k.group', limit: 1 };
    const registry = new JobRegistry()
      .register({ kind: 'k.group.a', leaseMs: 300_000, group, run: grouped })
      .register({ kind: 'k.group.b', leaseMs: 300_000, group, run: grouped })
      .register({ kind: 'k.free', run: async () => undefined });
    const ids: number[] = [];
    for (const kind of ['k.group.a', 'k.group.b', 'k.group.a']) ids.push((await enqueueJob(t.storage.db, clock.now(), kind, {}))!);
    const worker = new Worker({ storage: t.storage, config, clock, registry, concurrency: 4, pollMs: 20 });
    worker.start();
    try {
      await waitFor('a grouped job to run', async () => running > 0);
      // A job queued after it is done: the loop went round with the grouped job still running.
      const free = (await enqueueJob(t.storage.db, clock.now(), 'k.free', {}))!;
      await waitFor('the free job', async () => (await t.storage.db.selectFrom('jobs').select('status').where('id', '=', free).executeTakeFirst())?.status === 'done');
      const claimed = await t.storage.db.selectFrom('jobs').select('id').where('id', 'in', ids).where('status', '=', 'running').execute();
      expect(claimed).toHaveLength(1);
      release();
      await waitFor('every grouped job', async () => (await t.storage.db.selectFrom('jobs').select('status').where('id', 'in', ids).where('status', '=', 'done').execute()).length === 3);
      expect(most).toBe(1);
    } finally {
      release();
      await worker.stop();
    }
  });

  it('keeps one queued job per slot for recurring work', async () => {
    const registry = new JobRegistry().register({ kind: 'k.tick', run: async () => undefined }).every({ kind: 'k.tick', everyMs: 3_600_000 });
    const worker = new Worker({ storage: t.storage, config, clock, registry });
    await worker.scheduleRecurring();
    await worker.scheduleRecurring();
    const queued = await t.storage.db.selectFrom('jobs').select('id').where('kind', '=', 'k.tick').execute();
    expect(queued).toHaveLength(1);
    expect(await worker.drain()).toBe(1);
    clock.advance(3_600_000);
    await worker.scheduleRecurring();
    expect(await worker.drain()).toBe(1);
  });
});

const fixture = fileURLToPath(new URL('../../dist/jobs/testing/worker-fixture.js', import.meta.url));

function startWorkerProcess(t: TestStorage, extra: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [fixture], { env: childEnv(t, extra), stdio: ['ignore', 'pipe', 'inherit'], cwd: repoPath() });
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = pattern.exec(buf);
      if (m) {
        child.stdout?.off('data', onData);
        resolve(m[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before printing ${pattern}`)));
  });
}


describeOnPostgres('exactly once with worker processes on PostgreSQL', () => {
  let t: TestStorage;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    t = await createTestStorage('postgres');
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  });
  afterAll(async () => t.cleanup());

  it('two workers complete 300 jobs, each exactly once', async () => {
    const now = new Date();
    await t.storage.db.transaction().execute(async (trx) => {
      for (let n = 0; n < 300; n++) await enqueueJob(trx, now, 'test.record', { n });
    });
    const a = startWorkerProcess(t, { WORKER_ID: 'worker-a' });
    const b = startWorkerProcess(t, { WORKER_ID: 'worker-b' });
    children.push(a, b);
    await waitFor('all jobs done', async () => {
      const left = await t.storage.db.selectFrom('jobs').select('id').where('kind', '=', 'test.record').where('status', '!=', 'done').execute();
      return left.length === 0;
    });
    const effects = await t.storage.db.selectFrom('audit_events').select(['target_id', 'after_json']).where('action', '=', 'test.job_effect').execute();
    expect(effects).toHaveLength(300);
    expect(new Set(effects.map((e) => e.target_id)).size).toBe(300);
    const byWorker = new Set(effects.map((e) => (JSON.parse(e.after_json!) as { worker: string }).worker));
    expect(byWorker).toEqual(new Set(['worker-a', 'worker-b']));
  });

  it('a job whose worker is killed mid-job is completed once by another worker', async () => {
    const id = await enqueueJob(t.storage.db, new Date(), 'test.slow', { ms: 2500 });
    const doomed = startWorkerProcess(t, { WORKER_ID: 'doomed', LEASE_MS: '1500' });
    children.push(doomed);
    await waitForLine(doomed, new RegExp(`started ${id}`));
    doomed.kill('SIGKILL');
    // The survivor's own lease outlasts the job, so a loaded machine cannot make it lose its claim mid-run.
    const survivor = startWorkerProcess(t, { WORKER_ID: 'survivor', LEASE_MS: '10000' });
    children.push(survivor);
    const row = await waitFor('slow job done', async () => {
      const r = await t.storage.db.selectFrom('jobs').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
      return r.status === 'done' ? r : undefined;
    });
    expect(row.locked_by).toBe('survivor');
    expect(row.attempts).toBe(2);
    const effects = await t.storage.db.selectFrom('audit_events').select('after_json').where('action', '=', 'test.job_effect').where('target_id', '=', 'slow').execute();
    expect(effects.map((e) => (JSON.parse(e.after_json!) as { worker: string }).worker)).toEqual(['survivor']);
  });
});

