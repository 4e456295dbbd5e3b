// Test helpers for the patch product tests (not used by the product): a real upstream git repository with
// master and a stable branch, a project and a private report with the people of a patch review, a
// multipart body builder and a job worker to run the apply checks.
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { buildUserActor } from '../../access/load-actor.js';
import type { Scope } from '../../context.js';
import { buildJobRegistry } from '../../jobs/registry.js';
import { Worker } from '../../jobs/worker.js';
import { createProject, setProjectMember } from '../../projects/projects.js';
import { receiveReport } from '../../reports/intake.js';
import { subscribe } from '../../reports/ladder.js';
import type { DialectName } from '../../storage/database.js';
import { createTestApp, makeUser, signedInClient, type TestApp, type TestClient, type TestUser } from '../../testing/harness.js';
import { commitFiles, gitSync, initRepo, makeTempDir, numberedLines, removeDir, type FixtureAuthor } from './support.js';

export const STABLE = 'stable/2026.1';

export const fixAuthor: FixtureAuthor = { name: 'Jérôme Développeur', email: 'jerome@example.org', date: '2026-03-03T14:15:16+01:00' };

export interface PatchWorld {
  t: TestApp;
  tmp: string;
  upstream: string;
  /** A developer's clone with the two fix commits on top of master. */
  dev: string;
  patches: { series: string; first: string; second: string; secondBackport: string; bareDiff: string };
  ref: string;
  reportId: number;
  users: Record<'reporter' | 'vmt' | 'developer' | 'coresec' | 'reviewer' | 'outsider' | 'stakeholder' | 'unrelated', TestUser>;
  clients: Record<string, TestClient>;
  scopeOf(u: TestUser): Promise<Scope>;
  drain(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Upstream: nova/api.py and nova/db.py (40 numbered lines each). The stable branch changed api.py line 8
 * (inside the context of the first fix: 3-way) and db.py line 10 (the line the second fix changes: conflict).
 */
export async function createPatchWorld(dialect: DialectName): Promise<PatchWorld> {
  const tmp = makeTempDir('cordon-patchworld-');
  const upstream = initRepo(path.join(tmp, 'upstream'));
  commitFiles(upstream, { 'nova/api.py': numberedLines(40), 'nova/db.py': numberedLines(40), 'README.rst': 'Nova\n' }, 'Initial import');
  gitSync(upstream, ['branch', STABLE]);
  gitSync(upstream, ['switch', '-q', STABLE]);
  commitFiles(upstream, { 'nova/api.py': numberedLines(40, { 8: 'line 8 as on stable' }), 'nova/db.py': numberedLines(40, { 10: 'stable db 10' }) }, 'Stable changes');
  gitSync(upstream, ['switch', '-q', 'master']);

  const dev = path.join(tmp, 'dev');
  gitSync(tmp, ['clone', '-q', '--', upstream, dev]);
  commitFiles(dev, { 'nova/api.py': numberedLines(40, { 5: 'validate(token)' }) }, 'Validate the token\n\nA token was accepted without validation.\n\nCloses-Bug: #2045001\nSigned-off-by: Jérôme Développeur <jerome@example.org>', fixAuthor);
  commitFiles(dev, { 'nova/db.py': numberedLines(40, { 10: 'escape(query)' }) }, 'Escape the query\n\nSigned-off-by: Jérôme Développeur <jerome@example.org>', fixAuthor);
  const series = gitSync(dev, ['format-patch', '--stdout', 'origin/master..HEAD']);
  const first = gitSync(dev, ['format-patch', '--stdout', '-1', 'HEAD~1']);
  const second = gitSync(dev, ['format-patch', '--stdout', '-1', 'HEAD']);
  // The backport of the second fix to the stable branch.
  gitSync(dev, ['switch', '-q', '-c', 'backport', `origin/${STABLE}`]);
  commitFiles(dev, { 'nova/db.py': numberedLines(40, { 10: 'escape(stable query)' }) }, 'Escape the query (stable)\n\nSigned-off-by: Jérôme Développeur <jerome@example.org>', fixAuthor);
  const secondBackport = gitSync(dev, ['format-patch', '--stdout', '-1', 'HEAD']);
  const bareDiff = gitSync(dev, ['diff', `origin/${STABLE}`, 'HEAD']);
  gitSync(dev, ['switch', '-q', 'master']);

  const t = await createTestApp(dialect);
  await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master', STABLE], repositories: [{ name: 'nova', remoteUrl: upstream }] });
  const users = {
    reporter: await makeUser(t, { username: 'reporter', totp: false }),
    vmt: await makeUser(t, { username: 'vmt', roles: ['vmt'] }),
    developer: await makeUser(t, { username: 'developer', totp: false }),
    coresec: await makeUser(t, { username: 'coresec', totp: false }),
    reviewer: await makeUser(t, { username: 'reviewer', totp: false }),
    outsider: await makeUser(t, { username: 'outsider', totp: false }),
    stakeholder: await makeUser(t, { username: 'distro', totp: false }),
    unrelated: await makeUser(t, { username: 'unrelated', totp: false }),
  };
  await setProjectMember(t.system, 'nova', users.coresec.user.id, 'coresec', true);
  await setProjectMember(t.system, 'nova', users.reviewer.user.id, 'core_reviewer', true);
  // A core reviewer of nova who is not subscribed cannot read the report, so cannot vote either.
  await setProjectMember(t.system, 'nova', users.unrelated.user.id, 'core_reviewer', true);
  const scopeOf = async (u: TestUser): Promise<Scope> => ({
    app: t.ctx,
    requestId: null,
    actor: await buildUserActor(t.ctx.storage.db, t.ctx.config, u.user, { kind: 'session', mfaPassed: true }),
  });
  const received = await receiveReport(
    await scopeOf(users.reporter),
    { title: 'Token validation bypass in nova API', description: 'Tokens are accepted unchecked.', projects: ['nova'], email: 'reporter@example.org' },
    [],
    'web',
  );
  const ref = received.report.ref;
  const vmtScope = await scopeOf(users.vmt);
  await subscribe(vmtScope, ref, { username: 'developer', level: 'developer', reason: 'writes the fix' });
  await subscribe(vmtScope, ref, { username: 'coresec', level: 'coresec', reason: 'reviews the fix' });
  await subscribe(vmtScope, ref, { username: 'reviewer', level: 'reviewer', reason: 'core review' });
  await subscribe(vmtScope, ref, { username: 'outsider', level: 'developer', reason: 'helps with the fix' });
  await subscribe(vmtScope, ref, { username: 'distro', level: 'stakeholder', reason: 'asked to be told' });
  const clients: Record<string, TestClient> = {};
  for (const [name, u] of Object.entries(users)) clients[name] = await signedInClient(t, u);
  const worker = new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx) });
  return {
    t,
    tmp,
    upstream,
    dev,
    patches: { series, first, second, secondBackport, bareDiff },
    ref,
    reportId: received.report.id,
    users,
    clients,
    scopeOf,
    drain: () => worker.drain(),
    close: async () => {
      await t.close();
      removeDir(tmp);
    },
  };
}

export interface MultipartFile {
  field: string;
  filename: string;
  content: string | Buffer;
}

/** A multipart/form-data request as a browser sends it, with the session cookie and the CSRF token as its first field. */
export async function postMultipart(t: TestApp, client: TestClient, url: string, fields: [string, string][], files: MultipartFile[], tokenFrom: string): Promise<LightMyRequestResponse> {
  await client.get(tokenFrom);
  const boundary = '----cordon-test-boundary-7MA4YWxkTrZu0gW';
  const parts: Buffer[] = [];
  for (const [name, value] of [['_csrf', client.lastCsrf ?? ''], ...fields]) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: text/x-patch\r\n\r\n`));
    parts.push(typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content);
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return client.request('POST', url, { body: { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` } });
}
