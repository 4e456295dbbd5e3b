/**
 * runInSandbox: one run of a recipe's steps on its own copy of a tree, confined by bubblewrap (command.ts), limited
 * by prlimit inside (CPU, address space, processes, file size, no core dumps), by a size-limited tmpfs (disk), and
 * from out here by the output cap and the wall clock. The tree goes in as a tar stream on stdin (the run never
 * sees the host path) and the artifacts come out as one on fd 3 (artifacts.ts).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { unpackArtifacts } from './artifacts.js';
import { insideEnvironment, runningAsRoot, sandboxCommand, TMP_INSIDE, TREE_INSIDE, type SandboxCommand } from './command.js';
import { DEFAULT_BWRAP, detectSandbox, type SandboxOptions } from './detect.js';
import { driverArgv } from './driver.js';
import { decide, parseStatus, utf8Prefix, type StopReason } from './outcome.js';
import { checkRequest } from './request.js';
import { hostToolchain } from './toolchain.js';
import type { SandboxRunRequest, SandboxRunResult } from './types.js';

/** Run uids are 200000 + slot (see command.ts); slots in use by this process. */
const RUN_UID_BASE = 200_000;
const RUN_UID_SLOTS = 100_000;
const slotsInUse = new Set<number>();
/** After the run's own process exits, how long stray holders of its pipes get before we stop listening (unsandboxed only can have any). */
const DRAIN_GRACE_MS = 2_000;
const STATUS_LIMIT = 64 * 1024;
/** /tmp inside is a tmpfs of its own, at most this big (and never more than the disk limit). */
const TMP_BYTES = 64 * 1024 * 1024;

function takeSlot(): number {
  for (;;) {
    const slot = Math.floor(Math.random() * RUN_UID_SLOTS);
    if (!slotsInUse.has(slot)) {
      slotsInUse.add(slot);
      return slot;
    }
  }
}

const note = (text: string) => `cordon-sandbox: ${text}\n`;

function refusal(reason: string | undefined, started: number): SandboxRunResult {
  // Not run at all, so not "went ahead unsandboxed": sandboxed stays true (the contract reserves false for that).
  return {
    outcome: 'errored', step: null, exitCode: null, limitHit: null, artifacts: [], logTruncated: false, sandboxed: true, durationMs: Date.now() - started,
    log: note(`refused: no sandbox is available on this worker (${reason ?? 'unknown reason'}) and this project does not allow unsandboxed runs`),
  };
}

