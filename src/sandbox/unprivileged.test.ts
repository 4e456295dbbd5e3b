// The production path (issue 20): Cordon runs as an unprivileged system user, so bubblewrap starts without setpriv
// and without root's bind mounts for toolchains in a private home. The run is started by a child process of that
// kind (uid 65534 when these tests run as root; the tests' own user otherwise) through the product's runInSandbox,
// on a tree and artifact folder that user owns: a passing `node --test` project passes, the network is refused, a
// file of that user outside the tree is not readable, the server's environment does not reach the run, and a fork
// bomb stops at the run's own process limit.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoPath } from '../testing/fixture-files.js';
import { describeIf } from '../testing/skips.js';
import { detectSandbox } from './detect.js';
import { CountingListener, TempDirs, nodeProject, quickLimits, request } from './testing/trees.js';
import type { SandboxAvailability, SandboxRunRequest, SandboxRunResult } from './types.js';

const builtSandbox = repoPath('dist', 'sandbox');
const asRoot = process.getuid?.() === 0;
/** nobody: no home, no groups, owns nothing on the host. */
const SERVER_UID = 65534;
const setprivReady = !asRoot || spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
const availability = await detectSandbox();
const SECRET = 'server-secret-for-the-unprivileged-test';

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

/** Hands a folder and everything in it to the server's user (the tests' own user owns its folders already). */
function own(dir: string): string {
  if (asRoot) execFileSync('chown', ['-R', `${SERVER_UID}:${SERVER_UID}`, dir]);
  return dir;
}

/**
 * The built sandbox (it imports nothing outside its folder), copied where the server's user can read it: a checkout
 * may sit in a folder only root may enter, as CI's `mktemp -d` is.
 */
function fixtureCopy(): string {
  const fixture = path.join(builtSandbox, 'testing', 'unprivileged-run.js');
  if (!existsSync(fixture)) throw new Error(`${fixture} is missing: run \`npx tsc -p tsconfig.build.json\` first.`);
  const dir = dirs.make('cordon-sandbox-build-');
  cpSync(builtSandbox, path.join(dir, 'sandbox'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  own(dir);
  return path.join(dir, 'sandbox', 'testing', 'unprivileged-run.js');
}

interface Report {
  outside: { uid: number | null; read: string[]; env: string[]; connected: boolean };
  availability: SandboxAvailability;
  results: SandboxRunResult[];
}

/** Runs the fixture as the server's user, with SECRET in its environment as a server's configuration would be. */
function runAsServerUser(input: { requests: SandboxRunRequest[]; readable: string[]; port: number }): Promise<Report> {
  const node = [process.execPath, fixtureCopy()];
  const argv = asRoot ? ['setpriv', '--reuid', String(SERVER_UID), '--regid', String(SERVER_UID), '--clear-groups', ...node] : node;
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', CORDON_TEST_SERVER_SECRET: SECRET };
  const child = spawn(argv[0]!, argv.slice(1), { env, cwd: '/', stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(JSON.stringify(input));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as Report);
      else reject(new Error(`the unprivileged run exited ${code}:\n${stderr}\n${stdout}`));
    });
  });
}

describeIf(availability.kind === 'bubblewrap', `no sandbox here: ${availability.reason}`, 'the sandbox when the server is not root', () => {
  describeIf(setprivReady, 'setpriv (util-linux) is not installed', 'runs started by an unprivileged server', () => {
    const host = new CountingListener();
    beforeAll(() => host.start());
    afterAll(() => host.close());

    it('passes a node --test project, and refuses the network, the server\'s files and its environment', async () => {
      const data = dirs.make('cordon-datadir-');
      const secretFile = path.join(data, 'cordon.sqlite');
      writeFileSync(secretFile, 'secret-database-row');
      chmodSync(secretFile, 0o600);
      own(data);

      const passing = request(own(nodeProject(dirs.make())), own(dirs.make()), 'node --test');
      const connectProbe = `node -e "require('node:net').connect(${host.port}, '127.0.0.1').on('connect', () => console.log('probe: connected')).on('error', (e) => console.log('probe: network', e.code))"`;
      const probes = request(own(nodeProject(dirs.make())), own(dirs.make()), `id -u; cat ${secretFile}; ${connectProbe}; env; exit 0`, { limits: quickLimits });
      // The run keeps the server's uid (in a user namespace of its own): the process limit must still be its own.
      const forks = request(own(nodeProject(dirs.make())), own(dirs.make()), 'i=0; while [ $i -lt 200 ]; do sleep 30 & i=$((i+1)); done; wait', { limits: { ...quickLimits, maxProcesses: 24 } });
      const report = await runAsServerUser({ requests: [passing, probes, forks], readable: [secretFile], port: host.port });

      // The child really is the unprivileged server, and plain permissions let it read the file and connect.
      expect(report.outside.uid).not.toBe(0);
      expect(report.outside.read).toEqual(['secret-database-row']);
      expect(report.outside.env).toContain('CORDON_TEST_SERVER_SECRET');
      expect(report.outside.connected).toBe(true);
      expect(report.availability).toEqual({ kind: 'bubblewrap' });

      const [passed, probed] = report.results;
      expect(passed, passed?.log).toMatchObject({ outcome: 'passed', exitCode: 0, sandboxed: true });
      expect(passed!.log).toMatch(/# pass 1/);

      expect(probed, probed?.log).toMatchObject({ outcome: 'passed', sandboxed: true });
      expect(probed!.log).toContain(`cat: ${secretFile}: No such file or directory`);
      expect(probed!.log).toMatch(/^probe: network ECONNREFUSED$/m);
      expect(probed!.log).toContain('HOME=/work/tree');
      expect(probed!.log).not.toContain('secret-database-row');
      expect(probed!.log).not.toContain(SECRET);
      expect(probed!.log).not.toContain('CORDON_TEST_SERVER_SECRET');
      expect(report.results[2], report.results[2]?.log).toMatchObject({ outcome: 'errored', limitHit: 'processes' });
      // Only the child's own connection arrived.
      expect(host.received).toBe(1);
    });
  });
});
