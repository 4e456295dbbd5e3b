// A worker without a sandbox (simulated by pointing detection at a bwrap that does not exist): runs are refused
// unless the project allows unsandboxed runs; allowed, they run on a temporary copy with a cleared environment and
// the same limits, and say so. Also: what a bad request and a cancelled run give.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeIf } from '../testing/skips.js';
import { detectSandbox } from './detect.js';
import { runInSandbox } from './run.js';
import { TempDirs, WHEEL_MAKER, nodeProject, pythonMissing, pythonProject, pythonReady, quickLimits, request, writeTree } from './testing/trees.js';

const missing = { bwrapPath: '/nonexistent/cordon-test/bwrap' };
const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

describe('without a sandbox', () => {
  it('reports none, with the reason', async () => {
    expect(await detectSandbox(missing)).toEqual({ kind: 'none', reason: expect.stringMatching(/bubblewrap is not installed \(\/nonexistent\/cordon-test\/bwrap not found; Debian: apt install bubblewrap\)/) });
  });

  it('refuses to run when the project does not allow unsandboxed runs', async () => {
    const tree = nodeProject(dirs.make());
    const result = await runInSandbox(request(tree, dirs.make(), 'touch ran-anyway; node --test'), missing);
    expect(result).toMatchObject({ outcome: 'errored', step: null, exitCode: null, limitHit: null, artifacts: [] });
    expect(result.log).toMatch(/refused: no sandbox is available on this worker \(bubblewrap is not installed.*\) and this project does not allow unsandboxed runs/);
    expect(existsSync(path.join(tree, 'ran-anyway'))).toBe(false);
  });

  it('runs when allowed, on a copy, with a cleared environment, limits, and a warning', async () => {
    process.env.CORDON_SANDBOX_TEST_SECRET = 'server-secret-value';
    try {
      const tree = nodeProject(dirs.make(), true);
      const artifactDir = dirs.make();
      const result = await runInSandbox(request(tree, artifactDir, "echo 'export const add = (a, b) => a + b;' > calc.js; env; ulimit -t; echo kept > out.txt; node --test", { allowUnsandboxed: true, artifactPaths: ['out.txt'] }), missing);
      expect(result).toMatchObject({ outcome: 'passed', sandboxed: false, artifacts: [{ path: 'out.txt', bytes: 5 }] });
      expect(result.log).toMatch(/^cordon-sandbox: WARNING: this run was not sandboxed/);
      expect(result.log).not.toContain('server-secret-value');
      expect(result.log).toMatch(/^20$/m);
      expect(readFileSync(path.join(tree, 'calc.js'), 'utf8')).toMatch(/a - b/);
      const broken = await runInSandbox(request(nodeProject(dirs.make(), true), dirs.make(), 'node --test', { allowUnsandboxed: true }), missing);
      expect(broken).toMatchObject({ outcome: 'failed', sandboxed: false, exitCode: 1 });
    } finally {
      delete process.env.CORDON_SANDBOX_TEST_SECRET;
    }
  });

  it('kills a hanging unsandboxed run at the time limit, its background processes too', async () => {
    const marker = `${Date.now() % 100000}.5151`;
    const result = await runInSandbox(request(nodeProject(dirs.make()), dirs.make(), `sleep ${marker} & sleep ${marker}`, { allowUnsandboxed: true, limits: { ...quickLimits, timeLimitMs: 1000 } }), missing);
    expect(result).toMatchObject({ outcome: 'timed_out', limitHit: 'time', sandboxed: false });
    const left = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    });
    expect(left).toEqual([]);
  });
});

