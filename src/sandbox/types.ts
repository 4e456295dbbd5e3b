/**
 * The contract between the sandbox (src/sandbox/, a foundation folder: it knows nothing of reports or patches) and
 * private CI (src/patches/ci/), which runs a project's test recipe on a reporter's patched tree. A reporter's patch is
 * untrusted code: the run sees only its own tree (read-write) and the toolchain (read-only), has no network, runs as an
 * unprivileged user under CPU, memory, process, output, disk and time limits, and everything it started is killed at
 * the limit (issue 20).
 */

/** How this machine can confine a run. `none`: no sandbox is available, and runs are refused unless allowed unsandboxed. */
export type SandboxKind = 'bubblewrap' | 'none';

export interface SandboxAvailability {
  kind: SandboxKind;
  /** Why the sandbox is not available (missing binary, user namespaces refused, …); set when kind is `none`. */
  reason?: string;
}

export interface SandboxLimits {
  /** Wall-clock limit for the whole run (setup and test); everything started is killed when it passes. */
  timeLimitMs: number;
  /** CPU seconds per process (RLIMIT_CPU). */
  cpuSeconds: number;
  /** Address space per process, bytes (RLIMIT_AS). */
  memoryBytes: number;
  /** Processes the run may have at once (RLIMIT_NPROC, per run user). */
  maxProcesses: number;
  /** Bytes of combined stdout/stderr kept; past it the log is cut and the run is stopped. */
  outputBytes: number;
  /** Bytes the run may write into its tree (a size-limited tmpfs or RLIMIT_FSIZE). */
  diskBytes: number;
}

export interface SandboxStep {
  /** Shown in the log: `setup` or `test`. */
  name: 'setup' | 'test';
  /** One shell command line, run with /bin/sh -c inside the tree. */
  command: string;
}

export interface SandboxRunRequest {
  /** The patched worktree. It is not changed: the run works on its own copy. */
  treeDir: string;
  /** Run in order; the first that fails ends the run. */
  steps: SandboxStep[];
  limits: SandboxLimits;
  /** Paths relative to the tree to keep after the run (files or directories); copied into artifactDir, within the output limit. */
  artifactPaths: string[];
  /** Where kept artifacts are copied, outside the sandbox; must exist. */
  artifactDir: string;
  /** Extra directories the run may read (a dependency cache the admin prepared); bound read-only. */
  readOnlyPaths?: string[];
  /** The only environment the run gets besides PATH, HOME (inside the tree) and LANG; never the server's environment. */
  env?: Record<string, string>;
  /** Run without the sandbox when none is available; only when an admin allowed it for the project. */
  allowUnsandboxed: boolean;
  signal?: AbortSignal;
}

export type SandboxOutcome = 'passed' | 'failed' | 'errored' | 'timed_out';

/** Which limit ended the run, when one did. */
export type SandboxLimitHit = 'time' | 'output' | 'memory' | 'processes' | 'disk' | 'cpu';

export interface SandboxArtifact {
  path: string;
  bytes: number;
}

export interface SandboxRunResult {
  /** passed: every step exited 0; failed: a step exited non-zero; errored: the run could not start or a limit other than time ended it; timed_out: the time limit. */
  outcome: SandboxOutcome;
  /** The step that ended the run (the failing or last one). */
  step: SandboxStep['name'] | null;
  exitCode: number | null;
  /** Combined output of every step, cut at limits.outputBytes (UTF-8 safe). Plain text: escape it when shown. */
  log: string;
  logTruncated: boolean;
  durationMs: number;
  /** False when the run went ahead unsandboxed (allowUnsandboxed); shown as a warning on every result. */
  sandboxed: boolean;
  limitHit: SandboxLimitHit | null;
  artifacts: SandboxArtifact[];
}
