// Real worker processes for the exactly-once tests (never used by the product): the test side starts,
// stops, waits for and kills them; the fixture side (a compiled script under dist/) runs the product's
// Worker with test knobs. Shared by the embargo and disclosure-hour worker tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AppContext } from '../context.js';
import { systemClock } from '../clock.js';
import { Worker, type JobRegistry } from '../jobs/worker.js';
import { childEnv, type TestStorage } from './databases.js';
import { repoPath } from './fixture-files.js';

export const cordonCli = repoPath('bin', 'cordon.js');

export class WorkerProcesses {
  /** Everything the processes wrote to stderr, for failure messages. */
  readonly output: string[] = [];
  private readonly children: ChildProcess[] = [];

  /** `compiled`: files under dist/ the processes need (a stale or missing build fails with a hint). */
  constructor(private readonly compiled: string[] = []) {}

  start(db: TestStorage, args: string[], extra: Record<string, string> = {}): ChildProcess {
    for (const file of [repoPath('dist', 'cli', 'main.js'), ...this.compiled]) {
      if (!existsSync(file)) throw new Error(`${file} is missing: run \`npx tsc -p tsconfig.build.json\` first.`);
    }
    const env = childEnv(db, { IN_PROCESS_WORKER: 'false', WORKER_CONCURRENCY: '4', ...extra });
    delete env.SMTP_URL; // mail goes to DATA_DIR/outbox as .eml files
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: repoPath() });
    child.stderr?.on('data', (d: Buffer) => this.output.push(d.toString()));
    this.children.push(child);
    return child;
  }

  async stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  killAll(): void {
    for (const c of this.children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    this.output.length = 0;
  }

  async until(what: string, fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    await waitFor(what, fn, timeoutMs, () => this.output.join('').slice(-3000));
  }

  /**
   * Waits for a fixture process to print `holding <job id>`, SIGKILLs it there and waits for it to exit.
   * Returns the held job's id.
   */
  async killWhenHolding(child: ChildProcess): Promise<number> {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const held = await new Promise<number>((resolve, reject) => {
      let lines = '';
      child.stdout?.on('data', (d: Buffer) => {
        lines += d.toString();
        const m = /holding (\d+)\n/.exec(lines);
        if (m) {
          child.kill('SIGKILL');
          resolve(Number(m[1]));
        }
      });
      child.once('exit', (code, signal) => signal !== 'SIGKILL' && reject(new Error(`worker exited (${code}) early\n${this.output.join('')}`)));
    });
    await exited;
    return held;
  }
}

/**
 * The fixture side: the product's Worker over the real database, one job at a time, polling fast, with
 * LEASE_MS (so a killed worker's job is taken over within seconds) and WORKER_ID from the environment.
 * Prints "ready"; stops cleanly on SIGTERM.
 */
export function runFixtureWorker(ctx: AppContext, registry: JobRegistry, leaseMs = Number(process.env.LEASE_MS ?? 60_000)): void {
  const worker = new Worker({
    storage: ctx.storage,
    config: ctx.config,
    clock: systemClock,
    registry,
    concurrency: 1,
    pollMs: 50,
    leaseMs,
    workerId: process.env.WORKER_ID,
    onError: (job, error) => process.stderr.write(`job ${job.id} failed: ${String(error)}\n`),
  });
  worker.start();
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void worker.stop().then(() => ctx.storage.close()).then(() => process.exit(0));
  });
}

/** Polls `fn` until it returns a value (not undefined or false); throws after `timeoutMs`, naming `what`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, context?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${context ? `\n${context()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
