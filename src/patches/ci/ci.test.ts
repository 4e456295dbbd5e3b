// Private CI end to end (issue 20), on both databases, with the real git, the real sandbox and real test
// suites: a Python package (pytest) and a Node package (node --test), each with master and a stable branch.
// The fix passes on master and breaks a stable test: the matrix shows passed / failed, the run page has the
// failing test's output; a hanging test is timed out at the recipe's limit; a new version and a moved branch
// head each cause a new run; the re-run button works for coresec and is refused to the reporter; "require
// passing tests" keeps a branch from "ready" until its tests pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueJob } from '../../jobs/queue.js';
import { beat, leave } from '../../jobs/workers.js';
import { testDialects } from '../../testing/databases.js';
import { SYNC_MIRRORS_JOB } from '../jobs.js';
import { commitFiles, gitSync } from '../testing/support.js';
import { CI_STABLE, createCiWorld, type CiWorld } from '../testing/ci-world.js';
import { makeUser, signedInClient } from '../../testing/harness.js';
import { rememberSandboxAvailability } from './capability.js';
import { whenSandboxKnown } from './run-job.js';

interface RunJson {
  id: number;
  url: string;
  branch: string;
  status: string;
  series_label: string;
  head_sha: string;
  reason: string;
  sandboxed: boolean | null;
  limit_hit: string | null;
  project_id: number;
}
interface MatrixJson {
  matrix: { project: string; branch: string; readiness: string; reasons: string[]; tests: { required: boolean; latest_run: RunJson | null } | null }[];
  patches: { id: number; project: string; branch: string }[];
}

