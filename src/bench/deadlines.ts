// "N embargo deadlines due in the same minute" (issue 9 §3): N private reports whose embargo ends within one
// 60-second window, scheduled with the app's own scheduleEmbargo (job kind embargo.open), opened by real
// `cordon worker` processes (two on PostgreSQL, one on SQLite, which is single-writer). Lateness of a
// deadline is public_at − embargo_end_at; we report the p50, the p99 and the latest.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Insertable } from 'kysely';
import { scheduleEmbargo } from '../reports/embargo/schedule.js';
import type { Database } from '../storage/tables.js';
import type { BenchDatabase } from './bench-db.js';
import { percentile } from './load-spec.js';
import { repoRoot } from './options.js';
import { Progress, say } from './progress.js';
import { insertRows } from './seed-people.js';
import type { Random } from './synthetic-text.js';

export interface DeadlineResult {
  /** Seconds between the first and the last deadline (60 on a full run). */
  window_s: number;
  deadlines: number;
  workers: number;
  worker_concurrency: number;
  opened: number;
  /** Lateness of the last opening (the latest deadline's opening may not be the latest one). */
  last_opened_late_s: number;
  p50_lateness_s: number;
  p99_lateness_s: number;
  openings_per_s: number;
  /** Openings recorded more than once (must be 0: exactly-once, DESIGN.md §2). */
  duplicate_openings: number;
  /** Seconds the scheduling ran past the first deadline (0 when it finished before). */
  scheduling_overran_s: number;
  schedule_seconds: number;
  timed_out: boolean;
  cancelled_jobs_before: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function startWorker(db: BenchDatabase, concurrency: number, log: string[], cpuProfileDir: string | undefined): ChildProcess {
  const profile = cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir] : [];
  const child = spawn(process.execPath, [...profile, path.join(repoRoot, 'bin', 'cordon.js'), 'worker'], {
    env: db.env({ LOG_LEVEL: 'warn', WORKER_CONCURRENCY: String(concurrency) }),
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  return child;
}

function stopWorker(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function runDeadlines(db: BenchDatabase, r: Random, count: number, options: { windowSeconds: number; insertRatePerSecond: number; timeoutSeconds: number; cpuProfileDir?: string | undefined }): Promise<DeadlineResult> {
  const { storage } = db;
  const workers = db.dialect === 'postgres' ? 2 : 1;
  const concurrency = 4;
  const now = new Date();
  // Mail queued by the HTTP phase (reports created under load) would run first and cloud the figure.
  const cancelled = await storage.db
    .updateTable('jobs')
    .set({ status: 'cancelled', updated_at: now.toISOString() })
    .where('status', '=', 'queued')
    .where('kind', 'not like', 'embargo.%')
    .where('run_at', '<=', now.toISOString())
    .executeTakeFirst();

  const project = await storage.db
    .insertInto('projects')
    .values({ slug: 'bench-deadlines', name: 'Bench deadlines', description: '', vmt_oversees: 1, security_contact: '', created_at: now.toISOString(), updated_at: now.toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  // The window starts once scheduling should be done (from the seeding rate, with room to spare for the
  // workers to start); a quick run's short window gets a shorter lead so the run stays about a minute.
  const windowMs = options.windowSeconds * 1000;
  const [minLeadMs, spareMs] = options.windowSeconds >= 60 ? [15_000, 10_000] : [5_000, 3_000];
  const leadMs = Math.max(minLeadMs, Math.ceil((count / Math.max(100, options.insertRatePerSecond)) * 1_500) + spareMs);
  const firstDue = Date.now() + leadMs;
  say(`deadlines: ${count.toLocaleString('en')} embargoes end between ${iso(firstDue)} and ${iso(firstDue + windowMs)} (${workers} worker process${workers > 1 ? 'es' : ''} × ${concurrency})`);
  const log: string[] = [];
  const children = Array.from({ length: workers }, () => startWorker(db, concurrency, log, options.cpuProfileDir));

  const scheduleStarted = Date.now();
  const bar = new Progress('scheduling deadlines', count);
  let minId = Number.MAX_SAFE_INTEGER;
  let maxId = 0;
  for (let start = 0; start < count; start += 500) {
    const rows: Insertable<Database['reports']>[] = [];
    for (let i = start; i < Math.min(count, start + 500); i++) {
      const end = iso(firstDue + Math.floor((i * windowMs) / count));
      const at = iso(now.getTime() - 90 * 86_400_000);
      rows.push({
        ref: r.reportRef(), title: `Deadline ${i}: report whose embargo ends now`, description: 'Seeded for the embargo deadline benchmark.', affected_versions: '', reproduction: '',
        already_public: 0, exploited: 0, disclosure_terms: '', credit_name: '', credit_affiliation: '', credit_wanted: 1, reporter_user_id: null, reporter_email: `deadline${i}@bench.example.org`,
        reporter_pgp_key: null, reporter_token_hash: r.hex(64), source: 'web', state: 'confirmed', class: null, visibility: 'private', coordinator_id: null, received_at: at, acknowledged_at: at,
        ack_deadline_at: at, escalated_at: null, embargo_end_at: end, embargo_version: 1, planned_disclosure_at: null, public_at: null, duplicate_of_id: null, impact_text: '', impact_fields: '{}',
        cve_requested_at: null, cve_requested_by: null, public_summary: null, created_at: at, updated_at: at,
      });
    }
    await storage.db.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto('reports').values(rows).returning(['id', 'embargo_end_at', 'embargo_version']).execute();
      await insertRows(trx, 'report_projects', inserted.map((x) => ({ report_id: x.id, project_id: project.id })));
      for (const row of inserted) {
        minId = Math.min(minId, row.id);
        maxId = Math.max(maxId, row.id);
        await scheduleEmbargo(trx, new Date(), row);
      }
    });
    bar.add(rows.length);
  }
  bar.finish();
  const scheduleSeconds = (Date.now() - scheduleStarted) / 1000;
  const overranMs = Math.max(0, Date.now() - firstDue);
  if (overranMs) say(`  note: scheduling finished ${(overranMs / 1000).toFixed(1)} s after the first deadline`);

  const inBatch = () => storage.db.selectFrom('reports').where('id', '>=', minId).where('id', '<=', maxId);
  const openedCount = async () => Number((await inBatch().where('visibility', '=', 'public').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const waitBar = new Progress('opening at deadline', count);
  const deadline = Date.now() + Math.max(leadMs, 0) + options.timeoutSeconds * 1000;
  let opened = 0;
  let last = 0;
  while (opened < count && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 500));
    opened = await openedCount();
    waitBar.add(opened - last);
    last = opened;
    if (children.every((c) => c.exitCode !== null)) break;
  }
  const timedOut = opened < count;
  waitBar.finish(timedOut ? '(timed out)' : '', !timedOut);
  await Promise.all(children.map(stopWorker));
  if (timedOut && log.length) say(`  worker output (last lines):\n${log.join('').slice(-2_000)}`);

  const rows = await inBatch().where('public_at', 'is not', null).select(['embargo_end_at', 'public_at']).execute();
  const lateness = rows.map((x) => (Date.parse(x.public_at!) - Date.parse(x.embargo_end_at)) / 1000).sort((a, b) => a - b);
  const lastOpen = rows.reduce((m, x) => Math.max(m, Date.parse(x.public_at!)), 0);
  const events = await storage.db
    .selectFrom('report_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('report_id', '>=', minId)
    .where('report_id', '<=', maxId)
    .where('kind', '=', 'opened_at_embargo_end')
    .executeTakeFirstOrThrow();
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    window_s: options.windowSeconds,
    deadlines: count,
    workers,
    worker_concurrency: concurrency,
    opened: rows.length,
    last_opened_late_s: round(lateness[lateness.length - 1] ?? 0),
    p50_lateness_s: round(percentile(lateness, 50)),
    p99_lateness_s: round(percentile(lateness, 99)),
    openings_per_s: round(rows.length / Math.max(0.001, (lastOpen - firstDue) / 1000)),
    duplicate_openings: Number(events.n) - rows.length,
    scheduling_overran_s: round(overranMs / 1000),
    schedule_seconds: round(scheduleSeconds),
    timed_out: timedOut,
    cancelled_jobs_before: Number(cancelled.numUpdatedRows),
  };
}
