/**
 * From what a run left behind (the driver's status lines, its exit, the log, why we stopped it) to the contract's
 * outcome: timed_out for the time limit; errored when it could not start or another limit ended it; failed when a
 * step exited non-zero; passed when every step exited 0.
 */
import type { SandboxLimitHit, SandboxOutcome, SandboxRunRequest, SandboxStep } from './types.js';

/** Why we stopped the run ourselves, if we did. */
export type StopReason = 'time' | 'output' | 'cancelled';

export interface StepEnd {
  name: SandboxStep['name'];
  code: number;
  freeBytes: number | null;
}

export interface DriverStatus {
  started: SandboxStep['name'][];
  ended: StepEnd[];
  copyFailed: boolean;
}

const STATUS_LINE = /^(start|end|free) (setup|test)(?: (\d{1,20}))?$/;

/** Parses fd 4's lines; anything else is ignored (the channel is reachable by the run, see driver.ts). */
export function parseStatus(text: string): DriverStatus {
  const status: DriverStatus = { started: [], ended: [], copyFailed: false };
  for (const line of text.split('\n')) {
    if (line === 'copy-failed') status.copyFailed = true;
    const m = STATUS_LINE.exec(line);
    if (!m) continue;
    const name = m[2] as SandboxStep['name'];
    if (m[1] === 'start' && m[3] === undefined) status.started.push(name);
    if (m[1] === 'end' && m[3] !== undefined) status.ended.push({ name, code: Number(m[3]), freeBytes: null });
    const last = status.ended.at(-1);
    if (m[1] === 'free' && m[3] !== undefined && last?.name === name) last.freeBytes = Number(m[3]);
  }
  return status;
}

/** Exit statuses of a shell whose command died of a signal: 128 + SIGXCPU (24), 128 + SIGXFSZ (25). */
const KILLED_BY_CPU_LIMIT = 128 + 24;
const KILLED_BY_FILE_SIZE_LIMIT = 128 + 25;
/** What runtimes print when fork/clone fails with EAGAIN under RLIMIT_NPROC (dash, bash, Python, Node). */
const FORK_REFUSED = /\bcan(?:no|')t fork\b|\bfork: (?:retry|Resource temporarily unavailable)|BlockingIOError: \[Errno 11\]|\bspawn EAGAIN\b/i;
/** What runtimes print when allocation fails under RLIMIT_AS. */
const OUT_OF_MEMORY = /\bMemoryError\b|Cannot allocate memory|\bout of memory\b|std::bad_alloc|\bENOMEM\b/i;

/** The limit a failed step most likely ran into: the signal, the tmpfs left nearly empty, or the runtime's own message. */
export function limitBehindFailure(end: StepEnd, stepLog: string, diskBytes: number): SandboxLimitHit | null {
  if (end.code === KILLED_BY_CPU_LIMIT) return 'cpu';
  if (end.code === KILLED_BY_FILE_SIZE_LIMIT) return 'disk';
  if (end.freeBytes !== null && end.freeBytes < Math.max(64 * 1024, diskBytes / 100)) return 'disk';
  if (FORK_REFUSED.test(stepLog)) return 'processes';
  if (OUT_OF_MEMORY.test(stepLog)) return 'memory';
  return null;
}

/** The part of the log the step `name` wrote (from its last `==> name:` header on). */
export function stepLog(log: string, name: string): string {
  const at = log.lastIndexOf(`==> ${name}: `);
  return at === -1 ? log : log.slice(at);
}

export interface Decision {
  outcome: SandboxOutcome;
  step: SandboxStep['name'] | null;
  exitCode: number | null;
  limitHit: SandboxLimitHit | null;
  note: string | null;
}

export function decide(req: SandboxRunRequest, status: DriverStatus, stop: StopReason | null, exitCode: number | null, log: string): Decision {
  const current = status.started.at(-1) ?? null;
  if (stop === 'time') return { outcome: 'timed_out', step: current, exitCode: null, limitHit: 'time', note: `stopped at the time limit (${req.limits.timeLimitMs} ms); everything it started was killed` };
  if (stop === 'output') return { outcome: 'errored', step: current, exitCode: null, limitHit: 'output', note: `output passed the limit (${req.limits.outputBytes} bytes): the log was cut and the run stopped` };
  if (stop === 'cancelled') return { outcome: 'errored', step: current, exitCode: null, limitHit: null, note: 'the run was cancelled' };
  if (status.copyFailed) return { outcome: 'errored', step: null, exitCode, limitHit: 'disk', note: `the tree could not be copied into the run (disk limit ${req.limits.diskBytes} bytes)` };
  const failed = status.ended.find((e) => e.code !== 0);
  if (failed) {
    const limit = limitBehindFailure(failed, stepLog(log, failed.name), req.limits.diskBytes);
    const note = limit ? `the ${failed.name} step ran into the ${limit} limit` : null;
    return { outcome: limit ? 'errored' : 'failed', step: failed.name, exitCode: failed.code, limitHit: limit, note };
  }
  if (exitCode === 0 && status.ended.length === req.steps.length) return { outcome: 'passed', step: current, exitCode: 0, limitHit: null, note: null };
  return { outcome: 'errored', step: current, exitCode, limitHit: null, note: `the run ended before its steps did (exit status ${exitCode ?? 'none'})` };
}

/** The longest prefix of `buf` that does not end inside a UTF-8 sequence. */
export function utf8Prefix(buf: Buffer): Buffer {
  let i = buf.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && (buf[i]! & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return buf;
  const lead = buf[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return buf.length - i < need ? buf.subarray(0, i) : buf;
}
