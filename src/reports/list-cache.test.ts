// The cached report lists (list-cache.ts, issue 17) never show a row or a count to someone who may not read
// it: an entry is shared only by viewers who read the same reports, and a change made by this process is
// seen on the very next request. Both databases, through the real HTTP stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readScopeKey } from '../access/report-policy.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { openStorage } from '../storage/database.js';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp, type TestUser } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { makePublic } from './embargo/decisions.js';
import { subscribe, unsubscribe } from './ladder.js';
import { LIST_CACHE_TTL_MS } from './list-cache.js';
import { loadReportBy } from './store.js';
import { actorOf, fileReport, scopeOf } from './testing/queue-fixtures.js';

describe.each(testDialects())('cached report lists on %s', (dialect) => {
  let t: TestApp;
  let vmt: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  const refs = { secret: '', other: '' };
  let clients: Record<'anonymous' | 'vmt' | 'alice' | 'bob', TestClient>;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    vmt = await makeUser(t, { username: 'vmt', roles: ['vmt'] });
    alice = await makeUser(t, { username: 'alice', totp: false });
    bob = await makeUser(t, { username: 'bob', totp: false });
    await setProjectMember(t.system, 'nova', alice.user.id, 'coresec', true);
    await setProjectMember(t.system, 'nova', bob.user.id, 'coresec', true);
    const team = await scopeOf(t, vmt);
    refs.secret = (await fileReport(t, { title: 'Secret Nova heap overflow', projects: ['nova'] })).ref;
    refs.other = (await fileReport(t, { title: 'Another private Nova report', projects: ['nova'] })).ref;
    await subscribe(team, refs.secret, { username: 'alice', level: 'coresec', reason: 'Nova review' });
    clients = { anonymous: new TestClient(t), vmt: await signedInClient(t, vmt), alice: await signedInClient(t, alice), bob: await signedInClient(t, bob) };
  });
  afterAll(async () => t.close());

  it('keys an entry by the set of reports a viewer reads: the VMT share one, each other user has their own', async () => {
    expect(readScopeKey(await actorOf(t, vmt))).toBe('every');
    expect(readScopeKey(await actorOf(t, vmt, { token: ['read'] }))).toBe('every');
    expect(readScopeKey(await actorOf(t, alice))).toBe(`user:${alice.user.id}`);
    expect(readScopeKey({ kind: 'anonymous' } as never)).toBe('public');
  });

  it('shows each viewer only their own rows and counts, whoever filled the cache first', async () => {
    // The same URL, asked first by the VMT (who read everything), then by everyone else within the cache's life.
    for (const url of ['/reports', '/reports?q=nova', '/reports?visibility=private']) {
      const seen = new Map<string, string>();
      for (const name of ['vmt', 'alice', 'bob', 'anonymous'] as const) seen.set(name, (await clients[name].get(url)).body);
      expect(seen.get('vmt'), url).toContain('Secret Nova heap overflow');
      expect(seen.get('vmt'), url).toContain('Another private Nova report');
      expect(seen.get('alice'), url).toContain('Secret Nova heap overflow');
      expect(seen.get('alice'), url).not.toContain('Another private Nova report');
      for (const name of ['bob', 'anonymous'] as const) {
        expect(seen.get(name), `${name} ${url}`).not.toContain('Secret Nova');
        expect(seen.get(name), `${name} ${url}`).not.toContain('Another private');
      }
      // Counts too: the VMT's "2 reports" is never what Bob is told.
      expect(seen.get('bob'), url).not.toMatch(/>\s*2\s+reports?/);
    }
    expect((await clients.vmt.get('/vmt')).body).toContain('Another private Nova report');
    expect((await clients.alice.get('/vmt')).body).not.toContain('Another private Nova report');
  });

  it('sees a change made by this process on the next request, not a cached page', async () => {
    const team = await scopeOf(t, vmt);
    expect((await clients.alice.get('/reports')).body).toContain('Secret Nova heap overflow');
    const loaded = (await loadReportBy(t.ctx.storage.db, { ref: refs.secret }))!;
    const mine = loaded.subscriptions.find((s) => s.userId === alice.user.id)!;
    await unsubscribe(team, refs.secret, mine.id);
    expect((await clients.alice.get('/reports')).body).not.toContain('Secret Nova heap overflow');
    await subscribe(team, refs.secret, { username: 'bob', level: 'coresec', reason: 'Nova review' });
    expect((await clients.bob.get('/reports')).body).toContain('Secret Nova heap overflow');
    expect((await clients.anonymous.get('/reports')).body).not.toContain('Another private Nova report');
    await makePublic(team, refs.other, 'Already public upstream');
    expect((await clients.anonymous.get('/reports')).body).toContain('Another private Nova report');
  });

  it('sees a change made by another process within the stated bound', async () => {
    const before = (await clients.anonymous.get('/reports')).body;
    expect(before).not.toContain('Retitled by another process');
    // Another handle on the same database (what a worker process or the CLI is): this process cannot see the write.
    const other = openStorage({ dataDir: t.db.dataDir, databaseUrl: t.db.databaseUrl, ...(t.db.pgSchema ? { pgSchema: t.db.pgSchema } : {}) });
    try {
      await other.db.updateTable('reports').set({ title: 'Retitled by another process' }).where('ref', '=', refs.other).execute();
    } finally {
      await other.close();
    }
    await new Promise((resolve) => setTimeout(resolve, LIST_CACHE_TTL_MS + 100));
    expect((await clients.anonymous.get('/reports')).body).toContain('Retitled by another process');
  });
});
