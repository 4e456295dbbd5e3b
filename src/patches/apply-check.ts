// Does this patch apply to that branch? Answered by the real git in a throw-away clone of the
// project mirror (`clone --shared`: the mirror's objects are borrowed, never written), removed
// afterwards whatever happens.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errors } from '../errors/catalogue.js';
import { runGit, type GitRunOptions, type GitRunResult } from './git.js';
import { assertDirectory } from './bare-mirror.js';
import { assertBranchName, parseUntrustedPatch, type PatchLimits } from './safety.js';
import type { ApplyCommand, ParsedPatchSet } from './types.js';

export type ApplyCheckStatus = 'applies_cleanly' | 'applies_with_3way' | 'conflicts' | 'does_not_parse' | 'timed_out';

export const applyCheckStatuses: readonly ApplyCheckStatus[] = [
  'applies_cleanly',
  'applies_with_3way',
  'conflicts',
  'does_not_parse',
  'timed_out',
];

export interface ApplyCheckResult {
  status: ApplyCheckStatus;
  branch: string;
  /** The branch head the check ran against; null only when it timed out before reading it. */
  headSha: string | null;
  applyWith: ApplyCommand;
  /** For `conflicts`: the files that did not apply or merge. */
  conflictingFiles: string[];
  /** For `git am` failures: which message of the series stopped (1-based position in the input). */
  failedPatch: { position: number; subject: string } | null;
  /** Messages `git am --3way` skipped because the branch already has their change. */
  alreadyApplied: { position: number; subject: string }[];
  /** git's own words for `conflicts` and `does_not_parse`. */
  gitMessage: string | null;
}

export interface CheckPatchAppliesOptions {
  mirrorDir: string;
  branch: string;
  /** The uploaded text or bytes; checked by parseUntrustedPatch before git sees it. */
  patch: string | Uint8Array;
  /** For the whole check (clone, checkout, apply); git is killed after it. Default 2 minutes. */
  timeoutMs?: number;
  /** Where the temporary clone is made; default the system temp dir. */
  workRoot?: string;
  limits?: Partial<PatchLimits>;
  /** Called with the patched tree when the patch applies, before the tree is removed (private CI runs its tests there). */
  onApplied?: (workDir: string, result: ApplyCheckResult) => Promise<void>;
}

export const defaultApplyTimeoutMs = 120_000;

// git's messages for input it cannot read at all (apply.c, builtin/am.c).
const unparsable =
  /corrupt patch at line|patch fragment without header|Patch format detection failed|No valid patches in input|unrecognized input|lacks filename information|patch with only garbage|Patch is empty|malformed patch|unable to find filename|invalid path|bad git-diff|invalid mode|inconsistent (old|new) filename/i;

/** git's stderr without hints and session advice: what a reviewer needs to read. */
function gitWords(result: GitRunResult): string {
  return `${result.stderr}\n${result.stdout}`
    .split('\n')
    .filter((l) => l.trim() && !/^hint:|^When you have resolved|^If you prefer to skip|^To restore the original|^Applying:|^Checking patch/.test(l))
    .join('\n')
    .slice(0, 4000);
}

/** Files named in git apply's error lines (`error: patch failed: x:12`, `error: x: does not exist in index`). */
function filesFromErrors(stderr: string): string[] {
  const files: string[] = [];
  for (const line of stderr.split('\n')) {
    const failed = /^error: patch failed: (.+):\d+$/.exec(line);
    const named = /^error: (.+): (?:does not exist in index|already exists in index|already exists in working directory|does not match index|patch does not apply|No such file or directory)$/.exec(line);
    const file = failed?.[1] ?? named?.[1];
    if (file) files.push(file);
  }
  return files;
}

/** The exact bytes git gets: for `git am` every message with a diff (cover letters dropped). */
function gitInput(set: ParsedPatchSet, bytes: Buffer): Buffer {
  if (set.applyWith === 'git apply') return bytes;
  return Buffer.concat(set.patches.filter((p) => p.files.length > 0).map((p) => bytes.subarray(p.byteRange.start, p.byteRange.end)));
}

/**
 * Checks a patch (or series) against the head of `branch` in the mirror: `git am` for format-patch
 * mail, `git apply --index` for bare diffs; first straight, then with `--3way` when that fails.
 * Throws validation errors for a bad branch name, an unknown branch or an unsafe patch.
 */
