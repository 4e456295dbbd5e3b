// Table shapes of private CI (issue 20), part of the patches area's schema (PatchTables).
import type { ColumnType, Generated } from 'kysely';

type Id = Generated<number>;
type Timestamp = string;
type Flag = number;
/** A column with a database default: optional when inserting. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

/** What a run came to: the sandbox's outcomes, or still on its way. */
export type CiRunStatus = 'queued' | 'running' | 'passed' | 'failed' | 'errored' | 'timed_out';
/** Why a run was made: the series applied (after an upload, a new version or a moved branch head), or someone asked again. */
export type CiRunReason = 'applied' | 'rerun';

export interface CiRecipesTable {
  id: Id;
  project_id: number;
  /** '' for the project's recipe; a branch name for an override on that branch. */
  branch: string;
  setup_command: string;
  test_command: string;
  time_limit_seconds: number;
  /** JSON: string[] of paths relative to the tree. */
  artifact_paths: string;
  updated_by: number | null;
  updated_at: Timestamp;
}

export interface CiProjectSettingsTable {
  project_id: number;
  /** "Ready for disclosure day" needs the latest run on the latest series version to have passed. */
  require_passing: Flag;
  /** An admin's choice: run without the sandbox on a worker that has none (every result says so). */
  allow_unsandboxed: Flag;
  updated_at: Timestamp;
}

export interface CiRunsTable {
  id: Id;
  report_id: number;
  project_id: number;
  repository: string;
  branch: string;
  /** JSON: number[], the series' current version ids in order. */
  version_ids: string;
  last_version_id: number;
  /** "#12 v2, #13 v1": the series version, in words. */
  series_label: string;
  head_sha: string;
  reason: CiRunReason;
  status: CiRunStatus;
  step: 'setup' | 'test' | null;
  exit_code: number | null;
  log: Defaulted<string>;
  log_truncated: Defaulted<Flag>;
  limit_hit: string | null;
  duration_ms: number | null;
  sandboxed: Flag | null;
  /** JSON: { path, bytes }[] kept under DATA_DIR/ci-artifacts/<id>/. */
  artifacts: Defaulted<string>;
  /** JSON: the recipe the run used (commands, time limit, artifact paths). */
  recipe: string;
  requested_by: number | null;
  created_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface CiTables {
  ci_recipes: CiRecipesTable;
  ci_project_settings: CiProjectSettingsTable;
  ci_runs: CiRunsTable;
}
