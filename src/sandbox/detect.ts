/**
 * Whether this machine can confine a run: bubblewrap must exist and actually start a sandbox (user namespaces can
 * be switched off by the kernel, a container's seccomp profile or AppArmor), so we run `true` inside once per
 * process and remember the answer.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { runningAsRoot, sandboxCommand } from './command.js';
import type { SandboxAvailability } from './types.js';

export interface SandboxOptions {
  /** The bubblewrap binary; tests point it at a missing file to simulate a machine without a sandbox. */
  bwrapPath?: string;
}

export const DEFAULT_BWRAP = '/usr/bin/bwrap';
/** The uid the probe runs as (root only); real runs take one from the range above it. */
const PROBE_UID = 199_999;

const cache = new Map<string, Promise<SandboxAvailability>>();

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): boolean {
  return (process.env.PATH ?? '/usr/bin:/bin').split(':').some((dir) => dir !== '' && executable(`${dir}/${name}`));
}

async function probe(bwrapPath: string): Promise<SandboxAvailability> {
  if (!executable(bwrapPath)) return { kind: 'none', reason: `bubblewrap is not installed (${bwrapPath} not found; Debian: apt install bubblewrap)` };
  for (const tool of ['prlimit', ...(runningAsRoot() ? ['setpriv', 'unshare'] : [])]) {
    if (!onPath(tool)) return { kind: 'none', reason: `${tool} (util-linux) is not installed` };
  }
  let command;
  try {
    command = sandboxCommand({ bwrapPath, uid: PROBE_UID, readOnlyPaths: [], diskBytes: 1 << 20, tmpBytes: 1 << 20, env: {}, inner: ['/bin/true'] });
  } catch (error) {
    return { kind: 'none', reason: `cannot prepare the sandbox: ${(error as Error).message}` };
  }
  const { file, args, stagingDir } = command;
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 15_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }, (error, _stdout, stderr) => {
      if (stagingDir) rmSync(stagingDir, { recursive: true, force: true });
      if (!error) resolve({ kind: 'bubblewrap' });
      else resolve({ kind: 'none', reason: `bubblewrap cannot start a sandbox here (are user namespaces allowed? try \`bwrap --unshare-all true\`): ${String(stderr).trim() || error.message}` });
    });
  });
}

/** Cached per process and bwrap path. */
export function detectSandbox(options: SandboxOptions = {}): Promise<SandboxAvailability> {
  const bwrapPath = options.bwrapPath ?? DEFAULT_BWRAP;
  let found = cache.get(bwrapPath);
  if (!found) {
    found = probe(bwrapPath);
    cache.set(bwrapPath, found);
  }
  return found;
}
