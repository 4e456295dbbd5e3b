// The sandbox on real small projects (issue 20): a Python package with pytest and a Node package with `node --test`,
// run by real bubblewrap; a passing suite passes, a broken test fails with its output in the log, a hanging one is
// killed at the time limit with nothing of it left running, and the original tree is never changed.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeIf } from '../testing/skips.js';
import { waitFor } from '../testing/worker-processes.js';
import { detectSandbox, runInSandbox } from './index.js';
import { TempDirs, nodeProject, pythonProject, quickLimits, request } from './testing/trees.js';

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

  it('passes and fails a Node package with node --test', async () => {
    const passing = await runInSandbox(request(nodeProject(dirs.make()), dirs.make(), 'node --test'));
    expect(passing).toMatchObject({ outcome: 'passed', exitCode: 0 });
    expect(passing.log).toMatch(/# pass 1/);
    const failing = await runInSandbox(request(nodeProject(dirs.make(), true), dirs.make(), 'node --test'));
    expect(failing).toMatchObject({ outcome: 'failed', step: 'test', exitCode: 1 });
    expect(failing.log).toMatch(/not ok 1 - adds two numbers/);
    expect(failing.log).toMatch(/-1 !== 5/);
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
