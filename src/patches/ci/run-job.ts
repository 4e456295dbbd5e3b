// The CI run job (issue 20): apply the series to the branch head in a throw-away clone of the mirror (the
// same git steps as the apply check), run the recipe there in the sandbox, keep the log and the artifacts,
// record the outcome in the transaction that completes the job, and remove the tree whatever happens.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { change, systemScope, type AppContext } from '../../context.js';
import type { JobContext, JobHandler } from '../../jobs/worker.js';
import { projectRepository, getProjectById } from '../../projects/projects.js';
import { detectSandbox, runInSandbox } from '../../sandbox/index.js';
import type { SandboxAvailability, SandboxLimits, SandboxRunResult, SandboxStep } from '../../sandbox/types.js';
import { checkPatchApplies } from '../apply-check.js';
import { checkInput, storedPatchLimits } from '../downloads.js';
import { ensureMirror, mirrorDirFor } from '../mirrors.js';
import { artifactDirFor } from './artifacts.js';
import { rememberSandboxAvailability, sandboxAvailability } from './capability.js';
import { describeCapability } from '../../jobs/capabilities.js';
import { ciSettings, type Recipe } from './recipes.js';
import { CI_RUN_JOB, CI_RUN_UNSANDBOXED_JOB, isFinished, markRunning, recordRunResult, runById, type CiRunPayload, type RunResult } from './runs.js';

export function limitsFor(config: AppContext['config'], recipe: Recipe): SandboxLimits {
  return {
    timeLimitMs: recipe.timeLimitSeconds * 1000,
    cpuSeconds: recipe.timeLimitSeconds,
    memoryBytes: config.ci.memoryMb * 1024 * 1024,
    maxProcesses: config.ci.maxProcesses,
    outputBytes: config.ci.outputKb * 1024,
    diskBytes: config.ci.diskMb * 1024 * 1024,
  };
}

const errored = (log: string, headSha: string | null = null): RunResult => ({ status: 'errored', step: null, exitCode: null, log, logTruncated: false, limitHit: null, durationMs: 0, sandboxed: true, artifacts: [], headSha });

async function execute(ctx: AppContext, runId: number, signal: AbortSignal | undefined): Promise<RunResult | null> {
  const db = ctx.storage.db;
  const run = await runById(db, runId);
  if (!run || isFinished(run.status)) return null;
  const recipe = JSON.parse(run.recipe) as Recipe;
  const project = await getProjectById(db, run.project_id);
  const repo = project ? await projectRepository(db, run.project_id, run.repository) : undefined;
  if (!project || !repo) return errored('The project no longer lists this repository; nothing was run.');
  await change(systemScope(ctx), (c) => markRunning(c, run.id), { system: true });
  const ids = JSON.parse(run.version_ids) as number[];
  const rows = ids.length ? await db.selectFrom('patch_versions').select(['id', 'raw', 'apply_with', 'uploaded_label', 'uploaded_email', 'created_at']).where('id', 'in', ids).execute() : [];
  const series = ids.map((id) => rows.find((r) => r.id === id)).filter((r) => r !== undefined).map((r) => ({ ...r, raw: Buffer.from(r.raw) }));
  if (series.length !== ids.length) return errored('A patch of this series was removed; nothing was run.');

  const mirrorDir = mirrorDirFor(ctx.config, project.slug, repo.name);
  await ensureMirror(mirrorDir, repo.remote_url);
  const artifactDir = artifactDirFor(ctx.config.dataDir, run.id);
  // A retried attempt starts from nothing: what an earlier attempt kept is not this run's.
  rmSync(artifactDir, { recursive: true, force: true });
  mkdirSync(artifactDir, { recursive: true });
  const settings = (await ciSettings(db, [run.project_id])).get(run.project_id);
  const steps: SandboxStep[] = [...(recipe.setupCommand ? [{ name: 'setup' as const, command: recipe.setupCommand }] : []), { name: 'test', command: recipe.testCommand }];

  let result: SandboxRunResult | undefined;
  const check = await checkPatchApplies({
    mirrorDir,
    branch: run.branch,
    patch: checkInput(series),
    limits: storedPatchLimits,
    onApplied: async (work) => {
      // The run gets the tree alone: git's metadata names the mirror under DATA_DIR.
      rmSync(path.join(work, '.git'), { recursive: true, force: true });
      result = await runInSandbox({
        treeDir: work,
        steps,
        limits: limitsFor(ctx.config, recipe),
        artifactPaths: recipe.artifactPaths,
        artifactDir,
        ...(ctx.config.ci.cacheDir ? { readOnlyPaths: [ctx.config.ci.cacheDir] } : {}),
        env: { CI: 'true', CORDON_CI: '1' },
        allowUnsandboxed: settings?.allowUnsandboxed ?? false,
        ...(signal ? { signal } : {}),
      });
    },
  });
  if (!result) return errored(`The series no longer applies to ${run.branch} (${check.status.replace(/_/g, ' ')}); nothing was run.`, check.headSha);
  return {
    status: result.outcome,
    step: result.step,
    exitCode: result.exitCode,
    log: result.log,
    logTruncated: result.logTruncated,
    limitHit: result.limitHit,
    durationMs: result.durationMs,
    sandboxed: result.sandboxed,
    artifacts: result.artifacts,
    headSha: check.headSha,
  };
}

