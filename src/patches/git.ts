// Runs the real git on untrusted input, safely: an argument array (never a shell), a time limit
// that kills the whole process group, an output cap, and an environment that shuts out hooks,
// templates, user/system configuration, prompts and dangerous transports.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const defaultGitTimeoutMs = 60_000;
export const defaultGitOutputLimit = 4 * 1024 * 1024;

/** Configuration given on the command line (`-c`), which wins over any repository config. */
export const gitSafetyConfig: readonly string[] = [
  // No hook ever runs: `git am` runs applypatch-msg/pre-applypatch/post-applypatch, checkout runs post-checkout.
  'core.hooksPath=/dev/null',
  // No fsmonitor hook or daemon.
  'core.fsmonitor=false',
  // No automatic gc/maintenance: it detaches into its own session and would outlive our kill.
  'gc.auto=0',
  'maintenance.auto=false',
  // An empty value resets the helper list: no stored credentials are read or written.
  'credential.helper=',
  // Check objects fetched from a remote (corrupt objects, `.git` or `..` path entries in trees).
  'transfer.fsckObjects=true',
  // Never start a signing program, never touch submodules.
  'commit.gpgSign=false',
  'submodule.recurse=false',
  'advice.detachedHead=false',
];

/** The environment for every git run; built from scratch, so nothing of ours leaks in. */
export function gitEnvironment(home: string): Record<string, string> {
  return {
    // Needed to find git and its helpers; nothing else is inherited (no GIT_DIR, GIT_INDEX_FILE,
    // GIT_CONFIG_PARAMETERS… from a parent process that may itself run inside a git hook).
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    // English messages: we read git's conflict and error lines.
    LC_ALL: 'C',
    LANG: 'C',
    // An empty home: no ~/.gitconfig, ~/.config/git, ~/.git-credentials. (ssh still finds the
    // service account's keys: it takes the home directory from the password database.)
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    // Ignore /etc/gitconfig and the global config file.
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    // Ignore the system-wide gitattributes file.
    GIT_ATTR_NOSYSTEM: '1',
    // Fail instead of asking for a user name or password; ssh never prompts either.
    GIT_TERMINAL_PROMPT: '0',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
    // Only local paths, HTTPS and SSH: no `ext::` (runs commands), no unencrypted git:// or http://.
    GIT_ALLOW_PROTOCOL: 'file:https:ssh',
    // A mirrored repository's refs/replace must not change what we check against.
    GIT_NO_REPLACE_OBJECTS: '1',
    // `git am` records a committer; the author comes from the patch.
    GIT_COMMITTER_NAME: 'Cordon apply check',
    GIT_COMMITTER_EMAIL: 'cordon@localhost.invalid',
    // Never a pager, never an editor.
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    GIT_EDITOR: 'false',
  };
}

export interface GitRunOptions {
  cwd?: string;
  /** Kill the git process (and everything it started) after this long. */
  timeoutMs?: number;
  /** Kill git when stdout or stderr grows past this many bytes. */
  maxOutputBytes?: number;
  /** Sent on stdin; stdin is closed at once otherwise, so git never waits for input. */
  input?: string | Uint8Array;
  /** An empty directory to use as HOME; a fresh one is made (and removed) when absent. */
  home?: string;
  /** Extra variables, e.g. GIT_AUTHOR_DATE for test fixtures. */
  env?: Record<string, string>;
}

export interface GitRunResult {
  args: readonly string[];
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  outputLimitExceeded: boolean;
}

export class GitCommandError extends Error {
  readonly result: GitRunResult;
  constructor(result: GitRunResult) {
    const why = result.timedOut
      ? 'timed out'
      : result.outputLimitExceeded
        ? 'produced too much output'
        : `failed (exit ${String(result.exitCode)})`;
    super(`git ${result.args[0] ?? ''} ${why}: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`.trim());
    this.name = 'GitCommandError';
    this.result = result;
  }
}

/** `--template=` (empty) on init and clone: no hooks or other files copied from a template dir. */
function withEmptyTemplate(args: readonly string[]): string[] {
  const [command, ...rest] = args;
  if ((command === 'init' || command === 'clone') && !rest.some((a) => a.startsWith('--template'))) {
    return [command, '--template=', ...rest];
  }
  return [...args];
}

/** Runs git with the given arguments; resolves with the outcome, never throws for git's failures. */
export function runGit(args: readonly string[], options: GitRunOptions = {}): Promise<GitRunResult> {
  const ownHome = options.home ? null : mkdtempSync(path.join(os.tmpdir(), 'cordon-git-home-'));
  const home = options.home ?? (ownHome as string);
  const fullArgs = [...gitSafetyConfig.flatMap((c) => ['-c', c]), ...withEmptyTemplate(args)];
  const limit = options.maxOutputBytes ?? defaultGitOutputLimit;
  const timeoutMs = Math.max(1, options.timeoutMs ?? defaultGitTimeoutMs);

  return new Promise((resolve) => {
    // detached: git leads its own process group, so a timeout kills its children too
    // (upload-pack, remote helpers, ssh); it also has no controlling terminal to prompt on.
    const child = spawn('git', fullArgs, {
      cwd: options.cwd,
      env: { ...gitEnvironment(home), ...options.env },
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const sizes = { stdout: 0, stderr: 0 };
    let timedOut = false;
    let outputLimitExceeded = false;
    let settled = false;
    let exitCode: number | null = null;

    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (ownHome) rmSync(ownHome, { recursive: true, force: true });
      resolve({
        args,
        exitCode,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
        outputLimitExceeded,
      });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);

    const collect = (which: 'stdout' | 'stderr', sink: Buffer[]) => (chunk: Buffer) => {
      sizes[which] += chunk.length;
      if (sizes[which] > limit) {
        outputLimitExceeded = true;
        killGroup();
        return;
      }
      sink.push(chunk);
    };
    child.stdout.on('data', collect('stdout', stdout));
    child.stderr.on('data', collect('stderr', stderr));
    child.stdin.on('error', () => {
      // git may exit before reading all input (EPIPE); its exit status tells the story.
    });
    child.on('error', (error) => {
      stderr.push(Buffer.from(`cannot run git: ${error.message}\n`));
      finish();
    });
    child.on('exit', (code) => {
      exitCode = code;
      killGroup(); // Nothing git started may outlive it.
      // 'close' waits for the pipes; if an escaped grandchild holds them, do not wait for ever.
      setTimeout(finish, 2_000).unref();
    });
    child.on('close', finish);
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** Runs git and returns stdout; throws GitCommandError unless git exits with 0. */
export async function git(args: readonly string[], options: GitRunOptions = {}): Promise<string> {
  const result = await runGit(args, options);
  if (result.exitCode !== 0 || result.timedOut || result.outputLimitExceeded) throw new GitCommandError(result);
  return result.stdout;
}
