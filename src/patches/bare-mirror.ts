// A local bare mirror per project repository (DESIGN.md §4): apply checks clone from it with
// `--shared`, so they never touch the network and never write into it.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { errors } from '../errors/catalogue.js';
import { GitCommandError, runGit, type GitRunResult } from './git.js';

export const defaultMirrorTimeoutMs = 10 * 60_000;

/**
 * Why a remote is refused, or null. Accepted: `https://…`, `ssh://…`, `user@host:path` (scp-like
 * ssh) and absolute local paths (or `file:///…`) — the transports GIT_ALLOW_PROTOCOL lets through.
 * A leading `-` anywhere git could read as an option is refused (CVE-2017-1000117 style
 * `ssh://-oProxyCommand=…`, `--upload-pack=…`).
 */
export function remoteProblem(remote: string): string | null {
  if (remote === '' || remote.trim() !== remote) return 'is empty or has surrounding spaces';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(remote)) return 'contains control characters';
  if (remote.startsWith('-')) return 'must not start with "-"';
  if (remote.startsWith('/')) return null;
  if (remote.startsWith('file:///')) return null;
  const url = /^(https|ssh):\/\/(?:([^@/]+)@)?([^/:@]+)(?::(\d+))?(\/.*)?$/.exec(remote);
  if (url) {
    if ((url[2] ?? '').startsWith('-') || (url[3] as string).startsWith('-')) return 'has a user or host starting with "-"';
    if (/\s/.test(remote)) return 'contains spaces';
    return null;
  }
  const unsupported = 'must be an https:// or ssh:// URL, user@host:path, or an absolute local path';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(remote)) return unsupported; // git://, http://, …
  const scp = /^(?:([A-Za-z0-9._-]+)@)?([A-Za-z0-9.-]+):([^\s].*)$/.exec(remote);
  if (scp && !remote.includes('::')) {
    if ((scp[1] ?? '').startsWith('-') || (scp[2] as string).startsWith('-') || (scp[3] as string).startsWith('-')) {
      return 'has a user, host or path starting with "-"';
    }
    return null;
  }
  return unsupported;
}

/** Absolute, no control characters (git writes it into `objects/info/alternates`, one per line). */
export function directoryProblem(dir: string): string | null {
  if (!path.isAbsolute(dir)) return 'must be an absolute path';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(dir)) return 'contains control characters';
  return null;
}

export function assertDirectory(dir: string, field: string): void {
  const problem = directoryProblem(dir);
  if (problem) throw errors.field(field, problem);
}

function isBareRepository(dir: string): boolean {
  return existsSync(path.join(dir, 'HEAD')) && existsSync(path.join(dir, 'objects')) && existsSync(path.join(dir, 'refs'));
}

/** Branch heads of a repository: branch name → commit id. */
export async function branchHeads(repoDir: string, timeoutMs = 60_000): Promise<Record<string, string>> {
  const result = await runGit(['for-each-ref', '--format=%(refname)%00%(objectname)', 'refs/heads/'], { cwd: repoDir, timeoutMs });
  if (result.exitCode !== 0 || result.timedOut) throw new GitCommandError(result);
  const heads: Record<string, string> = {};
  for (const line of result.stdout.split('\n')) {
    const [ref, sha] = line.split('\u0000');
    if (ref && sha) heads[ref.slice('refs/heads/'.length)] = sha;
  }
  return heads;
}

export interface SyncMirrorOptions {
  /** Where the bare mirror lives (absolute). Created when missing. */
  mirrorDir: string;
  /** The project repository: URL or absolute local path. */
  remote: string;
  /** For the whole sync (clone or fetch); git is killed after it. */
  timeoutMs?: number;
}

export interface MirrorState {
  mirrorDir: string;
  /** True when this call made the mirror (clone), false when it refreshed one. */
  created: boolean;
  /** Branch name → commit id after the sync. */
  heads: Record<string, string>;
}

/**
 * Creates (`git clone --mirror`) or refreshes (`git remote update --prune`) a bare mirror.
 * Throws a validation error for a bad remote or directory, and GitCommandError when git fails
 * or times out (`error.result.timedOut`). A failed first clone leaves no directory behind.
 */
export async function syncMirror(options: SyncMirrorOptions): Promise<MirrorState> {
  const { mirrorDir, remote } = options;
  const problem = remoteProblem(remote);
  if (problem) throw errors.field('remote', `The repository address ${problem}.`);
  assertDirectory(mirrorDir, 'mirrorDir');
  const deadline = Date.now() + (options.timeoutMs ?? defaultMirrorTimeoutMs);
  const left = () => Math.max(1, deadline - Date.now());
  const check = (result: GitRunResult) => {
    if (result.exitCode !== 0 || result.timedOut || result.outputLimitExceeded) throw new GitCommandError(result);
    return result;
  };

  const existed = existsSync(mirrorDir);
  if (existed && isBareRepository(mirrorDir)) {
    const url = await runGit(['config', '--get', 'remote.origin.url'], { cwd: mirrorDir, timeoutMs: left() });
    if (url.stdout.trim() !== remote) {
      check(await runGit(['config', 'remote.origin.url', remote], { cwd: mirrorDir, timeoutMs: left() }));
    }
    check(await runGit(['remote', 'update', '--prune'], { cwd: mirrorDir, timeoutMs: left() }));
    return { mirrorDir, created: false, heads: await branchHeads(mirrorDir, left()) };
  }
  if (existed && readdirSync(mirrorDir).length > 0) {
    throw errors.conflict(`${mirrorDir} exists and is not a git mirror; refusing to overwrite it.`);
  }

  mkdirSync(path.dirname(mirrorDir), { recursive: true });
  // Clone beside the target and rename it into place: git writes HEAD at the start of a clone, so a mirror
  // cloned in place looks ready (HEAD exists) to a concurrent check in another job or worker while its
  // branches are still arriving ("the branch is not in the repository"). A renamed mirror is complete.
  const staging = `${mirrorDir}.cloning-${randomBytes(6).toString('hex')}`;
  try {
    // `--` ends options: the remote and directory are never read as options.
    check(await runGit(['clone', '--mirror', '--quiet', '--', remote, staging], { cwd: path.dirname(mirrorDir), timeoutMs: left() }));
    if (existed) rmSync(mirrorDir, { recursive: true, force: true }); // empty: checked above
    try {
      renameSync(staging, mirrorDir);
    } catch (error) {
      // Another worker's clone landed first: use it.
      if (!isBareRepository(mirrorDir)) throw error;
      rmSync(staging, { recursive: true, force: true });
    }
    return { mirrorDir, created: true, heads: await branchHeads(mirrorDir, left()) };
  } catch (error) {
    // A killed clone cannot clean up after itself; the target is left as it was.
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