async function ciRunJob(ctx: AppContext, job: JobContext): Promise<void> {
  const { runId } = job.payload as CiRunPayload;
  const result = await execute(ctx, runId, undefined);
  if (!result) return;
  await job.commit((change) => recordRunResult(change, runId, result));
}

// What this process's sandbox can do, found once (detectSandbox runs a probe); kept in capability.ts.
let detection: Promise<SandboxAvailability> | undefined;

/** Find out (once per process) whether runs can be sandboxed here; workers ask before taking CI jobs. */
export function whenSandboxKnown(): Promise<SandboxAvailability> {
  detection ??= Promise.resolve()
    .then(() => detectSandbox())
    .catch((error: unknown): SandboxAvailability => ({ kind: 'none', reason: error instanceof Error ? error.message : String(error) }))
    .then((a) => {
      rememberSandboxAvailability(a);
      return a;
    });
  return detection;
}

export function ciJobHandlers(ctx: AppContext): JobHandler[] {
  void whenSandboxKnown().then((a) => {
    if (a.kind === 'none') ctx.log.warn({ reason: a.reason }, 'this worker cannot sandbox: private CI runs are left to workers that can');
  });
  const limit = ctx.config.ci.concurrency;
  const run = (job: JobContext) => ciRunJob(ctx, job);
  // CI_CONCURRENCY over both kinds, counted by the worker at claim (a count here would start too late).
  const group = { name: CI_RUN_JOB, limit };
  // A run may take its recipe's hour; the lease is renewed while it runs (worker.ts), so 5 minutes is enough.
  const leaseMs = 5 * 60_000;
  const canSandbox = () => {
    const a = sandboxAvailability();
    return a !== undefined && a.kind !== 'none';
  };
  // Recorded with each heartbeat, so the admin's job page says per worker whether it takes runs and why not.
  describeCapability(CI_RUN_JOB, () => {
    const label = 'private CI runs';
    const a = sandboxAvailability();
    if (limit === 0) return { label, takes: false, note: 'CI_CONCURRENCY=0: this worker takes no test runs; another worker must.' };
    if (!a) return { label, takes: false, note: 'still checking whether this worker can sandbox.' };
    if (a.kind === 'none') return { label, takes: false, note: `this worker cannot sandbox (${a.reason ?? 'no reason given'}): test runs stay queued for a worker that can (it takes those of projects an admin allowed unsandboxed).` };
    return { label, takes: true, note: `sandboxed with ${a.kind}, up to ${limit} at once (CI_CONCURRENCY).` };
  });
  return [
    // Untrusted code: only a worker that can sandbox takes it; one that cannot leaves it queued for another.
    { kind: CI_RUN_JOB, leaseMs, run, group, claimable: canSandbox },
    // An admin allowed this project unsandboxed: any worker takes it (sandboxed where it can).
    { kind: CI_RUN_UNSANDBOXED_JOB, leaseMs, run, group, claimable: () => sandboxAvailability() !== undefined },
  ];
}
