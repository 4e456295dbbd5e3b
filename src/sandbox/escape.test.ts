// Escape attempts from inside a test command (issue 20): each fails, the result says so, and the host shows it did
// not happen. The probes are shell or Python one-liners a hostile patch could put in a test.
import { connect } from 'node:net';
import { existsSync, mkdirSync, readFileSync, readdirSync, statfsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../testing/skips.js';
import { waitFor } from '../testing/worker-processes.js';
import { detectSandbox } from './detect.js';
import { runInSandbox } from './run.js';
import { CountingListener, TempDirs, nodeProject, quickLimits, request, writeTree } from './testing/trees.js';
import type { SandboxRunResult } from './types.js';

const availability = await detectSandbox();
const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

async function run(command: string, limits: Partial<typeof quickLimits> = {}): Promise<{ result: SandboxRunResult; tree: string }> {
  const tree = nodeProject(dirs.make());
  const result = await runInSandbox(request(tree, dirs.make(), command, { limits: { ...quickLimits, ...limits } }));
  return { result, tree };
}

const py = (code: string) => `python3 -c '${code}'`;

describeIf(availability.kind === 'bubblewrap', `no sandbox here: ${availability.reason}`, 'escape attempts from inside a run', () => {
  const host = new CountingListener();
  beforeAll(() => host.start());
  afterAll(() => host.close());

  it('cannot open a network connection: not to a listener on the host, not to the outside', async () => {
    const { result } = await run(`${py(`import socket; socket.create_connection(("127.0.0.1", ${host.port}), timeout=3)`)}; ${py('import socket; socket.create_connection(("1.1.1.1", 53), timeout=3)')}`);
    expect(result.outcome).toBe('failed');
    expect(result.log).toMatch(/ConnectionRefusedError/);
    expect(result.log).toMatch(/Network is unreachable/);
    expect(host.received).toBe(0);
    // The listener does count a connection that is made (so the zero above means something).
    connect(host.port, '127.0.0.1').on('error', () => {}).end();
    await waitFor('the listener to count a connection from the host', async () => host.received === 1, 10_000);
  });

  it('cannot read a DATA_DIR, its database, or another report\'s tree', async () => {
    const data = mkdirSync(path.join(dirs.make('cordon-datadir-'), 'data'), { recursive: true })!;
    writeFileSync(path.join(data, 'cordon.sqlite'), 'SQLite format 3\0 secret-database-row');
    writeFileSync(path.join(data, 'team-key.asc'), 'secret-team-key');
    const other = writeTree(dirs.make(), { 'secret.txt': 'secret-of-another-report' });
    const { result } = await run(`cat ${data}/cordon.sqlite; cat ${data}/team-key.asc; cat ${other}/secret.txt; ls /tmp ${os.tmpdir()} ${process.cwd()} /root /work; cat /proc/*/environ; exit 1`);
    expect(result.outcome).toBe('failed');
    expect(result.log).toContain(`cat: ${data}/cordon.sqlite: No such file or directory`);
    expect(result.log).toContain(`cat: ${other}/secret.txt: No such file or directory`);
    expect(result.log).toContain(`ls: cannot access '${process.cwd()}': No such file or directory`);
    expect(result.log).not.toMatch(/secret-database-row|secret-team-key|secret-of-another-report/);
    // /work holds only the run's own tree; /root only the bound toolchain prefix (nothing of root's home).
    expect(result.log).toMatch(/\/work:\ntree\n/);
    expect(result.log).toMatch(/\/root:\n(\n|$)/);
  });

  it('cannot write outside its tree: not the host /tmp, not the original tree, not /usr', async () => {
    const name = `escaped-${process.pid}-${Date.now()}`;
    const tree = nodeProject(dirs.make());
    const result = await runInSandbox(request(tree, dirs.make(), `touch /tmp/${name}; touch ${tree}/${name}; touch /usr/${name}; touch /${name}; touch /dev/${name}; exit 1`));
    expect(result.outcome).toBe('failed');
    expect(result.log).toContain(`touch: cannot touch '${tree}/${name}': No such file or directory`);
    expect(result.log).toContain(`touch: cannot touch '/usr/${name}': Read-only file system`);
    // bwrap builds / and /dev as tmpfs without a size: read-only, or they would be a way round the disk limit.
    expect(result.log).toContain(`touch: cannot touch '/${name}': Read-only file system`);
    expect(result.log).toContain(`touch: cannot touch '/dev/${name}': Read-only file system`);
    for (const where of [os.tmpdir(), tree, '/usr', '/']) expect(existsSync(path.join(where, name))).toBe(false);
  });

  it('cannot see the server\'s environment; gets only its own and the recipe\'s', async () => {
    process.env.CORDON_SANDBOX_TEST_SECRET = 'server-secret-value';
    try {
      const tree = nodeProject(dirs.make());
      const result = await runInSandbox(request(tree, dirs.make(), 'env; cat /proc/1/environ /proc/self/environ | tr "\\0" "\\n"', { env: { RECIPE_SETTING: 'recipe-value' } }));
      expect(result.outcome).toBe('passed');
      expect(result.log).toContain('RECIPE_SETTING=recipe-value');
      expect(result.log).toContain('HOME=/work/tree');
      expect(result.log).not.toContain('server-secret-value');
      expect(result.log).not.toContain('CORDON_SANDBOX_TEST_SECRET');
    } finally {
      delete process.env.CORDON_SANDBOX_TEST_SECRET;
    }
  });

  it('cannot make a user namespace of its own to rearrange what it sees', async () => {
    const { result } = await run('unshare --user --map-root-user true');
    expect(result.outcome).toBe('failed');
    expect(result.log).toMatch(/unshare failed/);
  });

  it('contains a fork bomb at the process limit; the host keeps working', async () => {
    const marker = `${Date.now() % 100000}.777`;
    const { result } = await run(`i=0; while [ $i -lt 500 ]; do sleep ${marker} & i=$((i+1)); done; wait`, { maxProcesses: 24 });
    expect(result.outcome).toBe('errored');
    expect(result.limitHit).toBe('processes');
    expect(result.log).toMatch(/Cannot fork/);
    expect(result.log).toMatch(/processes limit/);
    expect(spawnSync('true').status).toBe(0);
    const left = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    });
    expect(left).toEqual([]);
  });

  it('stops at the disk limit when filling its tree or /tmp; the host disk is untouched', async () => {
    const before = statfsSync(os.tmpdir());
    const { result } = await run('dd if=/dev/zero of=big bs=1M count=1024', { diskBytes: 8 * 1024 * 1024 });
    const after = statfsSync(os.tmpdir());
    expect(result.outcome).toBe('errored');
    expect(result.limitHit).toBe('disk');
    expect(result.log).toMatch(/No space left on device|File too large/);
    // A gigabyte was asked for; the host lost (far) less than half of that, whatever else runs on this machine.
    expect((before.bavail - after.bavail) * before.bsize).toBeLessThan(512 * 1024 * 1024);
    for (const where of ['/tmp', '/dev/shm']) {
      const elsewhere = await run(`dd if=/dev/zero of=${where}/big bs=1M count=1024`, { diskBytes: 8 * 1024 * 1024 });
      expect(elsewhere.result, where).toMatchObject({ outcome: 'errored', limitHit: 'disk' });
    }
  });

  it('cuts an output flood at the output limit and stops the run', async () => {
    const { result } = await run('yes flood-line', { outputBytes: 64 * 1024 });
    expect(result).toMatchObject({ outcome: 'errored', limitHit: 'output', logTruncated: true });
    const [kept] = result.log.split('cordon-sandbox:');
    expect(Buffer.byteLength(kept!)).toBeLessThanOrEqual(64 * 1024 + 1);
    expect(result.log).toMatch(/the log was cut and the run stopped/);
  });

  it('stops a run at the memory and CPU limits', async () => {
    const memory = await run(py('x = bytearray(2 * 1024 ** 3)'), { memoryBytes: 512 * 1024 * 1024 });
    expect(memory.result).toMatchObject({ outcome: 'errored', limitHit: 'memory' });
    expect(memory.result.log).toMatch(/MemoryError/);
    const cpu = await run(py('while True: pass'), { cpuSeconds: 1 });
    expect(cpu.result).toMatchObject({ outcome: 'errored', limitHit: 'cpu', exitCode: 152 });
  });
});
