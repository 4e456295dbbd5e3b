// The sandbox on real small projects (issue 20): a Python package with pytest and a Node package with `node --test`,
// run by real bubblewrap; a passing suite passes, a broken test fails with its output in the log, a hanging one is
// killed at the time limit with nothing of it left running, and the original tree is never changed.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeIf } from '../testing/skips.js';
import { waitFor } from '../testing/worker-processes.js';
import { detectSandbox } from './detect.js';
import { runInSandbox } from './run.js';
import { TempDirs, nodeProject, pythonMissing, pythonProject, pythonReady, quickLimits, request, writeTree } from './testing/trees.js';

const availability = await detectSandbox();
const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

/** Every file of a tree with its content, to compare before and after a run. */
function snapshot(root: string): Record<string, string> {
  const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return Object.fromEntries(files.map((e) => [path.relative(root, path.join(e.parentPath, e.name)), readFileSync(path.join(e.parentPath, e.name), 'utf8')]));
}

/** Host processes whose command line carries `marker` (the sandbox's pid namespace is visible from here). */
function processesWith(marker: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
    } catch {
      return false;
    }
  }).map(Number);
}

describeIf(availability.kind === 'bubblewrap', `no sandbox here: ${availability.reason}`, 'the sandbox runs real test suites', () => {
  describeIf(pythonReady, pythonMissing, 'a Python package with pytest', () => {
    it('passes a Python package whose pytest suite passes, and leaves the original tree unchanged', async () => {
      const tree = pythonProject(dirs.make());
      const before = snapshot(tree);
      const result = await runInSandbox(request(tree, dirs.make(), 'python3 -m pytest -q tests', { steps: [{ name: 'setup', command: 'python3 -m pytest --version' }, { name: 'test', command: 'python3 -m pytest -q tests && echo made > made-by-the-run.txt' }] }));
      expect(result).toMatchObject({ outcome: 'passed', step: 'test', exitCode: 0, sandboxed: true, limitHit: null, logTruncated: false });
      expect(result.log).toContain('==> setup: python3 -m pytest --version');
      expect(result.log).toMatch(/2 passed/);
      expect(snapshot(tree)).toEqual(before);
      expect(existsSync(path.join(tree, 'made-by-the-run.txt'))).toBe(false);
    });

    it('fails a Python package with a broken test, with the failing test in the log', async () => {
      const result = await runInSandbox(request(pythonProject(dirs.make(), true), dirs.make(), 'python3 -m pytest -q tests'));
      expect(result).toMatchObject({ outcome: 'failed', step: 'test', exitCode: 1, limitHit: null });
      expect(result.log).toMatch(/FAILED tests\/test_calc.py::test_add/);
      expect(result.log).toMatch(/1 failed, 1 passed/);
    });
  });

  it('passes and fails a Node package with node --test', async () => {
    const passing = await runInSandbox(request(nodeProject(dirs.make()), dirs.make(), 'node --test'));
    expect(passing).toMatchObject({ outcome: 'passed', exitCode: 0 });
    expect(passing.log).toMatch(/# pass 1/);
    const failing = await runInSandbox(request(nodeProject(dirs.make(), true), dirs.make(), 'node --test'));
    expect(failing).toMatchObject({ outcome: 'failed', step: 'test', exitCode: 1 });
    expect(failing.log).toMatch(/not ok 1 - adds two numbers/);
    expect(failing.log).toMatch(/-1 !== 5/);
  });

  it('gives the run a user, localhost and a host name of its own, and none of the host\'s', async () => {
    const result = await runInSandbox(request(nodeProject(dirs.make()), dirs.make(), 'whoami; hostname; getent hosts localhost; cat /etc/passwd /etc/group; node -e "require(\'node:dns\').lookup(\'localhost\', { family: 4 }, (e, a) => console.log(\'resolved\', e ? e.code : a))"'));
    expect(result.outcome, result.log).toBe('passed');
    expect(result.log).toMatch(/^sandbox$/m);
    expect(result.log).toMatch(/^cordon-sandbox$/m);
    expect(result.log).toContain('resolved 127.0.0.1');
    expect(result.log.split('\n')).not.toContain(os.hostname());
    expect(result.log).not.toMatch(/^(postgres|www-data|daemon):/m);
  });

  it('runs two at once, each in its own tree with its own process budget', async () => {
    const limits = { ...quickLimits, maxProcesses: 40 };
    // Each holds 25 processes at the same moment: under one shared budget of 40, one of them could not fork. (Each
    // run has a uid of its own, and since Linux 5.14 each user namespace its own count too.)
    const hold = 'echo $(id -u) > me; i=0; while [ $i -lt 25 ]; do sleep 2 & i=$((i+1)); done; wait; cat me; ls';
    const [a, b] = await Promise.all([
      runInSandbox(request(writeTree(dirs.make(), { 'only-in-a.txt': 'a' }), dirs.make(), hold, { limits })),
      runInSandbox(request(writeTree(dirs.make(), { 'only-in-b.txt': 'b' }), dirs.make(), hold, { limits })),
    ]);
    expect([a.outcome, b.outcome], a.log + b.log).toEqual(['passed', 'passed']);
    expect(a.log).toContain('only-in-a.txt');
    expect(a.log).not.toContain('only-in-b.txt');
    expect(b.log).not.toContain('only-in-a.txt');
  });

  it('stops at the first failing step', async () => {
    const result = await runInSandbox(request(nodeProject(dirs.make()), dirs.make(), 'node --test', { steps: [{ name: 'setup', command: 'echo preparing; exit 3' }, { name: 'test', command: 'echo never-runs' }] }));
    expect(result).toMatchObject({ outcome: 'failed', step: 'setup', exitCode: 3 });
    expect(result.log).toContain('preparing');
    expect(result.log).not.toContain('never-runs\n');
  });

  it('kills a hanging test at the time limit, and everything it started', async () => {
    const marker = `${Date.now() % 100000}.4242`;
    const tree = nodeProject(dirs.make());
    const running = runInSandbox(request(tree, dirs.make(), `sleep ${marker} & (sleep ${marker}; echo x) & sleep ${marker}`, { limits: { ...quickLimits, timeLimitMs: 3000 } }));
    // The check below can see them while they run (three sleeps: two in the background, one in front).
    await waitFor('the hanging sleeps', async () => processesWith(`sleep\0${marker}`).length === 3, 10_000);
    const result = await running;
    expect(result).toMatchObject({ outcome: 'timed_out', step: 'test', limitHit: 'time', exitCode: null });
    expect(result.log).toMatch(/time limit/);
    // Killing bwrap kills its pid namespace: no sleep of the run is left on the host.
    expect(processesWith(`sleep\0${marker}`)).toEqual([]);
  });
});
