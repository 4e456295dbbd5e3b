// DESIGN.md §2: "A deadline must fire exactly once, even across restarts and with several app nodes
// running." Real worker processes (the compiled CLI) over one PostgreSQL database open ~100 reports whose
// embargo ended a day ago (through the batch lane of the job worker); then a worker is killed in the middle
// of a batch of openings and a new one takes over.
import { afterEach, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { verifyAuditChain } from '../../audit/audit.js';
import { EMBARGO_OPEN_JOB } from './schedule.js';
import { MAIL_JOB, type OutgoingMail } from '../../mail/outbox.js';
import { createProject } from '../../projects/projects.js';
import { describeOnPostgres } from '../../testing/databases.js';
import { cordonCli, WorkerProcesses } from '../../testing/worker-processes.js';
import { createTestApp, type TestApp } from '../../testing/harness.js';
import { repoPath } from '../../testing/fixture-files.js';
import { DAY, receive } from '../testing/deadline-fixtures.js';

const cli = cordonCli;
const fixture = repoPath('dist', 'reports', 'testing', 'embargo-worker.js');

describeOnPostgres('embargo deadlines with worker processes on PostgreSQL', () => {
  let t: TestApp;
  const workers = new WorkerProcesses([fixture]);

  afterEach(async () => {
    workers.killAll();
    await t?.close();
  });

  const start = (args: string[], extra: Record<string, string> = {}) => workers.start(t.db, args, extra);

  /** Reports received 91 days ago (so their embargo ended yesterday, in real time). */
  async function receiveOldReports(n: number): Promise<number[]> {
    t = await createTestApp('postgres');
    t.clock.set(new Date(Date.now() - 91 * DAY));
    await createProject(t.system, { slug: 'nova', name: 'Nova' });
    // No VMT accounts: the openings still mail each reporter, and the run stays short on a busy machine.
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push((await receive(t, { title: `Report ${i}` })).id);
    return ids;
  }

  const db = () => t.ctx.storage.db;
  const publicCount = async () => (await db().selectFrom('reports').select('id').where('visibility', '=', 'public').execute()).length;

  /** All reports public and no due job left (so the mail they caused went out too). */
  async function settled(total: number): Promise<boolean> {
    if ((await publicCount()) < total) return false;
    const now = new Date().toISOString();
    const due = await db().selectFrom('jobs').select('id').where('status', 'in', ['queued', 'running']).where('run_at', '<=', now).execute();
    return due.length === 0;
  }

  async function expectExactlyOnce(ids: number[]): Promise<void> {
    const opened = await db().selectFrom('report_events').select(['report_id']).where('kind', '=', 'opened_at_embargo_end').execute();
    const audited = await db().selectFrom('audit_events').select(['target_id']).where('action', '=', 'report.opened_at_embargo_end').execute();
    expect(opened.map((e) => e.report_id).sort((a, b) => a - b)).toEqual(ids);
    expect(audited.map((e) => Number(e.target_id)).sort((a, b) => a - b)).toEqual(ids);
    const reports = await db().selectFrom('reports').select(['state', 'visibility', 'public_at']).execute();
    expect(reports.every((r) => r.visibility === 'public' && r.state === 'public' && r.public_at)).toBe(true);
    // Warnings: at most one per report and distance (the opening cancels those not yet run).
    const warnings = await db().selectFrom('report_events').select(['report_id', 'data']).where('kind', '=', 'embargo_warning').execute();
    const keys = warnings.map((w) => `${w.report_id}:${(JSON.parse(w.data) as { days: number }).days}`);
    expect(new Set(keys).size).toBe(keys.length);
    const openJobs = await db().selectFrom('jobs').select('status').where('kind', '=', EMBARGO_OPEN_JOB).execute();
    expect(openJobs.map((j) => j.status)).toEqual(ids.map(() => 'done'));
    expect(await db().selectFrom('jobs').select('id').where('status', '=', 'dead').execute()).toEqual([]);
    const chain = await verifyAuditChain(db());
    expect(chain).toMatchObject({ ok: true });
    expect(chain.checked).toBeGreaterThan(ids.length * 2);
    // Every delivered mail is in the outbox (delivery is at-least-once, so a file may exist twice).
    const outbox = readdirSync(path.join(t.db.dataDir, 'outbox')).join('\n');
    const mails = await db().selectFrom('jobs').select('payload').where('kind', '=', MAIL_JOB).where('status', '=', 'done').execute();
    expect(mails.length).toBeGreaterThanOrEqual(ids.length);
    for (const m of mails) expect(outbox).toContain((JSON.parse(m.payload) as OutgoingMail).messageId!.replace(/[^a-zA-Z0-9._-]/g, ''));
  }

  it('two worker processes open 100 due reports, each exactly once', async () => {
    const ids = await receiveOldReports(100);
    const a = start([cli, 'worker']);
    const b = start([cli, 'worker']);
    await workers.until('every report opened and every mail sent', () => settled(ids.length), 45_000);
    await Promise.all([workers.stop(a), workers.stop(b)]);
    await expectExactlyOnce(ids);
    const finishers = await db().selectFrom('jobs').select('locked_by').distinct().where('status', '=', 'done').execute();
    expect(finishers).toHaveLength(2);
  });

  it('a worker killed in the middle of a batch of openings is replaced, and every report opens exactly once', async () => {
    const ids = await receiveOldReports(30);
    // Batches of three: the first commits, the second is held uncommitted when the worker is killed.
    const doomed = start([fixture], { WORKER_ID: 'doomed', LEASE_MS: '1500', HOLD_OPEN_AT: '2', BATCH_SIZE: '3' });
    const held = await workers.killWhenHolding(doomed);
    // Three openings committed; the next three died with their transaction, and their jobs still hold the dead lease.
    expect(await publicCount()).toBe(3);
    const job = await db().selectFrom('jobs').selectAll().where('id', '=', held).executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: 'running', locked_by: 'doomed', attempts: 1 });
    expect(await db().selectFrom('jobs').select('id').where('locked_by', '=', 'doomed').where('status', '=', 'running').execute()).toHaveLength(3);
    const heldReport = (JSON.parse(job.payload) as { reportId: number }).reportId;
    expect(await db().selectFrom('report_events').select('id').where('report_id', '=', heldReport).where('kind', '=', 'opened_at_embargo_end').execute()).toEqual([]);

    const survivor = start([cli, 'worker']);
    await workers.until('every report opened after the restart', () => settled(ids.length));
    await workers.stop(survivor);
    await expectExactlyOnce(ids);
    const after = await db().selectFrom('jobs').selectAll().where('id', '=', held).executeTakeFirstOrThrow();
    expect(after.status).toBe('done');
    expect(after.attempts).toBe(2);
    expect(after.locked_by).not.toBe('doomed');
  });
});
