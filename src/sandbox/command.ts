/**
 * The command line that starts one bubblewrap sandbox. bubblewrap (Debian's `bubblewrap`) is run unprivileged: it
 * makes new user, mount, pid, network, ipc and uts namespaces, so the run has no network (only its own loopback),
 * sees only what is bound here, runs with no capabilities, and everything it started dies with bwrap's pid 1.
 *
 * When the server runs as root (containers, CI) we first drop to a run-only uid with setpriv: bubblewrap started by
 * root keeps root's capabilities and maps the run to real uid 0, which is not unprivileged at all. A uid of
 * 200000 + slot needs no passwd entry, owns nothing on the host, and gives each concurrent run its own
 * RLIMIT_NPROC count (the kernel counts processes per real uid). A dropped uid cannot open toolchains under a
 * private home (pyenv in /root, mode 0700), so root bind-mounts those prefixes onto empty directories of a
 * staging folder first, inside a private mount namespace (`unshare --mount`): the host's mounts never change.
 */
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hostToolchain } from './toolchain.js';

export const TREE_INSIDE = '/work/tree';
export const TMP_INSIDE = '/tmp';

export interface SandboxCommandInput {
  bwrapPath: string;
  /** The uid (and gid) the run gets when we start as root. */
  uid: number;
  readOnlyPaths: readonly string[];
  diskBytes: number;
  tmpBytes: number;
  env: Record<string, string>;
  /** The program and arguments run inside. */
  inner: readonly string[];
}

export interface SandboxCommand {
  file: string;
  args: string[];
  /** A folder of empty mount points to remove after the run (root only). */
  stagingDir: string | null;
}

export const runningAsRoot = (): boolean => process.getuid?.() === 0;

/** The environment inside: the toolchain PATH, HOME in the tree, a UTF-8 locale, TMPDIR, and the recipe's own. */
export function insideEnvironment(pathValue: string, extra: Record<string, string>, home: string, tmp: string): Record<string, string> {
  return { ...extra, PATH: pathValue, HOME: home, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TMPDIR: tmp };
}

export function sandboxCommand(input: SandboxCommandInput): SandboxCommand {
  const toolchain = hostToolchain();
  const root = runningAsRoot();
  const extraBinds = [...toolchain.prefixes, ...input.readOnlyPaths];
  const stagingDir = root && extraBinds.length > 0 ? mkdtempSync(path.join(os.tmpdir(), 'cordon-sandbox-')) : null;
  const mounts: string[] = [];
  const bindArgs: string[] = [];
  extraBinds.forEach((source, i) => {
    let from = source;
    if (stagingDir) {
      from = path.join(stagingDir, `ro${i}`);
      mkdirSync(from, { mode: 0o755 });
      mounts.push(source, from);
    }
    bindArgs.push('--ro-bind', from, source);
  });
  if (stagingDir) chmodSync(stagingDir, 0o711);

  const env = insideEnvironment(toolchain.path, input.env, TREE_INSIDE, TMP_INSIDE);
  const bwrapArgs = [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    ...Object.entries(env).flatMap(([k, v]) => ['--setenv', k, v]),
    ...toolchain.systemArgs,
    '--proc', '/proc',
    '--dev', '/dev',
    // Everything the run can write is a size-limited tmpfs: /dev/shm (POSIX semaphores), /tmp and its tree. The
    // root and /dev that bwrap builds are tmpfs too, without a size: made read-only so they cannot fill memory.
    '--size', String(input.tmpBytes), '--tmpfs', '/dev/shm',
    '--remount-ro', '/dev',
    '--size', String(input.tmpBytes), '--tmpfs', TMP_INSIDE,
    ...bindArgs,
    '--size', String(input.diskBytes), '--tmpfs', TREE_INSIDE,
    '--remount-ro', '/',
    '--chdir', TREE_INSIDE,
    '--',
    ...input.inner,
  ];
  if (!root) return { file: input.bwrapPath, args: bwrapArgs, stagingDir };
  const uid = String(input.uid);
  const drop = ['setpriv', '--reuid', uid, '--regid', uid, '--clear-groups', '--no-new-privs', input.bwrapPath, ...bwrapArgs];
  // sh binds each (source, target) pair, then execs setpriv → bwrap: the spawned pid stays bwrap's.
  const script = 'while [ "$1" != -- ]; do mount --bind "$1" "$2" || exit 125; shift 2; done; shift; exec "$@"';
  return { file: 'unshare', args: ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', script, 'cordon-binds', ...mounts, '--', ...drop], stagingDir };
}
