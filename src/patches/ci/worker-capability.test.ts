// Why a worker cannot run private CI, for every worker (issue 20): each worker records with its heartbeat what
// it takes and why not (src/jobs/capabilities.ts), and /admin/jobs lists it per worker. Two real `cordon worker`
// processes on one database: one can sandbox; the other has no prlimit on its PATH (as on a machine without
// util-linux's), so it cannot. The page names each with its reason, and says so when no running worker can.
// And CI_CONCURRENCY is one limit over both CI kinds, counted by the worker when it claims.
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseCapabilities } from '../../jobs/capabilities.js';
import { detectSandbox } from '../../sandbox/index.js';
import { testDialects } from '../../testing/databases.js';
import { createTestApp, makeUser, signedInClient, type TestApp, type TestClient } from '../../testing/harness.js';
import { describeIf } from '../../testing/skips.js';
import { cordonCli, waitFor, WorkerProcesses } from '../../testing/worker-processes.js';
import { testConfig } from '../../config/config.js';
import { ciJobHandlers } from './run-job.js';
import { CI_RUN_JOB, CI_RUN_UNSANDBOXED_JOB } from './runs.js';

const availability = await detectSandbox();

/** A PATH with every program of this one except prlimit: symbolic links in a folder of their own. */
function pathWithout(program: string): string {
  const farm = mkdtempSync(path.join(os.tmpdir(), 'cordon-path-'));
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (name === program) continue;
      try {
        symlinkSync(path.join(dir, name), path.join(farm, name));
      } catch {
        // An earlier folder of PATH has it: that one wins, as in PATH.
      }
    }
  }
  return farm;
}

/** The table row of one worker on the jobs page. */
function rowOf(page: string, workerId: string): string {
  const start = page.indexOf(`<tr data-worker="${workerId}">`);
  expect(start, `no row for ${workerId}`).toBeGreaterThanOrEqual(0);
  return page.slice(start, page.indexOf('</tr>', start));
}

describeIf(availability.kind === 'bubblewrap', `no sandbox here: ${availability.reason}`, 'which workers take private CI runs', () => {
  const farm = pathWithout('prlimit');
  afterAll(() => rmSync(farm, { recursive: true, force: true }));

  describe.each(testDialects())('on %s', (dialect) => {
    let t: TestApp | undefined;
    const workers = new WorkerProcesses();
    afterEach(async () => {
      workers.killAll();
      await t?.close();
    });

    it('lists each worker with whether it can sandbox, and why not', async () => {
      t = await createTestApp(dialect);
      // The worker processes run on the real clock (their housekeeping ends sessions older than 30 days by it).
      t.clock.set(new Date());
      const admin: TestClient = await signedInClient(t, await makeUser(t, { username: 'admin', roles: ['admin'] }));
      const able = workers.start(t.db, [cordonCli, 'worker']);
      const unable = workers.start(t.db, [cordonCli, 'worker'], { PATH: farm });
      const db = t.ctx.storage.db;
      // Both have beaten after finding out about their sandbox.
      const { ableId, unableId } = await waitFor('both workers to record whether they take CI runs', async () => {
        const rows = await db.selectFrom('workers').select(['id', 'pid', 'capabilities']).where('pid', 'in', [able.pid!, unable.pid!]).execute();
        const known = rows.filter((r) => parseCapabilities(r.capabilities)?.some((c) => c.kind === CI_RUN_JOB && !c.note.startsWith('still checking')));
        return known.length === 2 && { ableId: known.find((r) => r.pid === able.pid)!.id, unableId: known.find((r) => r.pid === unable.pid)!.id };
      }, 60_000, () => workers.output.join('').slice(-3000));

      const page = (await admin.get('/admin/jobs')).body;
      expect(rowOf(page, ableId)).toContain('takes private CI runs');
      expect(rowOf(page, ableId)).toContain('sandboxed with bubblewrap');
      expect(rowOf(page, unableId)).toContain('leaves private CI runs queued');
      expect(rowOf(page, unableId)).toContain('this worker cannot sandbox (prlimit (util-linux) is not installed)');
      expect(page).not.toContain('No running worker takes private CI runs');

      // The one that can stops: nobody running takes the runs, and the page says so above the workers.
      await workers.stop(able);
      const after = (await admin.get('/admin/jobs')).body;
      expect(after).not.toContain(`data-worker="${ableId}"`);
      expect(rowOf(after, unableId)).toContain('leaves private CI runs queued');
      expect(after).toContain('No running worker takes private CI runs');
    }, 120_000);
  });
});

describe('CI_CONCURRENCY', () => {
  it('limits both CI kinds together, in one group the worker counts at claim (src/jobs/jobs.test.ts shows no over-take)', async () => {
    const t = await createTestApp('sqlite', { ci: { ...testConfig().ci, concurrency: 2 } });
    try {
      const handlers = ciJobHandlers(t.ctx);
      expect(handlers.map((h) => [h.kind, h.group])).toEqual([
        [CI_RUN_JOB, { name: CI_RUN_JOB, limit: 2 }],
        [CI_RUN_UNSANDBOXED_JOB, { name: CI_RUN_JOB, limit: 2 }],
      ]);
    } finally {
      await t.close();
    }
  });
});