describe('requests and cancellation', () => {
  it('throws for a request of the wrong shape (a programmer error), before running anything', async () => {
    const tree = nodeProject(dirs.make());
    const ok = request(tree, dirs.make(), 'true');
    await expect(runInSandbox({ ...ok, treeDir: 'relative/tree' })).rejects.toThrow(/treeDir must be an absolute/);
    await expect(runInSandbox({ ...ok, steps: [] })).rejects.toThrow(/steps must be a non-empty list/);
    await expect(runInSandbox({ ...ok, artifactPaths: ['../out'] })).rejects.toThrow(/artifact path "\.\.\/out"/);
    await expect(runInSandbox({ ...ok, limits: { ...quickLimits, timeLimitMs: 0 } })).rejects.toThrow(/limits.timeLimitMs must be a positive integer/);
    await expect(runInSandbox({ ...ok, limits: { ...quickLimits, timeLimitMs: 2 ** 31 } })).rejects.toThrow(/limits.timeLimitMs must be at most/);
    await expect(runInSandbox({ ...ok, readOnlyPaths: ['/proc'] })).rejects.toThrow(/would cover the run's own/);
    await expect(runInSandbox({ ...ok, env: { 'BAD-NAME': 'x' } })).rejects.toThrow(/environment variable "BAD-NAME"/);
  });
});

const availability = await detectSandbox();
describeIf(availability.kind === 'bubblewrap', `no sandbox here: ${availability.reason}`, 'sandboxed runs that end early', () => {
  it('errors when the tree does not fit the disk limit', async () => {
    const tree = writeTree(dirs.make(), { 'big.bin': 'x'.repeat(3 * 1024 * 1024) });
    const result = await runInSandbox(request(tree, dirs.make(), 'echo never-runs', { limits: { ...quickLimits, diskBytes: 1024 * 1024 } }));
    expect(result).toMatchObject({ outcome: 'errored', step: null, limitHit: 'disk' });
    expect(result.log).toMatch(/copying the tree in failed/);
    expect(result.log).not.toMatch(/never-runs\n/);
  });

  it('keeps a read-only path the run may not read (mode 0700) unreadable', async () => {
    const cache = writeTree(dirs.make('cordon-private-cache-'), { 'secret.txt': 'private-cache-content' });
    chmodSync(cache, 0o700);
    const result = await runInSandbox(request(nodeProject(dirs.make()), dirs.make(), `cat ${cache}/secret.txt`, { readOnlyPaths: [cache] }));
    expect(result).toMatchObject({ outcome: 'failed', step: 'test' });
    expect(result.log).toContain(`cat: ${cache}/secret.txt: Permission denied`);
    expect(result.log).not.toContain('private-cache-content');
  });

  it('stops a cancelled run', async () => {
    const controller = new AbortController();
    const running = runInSandbox(request(nodeProject(dirs.make()), dirs.make(), 'echo started; sleep 30', { signal: controller.signal }));
    setTimeout(() => controller.abort(), 500);
    const result = await running;
    expect(result).toMatchObject({ outcome: 'errored', limitHit: null });
    expect(result.log).toMatch(/the run was cancelled/);
  });

  describeIf(pythonReady, pythonMissing, 'an offline Python dependency', () => {
    it('installs a dependency offline from a wheelhouse the admin prepared, which the run cannot change', async () => {
      const cache = dirs.make('cordon-cache-');
      mkdirSync(path.join(cache, 'wheels'));
      // A one-module wheel, made here (the machine has no network either).
      execFileSync('python3', ['-c', WHEEL_MAKER, path.join(cache, 'wheels')]);
      execFileSync('chmod', ['-R', 'o+rX', cache]);
      const result = await runInSandbox(request(pythonProject(dirs.make()), dirs.make(), 'python3 -m pip install -q --target .deps offlinedep && PYTHONPATH=.deps python3 -c "import offlinedep; print(offlinedep.VALUE)" && touch "$PIP_FIND_LINKS/new"', {
        readOnlyPaths: [cache],
        env: { PIP_NO_INDEX: '1', PIP_FIND_LINKS: path.join(cache, 'wheels'), PIP_DISABLE_PIP_VERSION_CHECK: '1' },
      }));
      expect(result.outcome, result.log).toBe('failed');
      expect(result.log).toMatch(/^42$/m);
      expect(result.log).toMatch(/Read-only file system/);
      expect(readdirSync(path.join(cache, 'wheels'))).toEqual(['offlinedep-1.0-py3-none-any.whl']);
    });
  });
});
