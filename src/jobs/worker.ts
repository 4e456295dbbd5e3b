// A job worker: claims due jobs, runs their handlers, and marks them done exactly once.
// Exactly-once completion: a handler does its database work through `ctx.commit(fn)`, which runs `fn`
// and marks the job done in ONE transaction guarded by the lease. `fn` gets the same ChangeContext as a
// request's change (context.ts), acting as the system, so its audit events and jobs join that transaction. If the worker dies mid-job, the lease
// expires, another worker takes the job over, and the dead worker's uncommitted work never happened.
// External effects (sending mail) are at-least-once; their handlers make them idempotent (Message-ID).
// A running worker beats a heartbeat (workers.ts) so a killed one's jobs are taken over in seconds, and a
// database that goes away makes the loop back off and resume, never crash (issue 21).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import { changeIn, type ChangeContext } from '../context.js';
import type { Storage } from '../storage/database.js';
import type { JobRow } from '../storage/tables.js';
import { claimJob, claimJobBatch, completeJob, enqueueJob, extendLease, failJob } from './queue.js';
import { beat, DEFAULT_DEAD_AFTER_MS, leave, releaseDeadWorkers, type ReleasedWorker } from './workers.js';

export interface JobContext {
  job: JobRow;
  payload: unknown;
  storage: Storage;
  clock: Clock;
  /** Run the job's database effects and mark it done, atomically. Call at most once. */
  commit: <T>(fn: (change: ChangeContext) => Promise<T>) => Promise<T>;
}

export interface BatchContext {
  jobs: JobRow[];
  storage: Storage;
  clock: Clock;
  /** Run the effects of every job of the batch and mark them all done, atomically. Call at most once. */
  commit: <T>(fn: (change: ChangeContext) => Promise<T>) => Promise<T>;
}

export interface JobHandler {
  kind: string;
  run: (ctx: JobContext) => Promise<void>;
  leaseMs?: number;
  /**
   * Optional batch lane for kinds that come due in floods (100,000 embargo deadlines in one minute): the
   * worker claims up to `size` due jobs of the kind at once, before any other work, and `run` handles them
   * in one transaction. It must have the same effects as `run` on each job. If a batch fails, each of its
   * jobs is run on its own through `run`, so one bad job cannot hold the others back.
   */
  batch?: { size: number; run: (ctx: BatchContext) => Promise<void> };
  /**
   * Whether this worker takes jobs of the kind right now (asked before each claim). A kind this worker cannot
   * run well stays queued for another worker instead of failing here: private CI runs need a sandbox
   * (issue 20), and a worker runs only so many at once.
   */
  claimable?: () => boolean;
  /**
   * At most `limit` jobs of the kinds that share `name` run on this worker at once (private CI: CI_CONCURRENCY
   * over its two kinds). The worker counts a job the moment its claim returns, before it claims again: a count
   * kept by the handler starts only when the job starts to run, after an await, by which time the loop may
   * have claimed another (issue 20).
   */
  group?: { name: string; limit: number };
}

/** Recurring work: the scheduler keeps one queued job per time slot, deduplicated by slot. */
export interface RecurringJob {
  kind: string;
  everyMs: number;
  payload?: unknown;
}

export class JobRegistry {
  private readonly handlers = new Map<string, JobHandler>();
  readonly recurring: RecurringJob[] = [];

  register(handler: JobHandler): this {
    if (this.handlers.has(handler.kind)) throw new Error(`job kind registered twice: ${handler.kind}`);
    this.handlers.set(handler.kind, handler);
    return this;
  }

  every(job: RecurringJob): this {
    this.recurring.push(job);
    return this;
  }

  get(kind: string): JobHandler | undefined {
    return this.handlers.get(kind);
  }

  batched(): JobHandler[] {
    return [...this.handlers.values()].filter((h) => h.batch);
  }

  kinds(): string[] {
    return [...this.handlers.keys()];
  }

