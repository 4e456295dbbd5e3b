// Test helpers for private CI (issue 20), not used by the product: two real small projects in real git
// repositories — a Python package tested with pytest and a Node package tested with `node --test` — each with
// master and a stable branch whose tests disagree with the fix, the fix as format-patch mail, a private
// report on both projects with the people of a patch review, and a worker that runs the jobs.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { buildUserActor } from '../../access/load-actor.js';
import type { Scope } from '../../context.js';
import { buildJobRegistry } from '../../jobs/registry.js';
import { Worker } from '../../jobs/worker.js';
import { createProject, setProjectMember } from '../../projects/projects.js';
import { receiveReport } from '../../reports/intake.js';
import { subscribe } from '../../reports/ladder.js';
import type { DialectName } from '../../storage/database.js';
import { createTestApp, makeUser, signedInClient, type TestApp, type TestClient, type TestUser } from '../../testing/harness.js';
import { whenSandboxKnown } from '../ci/run-job.js';
import { commitFiles, gitSync, initRepo, makeTempDir, removeDir } from './support.js';

export const CI_STABLE = 'stable/1.0';

/** The Python that has pytest here (a pyenv build outside /usr): the runs see its prefix read-only, as an admin's cache. */
export function pythonWithPytest(): { executable: string; prefix: string } | null {
  try {
    const out = execFileSync('python3', ['-c', 'import sys, pytest; print(sys.executable); print(sys.prefix)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const [executable, prefix] = out.trim().split('\n');
    return executable && prefix ? { executable, prefix } : null;
  } catch {
    return null;
  }
}

export interface CiWorld {
  t: TestApp;
  tmp: string;
  upstream: { py: string; js: string };
  /** The fix of each project as format-patch mail: v1, and a v2 that also adds a test. */
  fixes: { py: string; pyV2: string; js: string };
  ref: string;
  users: Record<'reporter' | 'vmt' | 'developer' | 'coresec' | 'lead' | 'outsider' | 'stakeholder' | 'unrelated', TestUser>;
  clients: Record<string, TestClient>;
  python: { executable: string; prefix: string };
  scopeOf(u: TestUser): Promise<Scope>;
  drain(): Promise<number>;
  close(): Promise<void>;
}

/**
 * calc (Python): parse_port() accepts any integer; on stable a test insists that 0 stays accepted. The fix
 * refuses ports outside 1..65535, so it passes on master and breaks that test on stable.
 * port (Node): the same in JavaScript, with node --test.
 */
export async function createCiWorld(dialect: DialectName): Promise<CiWorld> {
  const python = pythonWithPytest();
  if (!python) throw new Error('python3 with pytest is needed for the private CI tests');
  const tmp = makeTempDir('cordon-ciworld-');

  const py = initRepo(path.join(tmp, 'calc'));
  commitFiles(py, {
    'calc/__init__.py': 'def parse_port(text):\n    return int(text)\n',
    'tests/test_calc.py': 'from calc import parse_port\n\n\ndef test_parses():\n    assert parse_port("8080") == 8080\n',
  }, 'Initial import');
  gitSync(py, ['branch', CI_STABLE]);
  gitSync(py, ['switch', '-q', CI_STABLE]);
  commitFiles(py, { 'tests/test_legacy.py': 'from calc import parse_port\n\n\ndef test_port_zero_still_accepted():\n    assert parse_port("0") == 0\n' }, 'Stable keeps port 0');
  gitSync(py, ['switch', '-q', 'master']);
  const pyDev = path.join(tmp, 'calc-dev');
  gitSync(tmp, ['clone', '-q', '--', py, pyDev]);
  commitFiles(pyDev, { 'calc/__init__.py': 'def parse_port(text):\n    port = int(text)\n    if not 1 <= port <= 65535:\n        raise ValueError("port out of range")\n    return port\n' }, 'Refuse ports out of range');
  const pyFix = gitSync(pyDev, ['format-patch', '--stdout', '-1', 'HEAD']);
  gitSync(pyDev, ['reset', '-q', '--hard', 'HEAD~1']);
  commitFiles(pyDev, {
    'calc/__init__.py': 'def parse_port(text):\n    port = int(text)\n    if not 1 <= port <= 65535:\n        raise ValueError("port out of range")\n    return port\n',
    'tests/test_range.py': 'import pytest\nfrom calc import parse_port\n\n\ndef test_refuses_big():\n    with pytest.raises(ValueError):\n        parse_port("70000")\n',
  }, 'Refuse ports out of range');
  const pyFixV2 = gitSync(pyDev, ['format-patch', '--stdout', '-1', 'HEAD']);

  const js = initRepo(path.join(tmp, 'port'));
  commitFiles(js, {
    'package.json': '{ "name": "port", "version": "1.0.0", "type": "module" }\n',
    'port.js': 'export function parsePort(text) {\n  return Number.parseInt(text, 10);\n}\n',
    'test/port.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { parsePort } from '../port.js';\n\ntest('parses', () => assert.strictEqual(parsePort('8080'), 8080));\n",
  }, 'Initial import');
  gitSync(js, ['branch', CI_STABLE]);
  gitSync(js, ['switch', '-q', CI_STABLE]);
  commitFiles(js, { 'test/legacy.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { parsePort } from '../port.js';\n\ntest('port zero still accepted', () => assert.strictEqual(parsePort('0'), 0));\n" }, 'Stable keeps port 0');
  gitSync(js, ['switch', '-q', 'master']);
  const jsDev = path.join(tmp, 'port-dev');
  gitSync(tmp, ['clone', '-q', '--', js, jsDev]);
  commitFiles(jsDev, { 'port.js': "export function parsePort(text) {\n  const port = Number.parseInt(text, 10);\n  if (!(port >= 1 && port <= 65535)) throw new RangeError('port out of range');\n  return port;\n}\n" }, 'Refuse ports out of range');
  const jsFix = gitSync(jsDev, ['format-patch', '--stdout', '-1', 'HEAD']);

  const t = await createTestApp(dialect, { ci: { memoryMb: 2048, maxProcesses: 256, outputKb: 256, diskMb: 256, concurrency: 1, cacheDir: python.prefix } });
  await createProject(t.system, { slug: 'calc', name: 'Calc', branches: ['master', CI_STABLE], repositories: [{ name: 'calc', remoteUrl: py }] });
  await createProject(t.system, { slug: 'port', name: 'Port', branches: ['master', CI_STABLE], repositories: [{ name: 'port', remoteUrl: js }] });
  const users = {
    reporter: await makeUser(t, { username: 'reporter', totp: false }),
    vmt: await makeUser(t, { username: 'vmt', roles: ['vmt'] }),
    developer: await makeUser(t, { username: 'developer', totp: false }),
    coresec: await makeUser(t, { username: 'coresec', totp: false }),
    lead: await makeUser(t, { username: 'lead', totp: false }),
    outsider: await makeUser(t, { username: 'outsider', totp: false }),
    stakeholder: await makeUser(t, { username: 'distro', totp: false }),
    unrelated: await makeUser(t, { username: 'unrelated', totp: false }),
  };
  for (const slug of ['calc', 'port']) {
    await setProjectMember(t.system, slug, users.coresec.user.id, 'coresec', true);
    await setProjectMember(t.system, slug, users.lead.user.id, 'lead', true);
  }
  const scopeOf = async (u: TestUser): Promise<Scope> => ({ app: t.ctx, requestId: null, actor: await buildUserActor(t.ctx.storage.db, t.ctx.config, u.user, { kind: 'session', mfaPassed: true }) });
  const received = await receiveReport(await scopeOf(users.reporter), { title: 'Port parsing accepts anything', description: 'Out of range ports are accepted.', projects: ['calc', 'port'], email: 'reporter@example.org' }, [], 'web');
  const ref = received.report.ref;
  const vmtScope = await scopeOf(users.vmt);
  await subscribe(vmtScope, ref, { username: 'developer', level: 'developer', reason: 'writes the fix' });
  await subscribe(vmtScope, ref, { username: 'coresec', level: 'coresec', reason: 'reviews the fix' });
  await subscribe(vmtScope, ref, { username: 'distro', level: 'stakeholder', reason: 'asked to be told' });
  const clients: Record<string, TestClient> = {};
  for (const [name, u] of Object.entries(users)) clients[name] = await signedInClient(t, u);
  const worker = new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx) });
  await whenSandboxKnown();
  return {
    t,
    tmp,
    upstream: { py, js },
    fixes: { py: pyFix, pyV2: pyFixV2, js: jsFix },
    ref,
    users,
    clients,
    python,
    scopeOf,
    drain: () => worker.drain(),
    close: async () => {
      await t.close();
      removeDir(tmp);
    },
  };
}
