// Table shapes of the patches area (joined into the one Database type in src/storage/tables.ts).
// A patch is one slot of a series on a report, aimed at one project repository and branch; each upload
// of it is a version (the newest one is current; older ones keep their checks, votes and comments).
import type { ColumnType, Generated } from 'kysely';
import type { CiTables } from './ci/tables.js';

/** How the input was produced; decides which git command can apply it. */
export type PatchInputKind = 'format-patch' | 'git-show' | 'git-diff' | 'unified-diff';

/** `git am` takes mail messages (keeps author, date and message); `git apply` takes bare diffs. */
export type ApplyCommand = 'git am' | 'git apply';

type Id = Generated<number>;
type Timestamp = string;

export type PatchState = 'active' | 'abandoned';

/**
 * The outcome of one apply check. The first five are git's answers (apply-check.ts); the rest say
 * why git was not asked: an earlier patch of the series fails, the project lists no repository, the
 * branch is not in the mirror, or the mirror could not be made or refreshed.
 */
export type PatchCheckStatus =
  | 'applies_cleanly'
  | 'applies_with_3way'
  | 'conflicts'
  | 'does_not_parse'
  | 'timed_out'
  | 'blocked_by_earlier'
  | 'no_repository'
  | 'branch_missing'
  | 'mirror_unavailable';

export type PatchReviewerRole = 'coresec' | 'core_reviewer';

export interface PatchesTable {
  id: Id;
  report_id: number;
  project_id: number;
  /** Name of the project repository (project_repositories.name); null when the project lists none. */
  repository: string | null;
  branch: string;
  /** Order in the series of this report, project, repository and branch (1-based). */
  position: number;
  state: PatchState;
  current_version: number;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PatchVersionsTable {
  id: Id;
  patch_id: number;
  version: number;
  input_kind: PatchInputKind;
  apply_with: ApplyCommand;
  commit_sha: string | null;
  author_name: string | null;
  author_email: string | null;
  /** The Date header as written, and the instant in UTC. */
  author_date_raw: string | null;
  author_date: Timestamp | null;
  subject: string;
  /** The whole commit message (subject, body, trailers), as git records it. */
  message: string;
  /** JSON: PatchTrailer[]. */
  trailers: string;
  /** JSON: PatchFileSummary[]. */
  files: string;
  lines_added: number;
  lines_removed: number;
  /** The exact bytes of this one message (or diff) as uploaded: what git is given. */
  raw: Uint8Array;
  raw_sha256: string;
  uploaded_by: number | null;
  uploaded_label: string;
  /** Where the uploader's address is needed to write a bare diff as a mail (the download). */
  uploaded_email: string;
  created_at: Timestamp;
  superseded_at: Timestamp | null;
  /** Apply checks asked for so far; a result carries the number it answers (pending while smaller). */
  checks_requested: ColumnType<number, number | undefined, number>;
}

export interface PatchChecksTable {
  id: Id;
  patch_version_id: number;
  /** checks_requested of the version when this check was queued. */
  request_seq: number;
  branch: string;
  status: PatchCheckStatus;
  /** JSON: string[] of files that did not apply. */
  conflicting_files: string;
  git_message: string | null;
  head_sha: string | null;
  /** JSON: { failedPatch, alreadyApplied, seriesLength }. */
  details: string;
  checked_at: Timestamp;
}

export interface PatchVotesTable {
  id: Id;
  patch_version_id: number;
  user_id: number;
  voter_label: string;
  role: PatchReviewerRole;
  /** -2 … +2. A later vote by the same person replaces the earlier one (both are kept). */
  score: number;
  comment: string;
  created_at: Timestamp;
}

export interface PatchCommentsTable {
  id: Id;
  patch_version_id: number;
  author_id: number | null;
  author_label: string;
  body: string;
  /** For a comment on a line: the file (new path, or old path for deletions), the side and the line. */
  file_path: string | null;
  side: 'old' | 'new' | null;
  line: number | null;
  created_at: Timestamp;
}

/** A project's pre-approval rule; projects without a row use the default (one coresec +2, no -2). */
export interface PatchReviewRulesTable {
  project_id: number;
  coresec_approvals: number;
  core_reviewer_approvals: number;
  updated_at: Timestamp;
}

/** The last sync of each mirrored project repository. */
export interface PatchMirrorsTable {
  project_id: number;
  repository: string;
  remote_url: string;
  /** JSON: branch → commit id after the last good sync. */
  heads: string;
  synced_at: Timestamp | null;
  last_error: string | null;
  last_attempt_at: Timestamp;
}

export interface PatchTables extends CiTables {
  patches: PatchesTable;
  patch_versions: PatchVersionsTable;
  patch_checks: PatchChecksTable;
  patch_votes: PatchVotesTable;
  patch_comments: PatchCommentsTable;
  patch_review_rules: PatchReviewRulesTable;
  patch_mirrors: PatchMirrorsTable;
}