  /** The kinds this worker takes now (handlers without a claimable filter or group always), given its jobs running per group. */
  claimableKinds(runningIn: (group: string) => number = () => 0): string[] {
    return [...this.handlers.values()].filter((h) => (h.claimable?.() ?? true) && (!h.group || runningIn(h.group.name) < h.group.limit)).map((h) => h.kind);
  }
}

export interface WorkerOptions {
  storage: Storage;
  clock: Clock;
  /** Handed to the jobs' changes (ChangeContext.config). */
  config: Config;
  registry: JobRegistry;
  concurrency?: number;
  pollMs?: number;
  leaseMs?: number;
  onError?: (job: JobRow, error: unknown, outcome: 'retry' | 'dead') => void;
  /** The loop could not claim work (the database is away); it tries again after `retryInMs`. */
  onLoopError?: (error: unknown, retryInMs: number) => void;
  /** Jobs of a worker found dead were released for others to take over. */
  onDeadWorker?: (released: ReleasedWorker) => void;
  workerId?: string;
  /** How often a running worker announces that it is alive (default 2 s). */
  heartbeatMs?: number;
  /** A worker silent this long is taken for dead and its jobs are released (default 10 s: five missed beats). */
  deadAfterMs?: number;
}

/** Backoff of the loop while the database is away: 1 s, 2 s, 4 s, then every 8 s until it is back. */
export function loopBackoffMs(pollMs: number, failures: number): number {
  return Math.min(Math.max(pollMs, 1000) * 2 ** Math.max(0, failures - 1), 8_000);
}

export class Worker {
  readonly id: string;
  private running = false;
  private active = 0;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private batchRunning = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  /** Since when every heartbeat succeeded (undefined after a failed one). */
  private beatingSince: number | undefined;
  private lastBeatAt: number | undefined;
  /** Failed attempts whose failure could not be written (the database was away): written first thing next. */
  private readonly unrecorded: { job: JobRow; error: unknown }[] = [];
  /** Jobs running per handler group (JobHandler.group), counted from their claim. */
  private readonly groupRunning = new Map<string, number>();
  processed = 0;

  constructor(private readonly options: WorkerOptions) {
    this.id = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startHeartbeat();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    clearInterval(this.heartbeat);
    await this.beating;
    await leave(this.options.storage.db, this.id).catch(() => undefined);
  }

  private startHeartbeat(): void {
    const every = this.options.heartbeatMs ?? 2_000;
    const tick = () => {
      if (this.beating) return;
      this.beating = this.beatOnce().finally(() => (this.beating = undefined));
    };
    this.heartbeat = setInterval(tick, every);
    this.heartbeat.unref();
    tick();
  }

  /**
   * Announce ourselves, then release the jobs of workers that went silent. Only after our own beats have
   * succeeded, on time, for a whole `deadAfterMs`: when the database comes back after an outage (or a long
   * SQLite write let nobody else in) every worker is silent in it, and the live ones must get the chance
   * to beat before anybody is taken for dead.
   */
  private async beatOnce(): Promise<void> {
    const { storage, clock } = this.options;
    const deadAfterMs = this.options.deadAfterMs ?? DEFAULT_DEAD_AFTER_MS;
    try {
      const now = clock.now();
      await beat(storage.db, this.id, now);
      // A beat that comes late (the database was busy or away, our event loop was blocked) starts the
      // count again: while we could not beat, others may not have been able to either.
      const late = this.lastBeatAt === undefined || now.getTime() - this.lastBeatAt > deadAfterMs / 2;
      this.lastBeatAt = now.getTime();
      if (late || this.beatingSince === undefined) this.beatingSince = now.getTime();
      if (now.getTime() - this.beatingSince < deadAfterMs) return;
      for (const released of await releaseDeadWorkers(storage.db, now, this.id, deadAfterMs)) {
        this.options.onDeadWorker?.(released);
        if (released.jobs) this.wake?.();
      }
    } catch {
      // The database is away; the claim loop reports that. Start counting again once it is back.
      this.beatingSince = undefined;
      this.lastBeatAt = undefined;
    }
  }

