// Private patches: parsing, safety checks, apply checks with the real git, download naming and
// the diff view model. No database here: callers store what these functions return.
export type * from './types.js';
export { parsePatchSet } from './parse.js';
export { parseUntrustedPatch, defaultPatchLimits, pathProblem, branchNameProblems, assertBranchName, type PatchLimits } from './safety.js';
export { PatchRejectedError, type PatchRejectionReason } from './errors.js';
export { runGit, git, gitEnvironment, gitSafetyConfig, GitCommandError, type GitRunOptions, type GitRunResult } from './git.js';
export { syncMirror, branchHeads, remoteProblem, type SyncMirrorOptions, type MirrorState } from './bare-mirror.js';
export {
  checkPatchApplies,
  applyCheckStatuses,
  type ApplyCheckStatus,
  type ApplyCheckResult,
  type CheckPatchAppliesOptions,
} from './apply-check.js';
export {
  patchFileName,
  fileNameSlug,
  seriesForBranch,
  seriesToMbox,
  seriesDownload,
  type PatchNameParts,
  type PatchDownload,
  type SeriesMboxOptions,
} from './naming.js';
export {
  buildDiffView,
  sideBySide,
  type DiffView,
  type DiffViewFile,
  type DiffViewHunk,
  type DiffViewLine,
  type DiffViewRow,
  type DiffViewOptions,
} from './diff-view.js';
