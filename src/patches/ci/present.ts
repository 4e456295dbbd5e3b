// What people and API clients see of CI runs (issue 20): the test state of each branch's series for the
// readiness matrix, words and tones for outcomes, and the JSON shapes of the API.
import type { CiArtifact, CiRunRow } from './runs.js';
import type { CiRunStatus } from './tables.js';

type Tone = 'ok' | 'warn' | 'danger' | 'muted' | 'info';
export type RunSummary = Omit<CiRunRow, 'log'>;

/** The tests of one branch's current series: the latest run of exactly this series version, if any. */
export interface TestCell {
  run: RunSummary | null;
  /** The project has a recipe for the branch. */
  hasRecipe: boolean;
  /** The project requires passing tests for "ready". */
  required: boolean;
}

export function runPath(ref: string, runId: number): string {
  return `/reports/${ref}/patches/runs/${runId}`;
}

export function runLabel(status: CiRunStatus): { text: string; tone: Tone } {
  const words: Record<CiRunStatus, [string, Tone]> = {
    queued: ['tests queued', 'info'],
    running: ['tests running', 'info'],
    passed: ['tests pass', 'ok'],
    failed: ['tests fail', 'danger'],
    errored: ['tests errored', 'warn'],
    timed_out: ['tests timed out', 'danger'],
  };
  const [text, tone] = words[status];
  return { text, tone };
}

/** The cell of one branch: its series' version ids (in order) against the runs of the report (newest first). */
export function testCell(runs: readonly RunSummary[], target: { projectId: number; repository: string | null; branch: string }, versionIds: readonly number[], hasRecipe: boolean, required: boolean): TestCell | null {
  if (!hasRecipe && !runs.length) return null;
  const key = JSON.stringify(versionIds);
  const run = versionIds.length ? (runs.find((r) => r.project_id === target.projectId && r.repository === target.repository && r.branch === target.branch && r.version_ids === key) ?? null) : null;
  if (!hasRecipe && !run) return null;
  return { run, hasRecipe, required };
}

/** Why tests keep a branch from "ready" when the project requires them to pass; none otherwise. */
export function testReasons(cell: TestCell | null): string[] {
  if (!cell?.required || !cell.hasRecipe) return [];
  if (!cell.run) return ['the tests have not run on the latest series version'];
  if (cell.run.status === 'queued' || cell.run.status === 'running') return ['the tests are still running'];
  if (cell.run.status !== 'passed') return [`the tests did not pass (${runLabel(cell.run.status).text.replace('tests ', '')})`];
  return [];
}

export const artifactsOf = (run: Pick<CiRunRow, 'artifacts'>): CiArtifact[] => JSON.parse(run.artifacts) as CiArtifact[];

export function runJson(ref: string, run: RunSummary & { log?: string }) {
  return {
    id: run.id,
    url: runPath(ref, run.id),
    project_id: run.project_id,
    repository: run.repository,
    branch: run.branch,
    series: JSON.parse(run.version_ids) as number[],
    series_label: run.series_label,
    head_sha: run.head_sha,
    reason: run.reason,
    status: run.status,
    step: run.step,
    exit_code: run.exit_code,
    limit_hit: run.limit_hit,
    duration_ms: run.duration_ms,
    sandboxed: run.sandboxed === null ? null : run.sandboxed === 1,
    log_truncated: run.log_truncated === 1,
    artifacts: artifactsOf(run).map((a, i) => ({ path: a.path, bytes: a.bytes, url: `${runPath(ref, run.id)}/artifact?n=${i}` })),
    created_at: run.created_at,
    finished_at: run.finished_at,
    ...(run.log !== undefined ? { log: run.log } : {}),
  };
}