describe.each(testDialects())('private CI on %s', (dialect) => {
  let w: CiWorld;
  let ref: string;
  const runs = async () => (JSON.parse((await w.clients.vmt!.get(`/api/v1/reports/${ref}/patches/runs`, 'application/json')).body) as { runs: RunJson[] }).runs;
  const matrix = async () => JSON.parse((await w.clients.vmt!.get(`/api/v1/reports/${ref}/patches`, 'application/json')).body) as MatrixJson;
  const cell = async (project: string, branch: string) => (await matrix()).matrix.find((m) => m.project === project && m.branch === branch)!;
  const upload = async (project: string, branches: string[], mbox: string, replace = false) => {
    const res = await w.clients.developer!.json('POST', `/api/v1/reports/${ref}/patches`, { project, branches, mbox, ...(replace ? { replace_series: true } : {}) });
    expect(res.statusCode, res.body).toBe(201);
  };

  beforeAll(async () => {
    w = await createCiWorld(dialect);
    ref = w.ref;
    const py = await w.clients.lead!.json('PUT', '/api/v1/projects/calc/test-recipe', { test_command: `${w.python.executable} -m pytest -q -p no:cacheprovider`, time_limit_seconds: 120, require_passing: true });
    expect(py.statusCode, py.body).toBe(200);
    await upload('calc', ['master', CI_STABLE], w.fixes.py);
    await upload('port', ['master', CI_STABLE], w.fixes.js);
    await w.drain();
    // Port gets its recipe only after its patches were checked: saving it queues their first runs.
    expect(await runs()).toHaveLength(2);
    const js = await w.clients.vmt!.json('PUT', '/api/v1/projects/port/test-recipe', { test_command: 'node --test', time_limit_seconds: 120, artifact_paths: ['port.js'] });
    expect(js.statusCode, js.body).toBe(200);
    expect(await runs()).toHaveLength(4);
    await w.drain();
  }, 240_000);
  afterAll(async () => w?.close());

  it('the fix passes on master and fails on stable, for pytest and node --test, shown in the matrix', async () => {
    for (const project of ['calc', 'port']) {
      const master = await cell(project, 'master');
      const stable = await cell(project, CI_STABLE);
      expect(master.tests?.latest_run, `${project} master`).toMatchObject({ status: 'passed', sandboxed: true, branch: 'master' });
      expect(stable.tests?.latest_run, `${project} stable`).toMatchObject({ status: 'failed', sandboxed: true, branch: CI_STABLE });
    }
    const page = await w.clients.developer!.get(`/reports/${ref}/patches`);
    expect(page.statusCode).toBe(200);
    const stableRun = (await cell('calc', CI_STABLE)).tests!.latest_run!;
    const masterRun = (await cell('calc', 'master')).tests!.latest_run!;
    expect(page.body).toContain(`href="${stableRun.url}" class="run-link"><span class="badge danger">tests fail</span>`);
    expect(page.body).toContain(`href="${masterRun.url}" class="run-link"><span class="badge ok">tests pass</span>`);
  });

  it('the run page shows the failing test’s output, escaped, and the commit tested', async () => {
    const calcRun = (await cell('calc', CI_STABLE)).tests!.latest_run!;
    const page = await w.clients.developer!.get(calcRun.url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('test_port_zero_still_accepted');
    expect(page.body).toContain('ValueError: port out of range');
    expect(page.body).toContain(gitSync(w.upstream.py, ['rev-parse', CI_STABLE]).trim());
    const portRun = (await cell('port', CI_STABLE)).tests!.latest_run!;
    const portPage = await w.clients.developer!.get(portRun.url);
    expect(portPage.body).toContain('port zero still accepted');
    expect(portPage.body).toContain('RangeError');
    // The artifact the recipe keeps (the patched file) is served to readers of the report.
    const artifact = await w.clients.developer!.get(`${portRun.url}/artifact?n=0`, 'application/octet-stream');
    expect(artifact.statusCode).toBe(200);
    expect(artifact.body).toContain('port out of range');
    const log = await w.clients.developer!.get(`${portRun.url}/log`, 'text/plain');
    expect(log.headers['content-type']).toMatch(/^text\/plain/);
    expect(log.body).toContain('port zero still accepted');
  });

  it('"require passing tests" keeps stable from ready until its tests pass', async () => {
    const vote = async (project: string, branch: string) => {
      const id = (await matrix()).patches.find((p) => p.project === project && p.branch === branch)!.id;
      expect((await w.clients.coresec!.json('POST', `/api/v1/reports/${ref}/patches/${id}/votes`, { score: 2 })).statusCode).toBe(201);
    };
    await vote('calc', 'master');
    await vote('calc', CI_STABLE);
    expect((await cell('calc', 'master')).readiness).toBe('ready');
    const stable = await cell('calc', CI_STABLE);
    expect(stable.readiness).toBe('not_ready');
    expect(stable.reasons).toEqual(['the tests did not pass (fail)']);
    // Without the requirement the same branch is ready: only the tests held it back.
    expect((await w.clients.lead!.json('PUT', '/api/v1/projects/calc/test-recipe', { require_passing: false })).statusCode).toBe(200);
    expect((await cell('calc', CI_STABLE)).readiness).toBe('ready');
    expect((await w.clients.lead!.json('PUT', '/api/v1/projects/calc/test-recipe', { require_passing: true })).statusCode).toBe(200);
    // The pre-notice checklist says the tests do not pass everywhere, and where.
    const disclosure = await w.clients.vmt!.get(`/reports/${ref}/disclosure`);
    expect(disclosure.statusCode).toBe(200);
    expect(disclosure.body).toMatch(/<li class="todo"><span class="mark" aria-hidden="true">•<\/span> <strong>Tests pass on every branch<\/strong>/);
    expect(disclosure.body).toContain(`Calc ${CI_STABLE}: <a href="${stable.tests!.latest_run!.url}">tests fail</a>`);
  });

  it('a new version of the series causes a new run of that version', async () => {
    const before = (await runs()).length;
    await upload('calc', ['master'], w.fixes.pyV2, true);
    const pending = await cell('calc', 'master');
    expect(pending.readiness).toBe('not_ready');
    await w.drain();
    const after = await runs();
    expect(after.length).toBe(before + 1);
    expect(after[0]).toMatchObject({ branch: 'master', status: 'passed', series_label: '1: v2', reason: 'applied' });
    expect((await cell('calc', 'master')).tests?.latest_run?.id).toBe(after[0]!.id);
  }, 120_000);

  it('a moved branch head causes a new run at the new head', async () => {
    const before = await runs();
    const head = commitFiles(w.upstream.js, { 'README.md': 'Port\n' }, 'Add a README');
    await enqueueJob(w.t.ctx.storage.db, w.t.clock.now(), SYNC_MIRRORS_JOB, {}, { dedupeKey: 'ci-test-sync' });
    await w.drain();
    const after = await runs();
    const fresh = after.filter((r) => !before.some((b) => b.id === r.id));
    expect(fresh.map((r) => [r.branch, r.head_sha, r.status])).toEqual([['master', head, 'passed']]);
  }, 120_000);

  it('the re-run button works for coresec and is refused to the reporter', async () => {
    const run = (await cell('port', CI_STABLE)).tests!.latest_run!;
    const before = (await runs()).length;
    const reporterPage = await w.clients.reporter!.get(run.url);
    expect(reporterPage.statusCode).toBe(200);
    expect(reporterPage.body).not.toContain('/rerun');
    const refused = await w.clients.reporter!.post(`${run.url}/rerun`, {}, run.url);
    expect(refused.statusCode).toBe(303);
    const refusedApi = await w.clients.reporter!.json('POST', `/api/v1/reports/${ref}/patches/runs/${run.id}/rerun`);
    expect(refusedApi.statusCode).toBe(403);
    expect((await runs()).length).toBe(before);
    const coresecPage = await w.clients.coresec!.get(run.url);
    expect(coresecPage.body).toContain(`action="${run.url}/rerun"`);
    const res = await w.clients.coresec!.post(`${run.url}/rerun`, {}, run.url);
    expect(res.statusCode).toBe(303);
    await w.drain();
    const after = await runs();
    expect(after.length).toBe(before + 1);
    expect(after[0]).toMatchObject({ reason: 'rerun', branch: CI_STABLE, status: 'failed' });
    const audit = await w.t.ctx.storage.db.selectFrom('audit_events').select('action').where('action', '=', 'patch.ci_rerun_requested').execute();
    expect(audit).toHaveLength(1);
  }, 120_000);

  it('a worker that cannot sandbox leaves the run queued, and the pages say why', async () => {
    const real = await whenSandboxKnown();
    const run = (await cell('calc', 'master')).tests!.latest_run!;
    rememberSandboxAvailability({ kind: 'none', reason: 'bubblewrap is missing (test)' });
    try {
      expect((await w.clients.vmt!.json('POST', `/api/v1/reports/${ref}/patches/runs/${run.id}/rerun`)).statusCode).toBe(201);
      await w.drain();
      const waiting = (await runs())[0]!;
      expect(waiting).toMatchObject({ status: 'queued', reason: 'rerun' });
      const job = await w.t.ctx.storage.db.selectFrom('jobs').select(['status', 'attempts']).where('dedupe_key', '=', `ci-run:${waiting.id}`).executeTakeFirstOrThrow();
      expect(job).toEqual({ status: 'queued', attempts: 0 });
      expect((await w.clients.vmt!.get(waiting.url)).body).toContain('queued for (or running on) a worker that can run it in the sandbox');
      expect((await w.clients.lead!.get('/projects/calc/tests')).body).toContain('cannot sandbox (bubblewrap is missing (test)): test runs wait for a worker that can');
      // The harness drains without a heartbeat; a worker's beat records what it takes (per worker: src/jobs/capabilities.test.ts).
      await beat(w.t.ctx.storage.db, `ci-test-${dialect}`, new Date());
      const admin = await signedInClient(w.t, await makeUser(w.t, { username: 'admin', roles: ['admin'] }));
      const jobsPage = (await admin.get('/admin/jobs')).body;
      expect(jobsPage).toContain('leaves private CI runs queued');
      expect(jobsPage).toContain('this worker cannot sandbox (bubblewrap is missing (test))');
      await leave(w.t.ctx.storage.db, `ci-test-${dialect}`);
    } finally {
      rememberSandboxAvailability(real);
    }
    // A worker that can sandbox takes it.
    await w.drain();
    expect((await runs())[0]).toMatchObject({ status: 'passed', sandboxed: true });
  }, 120_000);

  it('a hanging test is timed out at the recipe’s limit', async () => {
    const res = await w.clients.vmt!.json('PUT', '/api/v1/projects/port/test-recipe', { branch: 'master', test_command: 'node -e "console.log(\'<script>x()</script>\'); setInterval(() => {}, 1000)"', time_limit_seconds: 10 });
    expect(res.statusCode, res.body).toBe(200);
    const run = (await cell('port', 'master')).tests!.latest_run!;
    expect((await w.clients.vmt!.json('POST', `/api/v1/reports/${ref}/patches/runs/${run.id}/rerun`)).statusCode).toBe(201);
    await w.drain();
    const latest = (await runs())[0]!;
    expect(latest).toMatchObject({ branch: 'master', status: 'timed_out', limit_hit: 'time' });
    const page = await w.clients.vmt!.get(latest.url);
    expect(page.body).toContain('tests timed out');
    // What the run printed is shown as text, never as markup.
    expect(page.body).toContain('&lt;script&gt;x()&lt;/script&gt;');
    expect(page.body).not.toContain('<script>x()</script>');
  }, 120_000);
});
