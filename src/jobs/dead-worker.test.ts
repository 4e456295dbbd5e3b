// Issue 21: a killed worker's jobs used to wait out the whole lease (60 s) before another worker took them.
// Workers now beat a heartbeat (workers.ts); two real worker processes with the product's defaults (60 s
// lease, 2 s heartbeat, dead after 10 s), one SIGKILLed while it holds a job: the other takes the job over
// and completes it — once — while the killed worker's lease is still running.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { enqueueJob } from './queue.js';
import { childEnv, createTestStorage, testDialects, type TestStorage } from '../testing/databases.js';
import { waitFor } from '../testing/worker-processes.js';
import { repoPath } from '../testing/fixture-files.js';

const fixture = fileURLToPath(new URL('../../dist/jobs/testing/worker-fixture.js', import.meta.url));
const LEASE_MS = 60_000;
const DEAD_AFTER_MS = 10_000; // the Worker's default

interface FixtureWorker {
  id: string;
  child: ChildProcess;
  /** When this worker printed "started <job id>", by job id. */
  started: Map<number, number>;
  output: string[];
}


describe.each(testDialects())('a killed worker’s job is taken over within seconds on %s', (dialect) => {
  let t: TestStorage;
  const workers: FixtureWorker[] = [];
  beforeAll(async () => {
    t = await createTestStorage(dialect);
  });
  afterEach(() => {
    for (const w of workers.splice(0)) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  });
  afterAll(async () => t.cleanup());

  function startWorker(id: string): FixtureWorker {
    const child = spawn(process.execPath, [fixture], { env: childEnv(t, { WORKER_ID: id, LEASE_MS: String(LEASE_MS), CONCURRENCY: '1' }), stdio: ['ignore', 'pipe', 'pipe'], cwd: repoPath() });
    const w: FixtureWorker = { id, child, started: new Map(), output: [] };
    child.stdout?.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/started (\d+)/g)) w.started.set(Number(m[1]), Date.now());
    });
    child.stderr?.on('data', (d: Buffer) => w.output.push(d.toString()));
    workers.push(w);
    return w;
  }

  it('SIGKILL of the worker holding a job: the other completes it once, before the old lease would have run out', async () => {
    const [a, b] = [startWorker(`${dialect}-a`), startWorker(`${dialect}-b`)];
    // Both announced and past their first dead-after window (a worker takes others for dead only once its
    // own heartbeats have held that long), as any worker that has been running for a while.
    await waitFor('both workers to be established', async () => {
      const rows = await t.storage.db.selectFrom('workers').selectAll().where('id', 'in', [a.id, b.id]).execute();
      return rows.length === 2 && rows.every((r) => Date.parse(r.heartbeat_at) - Date.parse(r.started_at) >= DEAD_AFTER_MS);
    });

    const id = (await enqueueJob(t.storage.db, new Date(), 'test.slow', { ms: 1000 }))!;
    const holder = await waitFor('a worker to start the job', async () => [a, b].find((w) => w.started.has(id)));
    const survivor = holder === a ? b : a;
    const held = await t.storage.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(held.locked_by).toBe(holder.id);
    const exited = new Promise((resolve) => holder.child.once('exit', resolve));
    holder.child.kill('SIGKILL');
    const killedAt = Date.now();
    await exited;

    const done = await waitFor('the job to be completed by the survivor', async () => {
      const row = await t.storage.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return row.status === 'done' ? row : undefined;
    });
    expect(done.locked_by).toBe(survivor.id);
    expect(done.attempts).toBe(2);
    // Taken over and finished while the killed worker's 60 s lease was still running.
    expect(Date.parse(done.completed_at!)).toBeLessThan(Date.parse(held.locked_until!));
    const effects = await t.storage.db.selectFrom('audit_events').select('after_json').where('action', '=', 'test.job_effect').where('target_id', '=', 'slow').execute();
    expect(effects.map((e) => (JSON.parse(e.after_json!) as { worker: string }).worker)).toEqual([survivor.id]);
    // The dead worker is forgotten; the survivor is still announced.
    expect((await t.storage.db.selectFrom('workers').select('id').where('id', 'in', [a.id, b.id]).execute()).map((r) => r.id)).toEqual([survivor.id]);

    const recoveryMs = survivor.started.get(id)! - killedAt;
    console.log(`[faults] ${dialect}: job taken over ${(recoveryMs / 1000).toFixed(1)} s after SIGKILL (lease ${LEASE_MS / 1000} s, dead after ${DEAD_AFTER_MS / 1000} s)`);
    expect(survivor.output.join('')).toBe('');
  });
});