export async function runInSandbox(req: SandboxRunRequest, options: SandboxOptions = {}): Promise<SandboxRunResult> {
  checkRequest(req);
  const started = Date.now();
  const availability = await detectSandbox(options);
  if (availability.kind === 'none' && !req.allowUnsandboxed) return refusal(availability.reason, started);
  const sandboxed = availability.kind !== 'none';
  const inner = (tree: string, tmp: string) => [
    // CPU: SIGXCPU at the soft limit (exit 152, read as the cpu limit), SIGKILL a second later if it is caught.
    'prlimit', `--cpu=${req.limits.cpuSeconds}:${req.limits.cpuSeconds + 1}`, `--as=${req.limits.memoryBytes}`, `--nproc=${req.limits.maxProcesses}`, `--fsize=${req.limits.diskBytes}`, '--core=0', '--',
    ...driverArgv(tree, tmp, sandboxed, req.steps, req.artifactPaths),
  ];
  const tmpBytes = Math.min(TMP_BYTES, req.limits.diskBytes);
  let slot: number | null = null;
  let scratch: string | null = null;
  let command: SandboxCommand | null = null;
  let env: Record<string, string>;
  let cwd: string | undefined;
  try {
    if (sandboxed) {
      slot = runningAsRoot() ? takeSlot() : null;
      command = sandboxCommand({
        bwrapPath: options.bwrapPath ?? DEFAULT_BWRAP, uid: RUN_UID_BASE + (slot ?? 0), readOnlyPaths: req.readOnlyPaths ?? [],
        diskBytes: req.limits.diskBytes, tmpBytes, env: req.env ?? {}, inner: inner(TREE_INSIDE, TMP_INSIDE),
      });
      env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    } else {
      // Unsandboxed (an admin allowed it): a temporary copy, a cleared environment and the same limits, no isolation.
      scratch = mkdtempSync(path.join(os.tmpdir(), 'cordon-run-'));
      const tree = path.join(scratch, 'tree');
      const tmp = path.join(scratch, 'tmp');
      mkdirSync(tree);
      mkdirSync(tmp);
      const argv = inner(tree, tmp);
      command = { file: argv[0]!, args: argv.slice(1), stagingDir: null };
      env = insideEnvironment(hostToolchain().path, req.env ?? {}, tree, tmp);
      cwd = tree;
    }
    const result = await execute(req, command, env, cwd, sandboxed);
    const prefix = sandboxed ? '' : note('WARNING: this run was not sandboxed (allowed for this project): it could read and write whatever the server can; only the limits applied');
    return { ...result, log: prefix + result.log, sandboxed, durationMs: Date.now() - started };
  } finally {
    if (slot !== null) slotsInUse.delete(slot);
    if (command?.stagingDir) rmSync(command.stagingDir, { recursive: true, force: true });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

type Executed = Omit<SandboxRunResult, 'sandboxed' | 'durationMs'>;

function execute(req: SandboxRunRequest, command: SandboxCommand, env: Record<string, string>, cwd: string | undefined, isolated: boolean): Promise<Executed> {
  const { limits } = req;
  return new Promise((resolve) => {
    const logChunks: Buffer[] = [];
    let logBytes = 0;
    let logTruncated = false;
    const artifactChunks: Buffer[] = [];
    let artifactBytes = 0;
    let artifactsCut = false;
    let statusText = '';
    let stop: StopReason | null = null;
    let exitCode: number | null = null;
    let startError: string | null = null;
    let settled = false;

    // detached: the run leads its own process group, so the unsandboxed fallback can be killed as a whole too.
    const child = spawn(command.file, command.args, { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] });
    const [stdin, stdout, stderr, artifactsOut, statusOut] = child.stdio as [Writable, Readable, Readable, Readable, Readable];

    const kill = () => {
      if (child.pid === undefined) return;
      // bwrap's pid 1 dies with it (--die-with-parent), and with pid 1 the kernel kills the whole pid namespace.
      for (const target of [child.pid, -child.pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    };
    const stopRun = (reason: StopReason) => {
      stop ??= reason;
      kill();
    };

    stdout.on('data', onLog);
    stderr.on('data', onLog);
    function onLog(chunk: Buffer) {
      if (logTruncated) return;
      const room = limits.outputBytes - logBytes;
      if (chunk.length > room) {
        logChunks.push(chunk.subarray(0, room));
        logBytes = limits.outputBytes;
        logTruncated = true;
        stopRun('output');
        return;
      }
      logChunks.push(chunk);
      logBytes += chunk.length;
    }
    artifactsOut.on('data', (chunk: Buffer) => {
      // Keep reading past the cap (a blocked writer would hang the run until its time limit), but keep nothing more.
      const room = limits.outputBytes - artifactBytes;
      if (chunk.length > room) artifactsCut = true;
      const kept = chunk.subarray(0, Math.max(0, room));
      artifactChunks.push(kept);
      artifactBytes += kept.length;
    });
    statusOut.on('data', (chunk: Buffer) => {
      if (statusText.length < STATUS_LIMIT) statusText += chunk.toString('utf8').slice(0, STATUS_LIMIT - statusText.length);
    });

    // The tree goes in as a tar stream: tar -c does not follow symlinks, so the run gets links, never their targets.
    const packer = spawn('tar', ['-C', req.treeDir, '-c', '-f', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: env.PATH ?? '/usr/bin:/bin' } });
    let packerError = '';
    packer.stderr.on('data', (chunk: Buffer) => {
      if (packerError.length < 4096) packerError += chunk.toString('utf8');
    });
    packer.on('error', (error) => {
      packerError += error.message;
      stdin.destroy();
    });
    stdin.on('error', () => {
      // The run may stop reading (a full disk, an early exit); its status says why.
    });
    packer.stdout.pipe(stdin);
    packer.on('close', (code) => {
      if (code !== 0 && packerError) onLog(Buffer.from(note(`packing the tree failed: ${packerError.trim()}`)));
    });

    const timer = setTimeout(() => stopRun('time'), limits.timeLimitMs);
    const onAbort = () => stopRun('cancelled');
    req.signal?.addEventListener('abort', onAbort, { once: true });
    if (req.signal?.aborted) onAbort();
    let grace: NodeJS.Timeout | undefined;

    const finish = () => {
      if (settled) return;
      settled = true;
      // Unsandboxed, what the run left in the background is only reachable through its process group.
      if (!isolated) kill();
      clearTimeout(timer);
      clearTimeout(grace);
      req.signal?.removeEventListener('abort', onAbort);
      packer.kill('SIGKILL');
      for (const stream of [stdout, stderr, artifactsOut, statusOut]) stream.destroy();
      const logBuffer = Buffer.concat(logChunks);
      let log = (logTruncated ? utf8Prefix(logBuffer) : logBuffer).toString('utf8');
      const notes: string[] = [];
      if (logTruncated && !log.endsWith('\n')) log += '\n';
      if (startError) notes.push(`the run could not start: ${startError}`);
      const decision = decide(req, parseStatus(statusText), startError ? null : stop, exitCode, log);
      if (decision.note && !startError) notes.push(decision.note);
      const unpacked = artifactChunks.length > 0 ? unpackArtifacts(Buffer.concat(artifactChunks), req.artifactDir) : { artifacts: [], skipped: [] };
      for (const skipped of unpacked.skipped) notes.push(`artifact not kept: ${skipped}`);
      if (artifactsCut) notes.push(`artifacts past ${limits.outputBytes} bytes were not kept`);
      resolve({
        outcome: startError ? 'errored' : decision.outcome,
        step: decision.step,
        exitCode: startError ? null : decision.exitCode,
        log: log + notes.map(note).join(''),
        logTruncated,
        limitHit: startError ? null : decision.limitHit,
        artifacts: unpacked.artifacts,
      });
    };

    child.on('error', (error) => {
      startError = error.message;
      finish();
    });
    child.on('exit', (code) => {
      exitCode = code;
      grace = setTimeout(finish, DRAIN_GRACE_MS);
    });
    child.on('close', finish);
  });
}