  /** Claim and run due jobs until none is left; used by tests and `cordon worker --once`. */
  async drain(maxJobs = 10_000): Promise<number> {
    let n = 0;
    while (n < maxJobs) {
      await this.recordFailures();
      const batch = await this.claimBatch();
      if (batch) {
        await this.executeBatch(batch.handler, batch.jobs);
        n += batch.jobs.length;
        continue;
      }
      const job = await this.claimNext();
      if (!job) break;
      const release = this.hold(job);
      try {
        await this.execute(job);
      } finally {
        release();
      }
      n += 1;
    }
    return n;
  }

  /** Ensure a queued job exists for the current slot of every recurring job. */
  async scheduleRecurring(): Promise<void> {
    const now = this.options.clock.now();
    for (const r of this.options.registry.recurring) {
      const slot = Math.floor(now.getTime() / r.everyMs);
      await enqueueJob(this.options.storage.db, now, r.kind, r.payload ?? {}, {
        runAt: new Date(slot * r.everyMs),
        dedupeKey: `recurring:${r.kind}:${slot}`,
        maxAttempts: 3,
      });
    }
  }

  private async claimNext(): Promise<JobRow | null> {
    const { storage, clock, registry } = this.options;
    return claimJob(storage, clock.now(), this.id, this.options.leaseMs ?? 60_000, registry.claimableKinds((group) => this.groupRunning.get(group) ?? 0));
  }

  /** Count a claimed job in its handler's group until the returned function is called. */
  private hold(job: JobRow): () => void {
    const group = this.options.registry.get(job.kind)?.group?.name;
    if (!group) return () => undefined;
    this.groupRunning.set(group, (this.groupRunning.get(group) ?? 0) + 1);
    return () => this.groupRunning.set(group, (this.groupRunning.get(group) ?? 1) - 1);
  }

  /** The first batch-lane kind with due jobs, claimed up to its batch size. */
  private async claimBatch(): Promise<{ handler: JobHandler; jobs: JobRow[] } | null> {
    const { storage, clock, registry } = this.options;
    for (const handler of registry.batched()) {
      const jobs = await claimJobBatch(storage, clock.now(), this.id, handler.leaseMs ?? this.options.leaseMs ?? 60_000, handler.kind, handler.batch!.size);
      if (jobs.length) return { handler, jobs };
    }
    return null;
  }

  private async run(): Promise<void> {
    const concurrency = this.options.concurrency ?? 4;
    const pollMs = this.options.pollMs ?? 1000;
    let lastRecurring = 0;
    let failures = 0;
    while (this.running) {
      try {
        if (Date.now() - lastRecurring > 15_000) {
          await this.scheduleRecurring();
          lastRecurring = Date.now();
        }
        await this.recordFailures();
        let claimed = false;
        // Floods of deadlines first, one batch at a time per worker (they share the database's writer).
        if (!this.batchRunning && this.active < concurrency) {
          const batch = await this.claimBatch();
          if (batch) {
            claimed = true;
            this.batchRunning = true;
            this.active += 1;
            void this.executeBatch(batch.handler, batch.jobs).finally(() => {
              this.batchRunning = false;
              this.active -= 1;
              this.wake?.();
            });
          }
        }
        // While a flood is being worked through, other work waits: on a small machine, mail composed
        // alongside would take the CPU the deadlines need (bench: p99 lateness 77 s → see PROFILE.md).
        while (this.running && !this.batchRunning && this.active < concurrency) {
          const job = await this.claimNext();
          if (!job) break;
          claimed = true;
          this.active += 1;
          // Counted now, before the next claim (JobHandler.group).
          const release = this.hold(job);
          void this.execute(job).finally(() => {
            release();
            this.active -= 1;
            this.wake?.();
          });
        }
        failures = 0;
        if (!claimed || this.active >= concurrency) await this.sleep(pollMs);
      } catch (error) {
        // Claiming failed: the database restarts, fails over or is unreachable. Jobs already claimed keep
        // their leases (and fail or finish on their own); wait, longer each time, and try again.
        failures += 1;
        const retryInMs = loopBackoffMs(pollMs, failures);
        this.options.onLoopError?.(error, retryInMs);
        await this.sleep(retryInMs);
      }
    }
    while (this.active > 0) await this.sleep(50);
  }