export async function checkPatchApplies(options: CheckPatchAppliesOptions): Promise<ApplyCheckResult> {
  const branch = assertBranchName(options.branch);
  assertDirectory(options.mirrorDir, 'mirrorDir');
  if (!existsSync(options.mirrorDir)) throw errors.field('mirrorDir', `There is no mirror at ${options.mirrorDir}.`);
  const bytes = typeof options.patch === 'string' ? Buffer.from(options.patch, 'utf8') : Buffer.from(options.patch);
  const set = parseUntrustedPatch(bytes, options.limits);
  const input = gitInput(set, bytes);
  const deadline = Date.now() + (options.timeoutMs ?? defaultApplyTimeoutMs);

  const result: ApplyCheckResult = {
    status: 'timed_out',
    branch,
    headSha: null,
    applyWith: set.applyWith,
    conflictingFiles: [],
    failedPatch: null,
    alreadyApplied: [],
    gitMessage: null,
  };
  const tmp = mkdtempSync(path.join(options.workRoot ?? os.tmpdir(), 'cordon-apply-'));
  const home = path.join(tmp, 'home');
  const work = path.join(tmp, 'work');
  mkdirSync(home);
  const run = (args: string[], extra: GitRunOptions = {}) =>
    runGit(args, { home, cwd: work, timeoutMs: Math.max(1, deadline - Date.now()), ...extra });
  const applied = async (r: ApplyCheckResult): Promise<ApplyCheckResult> => {
    await options.onApplied?.(work, r);
    return r;
  };

  try {
    const head = await run(['rev-parse', '--verify', '--quiet', '--end-of-options', `refs/heads/${branch}^{commit}`], { cwd: options.mirrorDir });
    if (head.timedOut) return result;
    if (head.exitCode !== 0) throw errors.field('branch', `The repository has no branch "${branch}".`);
    result.headSha = head.stdout.trim();

    const clone = await run(['clone', '--shared', '--no-checkout', '--quiet', '--', options.mirrorDir, work], { cwd: tmp });
    if (clone.timedOut) return result;
    if (clone.exitCode !== 0) throw new Error(`cannot clone the mirror: ${gitWords(clone)}`);
    const checkout = await run(['checkout', '--quiet', '--detach', result.headSha]);
    if (checkout.timedOut) return result;
    if (checkout.exitCode !== 0) throw new Error(`cannot check out ${result.headSha}: ${gitWords(checkout)}`);

    const apply = set.applyWith === 'git am' ? ['am'] : ['apply', '--index'];
    const straight = await run(apply, { input });
    if (straight.timedOut) return result;
    if (straight.exitCode === 0) return await applied({ ...result, status: 'applies_cleanly' });
    if (unparsable.test(straight.stderr)) return { ...result, status: 'does_not_parse', gitMessage: gitWords(straight) };

    if (set.applyWith === 'git am') {
      const abort = await run(['am', '--abort']);
      if (abort.timedOut) return result;
    }
    const threeWay = await run([...apply, '--3way'], { input });
    if (threeWay.timedOut) return result;
    if (threeWay.exitCode === 0) {
      return await applied({ ...result, status: 'applies_with_3way', alreadyApplied: set.applyWith === 'git am' ? alreadyApplied(set, threeWay.stdout) : [] });
    }
    if (unparsable.test(threeWay.stderr)) return { ...result, status: 'does_not_parse', gitMessage: gitWords(threeWay) };

    const unmerged = await run(['diff', '--name-only', '--diff-filter=U', '-z']);
    if (unmerged.timedOut) return result;
    const files = [...unmerged.stdout.split('\u0000').filter(Boolean), ...filesFromErrors(threeWay.stderr)];
    return {
      ...result,
      status: 'conflicts',
      conflictingFiles: [...new Set(files)].sort(),
      failedPatch: set.applyWith === 'git am' ? failedMessage(set, work) : null,
      gitMessage: gitWords(threeWay),
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** `git am` prints `Applying: …` per message and `No changes -- Patch already applied.` for a no-op. */
function alreadyApplied(set: ParsedPatchSet, stdout: string): { position: number; subject: string }[] {
  const messages = set.patches.filter((p) => p.files.length > 0);
  const found: { position: number; subject: string }[] = [];
  let index = -1;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('Applying: ')) index++;
    const patch = messages[index];
    if (line.startsWith('No changes -- Patch already applied') && patch) found.push({ position: patch.position, subject: patch.subject });
  }
  return found;
}

/** The message `git am` stopped at: `rebase-apply/next` counts the messages git was given. */
function failedMessage(set: ParsedPatchSet, work: string): { position: number; subject: string } | null {
  try {
    const next = Number(readFileSync(path.join(work, '.git', 'rebase-apply', 'next'), 'utf8').trim());
    const patch = set.patches.filter((p) => p.files.length > 0)[next - 1];
    return patch ? { position: patch.position, subject: patch.subject } : null;
  } catch {
    return null;
  }
}