  /**
   * Hand back the jobs whose failure could not be recorded when it happened, so they retry after their
   * backoff instead of sitting out their lease (10 min for disclosure.run) once the database is back.
   */
  private async recordFailures(): Promise<void> {
    while (this.unrecorded.length) {
      const { job, error } = this.unrecorded[0]!;
      await failJob(this.options.storage.db, this.options.clock.now(), job, error);
      this.unrecorded.shift();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  async executeBatch(handler: JobHandler, jobs: JobRow[]): Promise<void> {
    const { storage, clock } = this.options;
    const leaseMs = handler.leaseMs ?? this.options.leaseMs ?? 60_000;
    const heartbeat = setInterval(() => void Promise.all(jobs.map((job) => extendLease(storage.db, clock.now(), job, leaseMs))).catch(() => undefined), Math.max(250, leaseMs / 3));
    let committed = false;
    try {
      await handler.batch!.run({
        jobs,
        storage,
        clock,
        commit: async (fn) => {
          if (committed) throw new Error('commit called twice');
          const result = await storage.db.transaction().execute(async (trx) => {
            const r = await fn(changeIn(trx, { dialect: storage.dialect, config: this.options.config }, clock.now()));
            // Lease-guarded like a single job: if any job was taken over, the whole batch rolls back.
            for (const job of jobs) await completeJob(trx, clock.now(), job);
            return r;
          });
          committed = true;
          return result;
        },
      });
      if (!committed) throw new Error(`the batch handler of ${handler.kind} did not commit`);
      this.processed += jobs.length;
    } catch (error) {
      clearInterval(heartbeat);
      if (committed) {
        // The effects and the completion are committed; what failed afterwards changes nothing.
        this.processed += jobs.length;
        for (const job of jobs) this.options.onError?.(job, error, 'retry');
        return;
      }
      // Nothing of the batch was committed: each job runs on its own (still under our lease, and with its
      // own heartbeat), so one bad job fails, retries or dies alone.
      for (const job of jobs) await this.execute(job);
      return;
    }
    clearInterval(heartbeat);
  }

  async execute(job: JobRow): Promise<void> {
    const { storage, clock, registry } = this.options;
    const handler = registry.get(job.kind);
    const leaseMs = handler?.leaseMs ?? this.options.leaseMs ?? 60_000;
    // The claim took the worker's default lease; a kind with a longer one (disclosure.run: 10 min) gets it
    // now, or the first heartbeat (leaseMs / 3) would come after the claim lease ran out and another
    // worker could take the job over while this one is still running it.
    if (handler?.leaseMs !== undefined && handler.leaseMs !== (this.options.leaseMs ?? 60_000)) await extendLease(storage.db, clock.now(), job, leaseMs).catch(() => undefined);
    const heartbeat = setInterval(() => void extendLease(storage.db, clock.now(), job, leaseMs).catch(() => undefined), Math.max(250, leaseMs / 3));
    let committed = false;
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler.run({
        job,
        payload: JSON.parse(job.payload) as unknown,
        storage,
        clock,
        commit: async (fn) => {
          if (committed) throw new Error('commit called twice');
          const result = await storage.db.transaction().execute(async (trx) => {
            const r = await fn(changeIn(trx, { dialect: storage.dialect, config: this.options.config }, clock.now()));
            await completeJob(trx, clock.now(), job);
            return r;
          });
          committed = true;
          return result;
        },
      });
      if (!committed) await storage.db.transaction().execute((trx) => completeJob(trx, clock.now(), job));
      this.processed += 1;
    } catch (error) {
      const outcome = await failJob(storage.db, clock.now(), job, error).catch(() => {
        this.unrecorded.push({ job, error });
        return 'retry' as const;
      });
      this.options.onError?.(job, error, outcome);
    } finally {
      clearInterval(heartbeat);
    }
  }
}
