// The shared limit store on both databases: atomic counting under parallel callers (two connection pools,
// as two app nodes), blocks that parallel attempts cannot slip past, windows that end, pruning.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStorage, testDialects, type TestStorage } from '../testing/databases.js';
import { openStorage, type Storage } from '../storage/database.js';
import { blockedFor, bump, pruneLimits, takeAttempt } from './limits.js';

describe.each(testDialects())('shared limits on %s', (dialect) => {
  let t: TestStorage;
  let other: Storage;
  const now = new Date('2026-03-01T12:00:00.000Z');
  beforeAll(async () => {
    t = await createTestStorage(dialect);
    other = openStorage({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, ...(t.pgSchema ? { pgSchema: t.pgSchema } : {}) });
  });
  afterAll(async () => {
    await other.close();
    await t.cleanup();
  });

  it('counts every hit from two nodes at once, and starts again when the window ends', async () => {
    const hits = Array.from({ length: 40 }, (_, i) => bump((i % 2 ? other : t.storage).db, 'k:parallel', now, { ttlMs: 60_000 }));
    const counts = (await Promise.all(hits)).map((c) => c.count).sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const later = await bump(t.storage.db, 'k:parallel', new Date(now.getTime() + 60_000), { ttlMs: 60_000 });
    expect(later.count).toBe(1);
  });

  it('lets no parallel attempt past a block one of them set', async () => {
    // Free for 3 attempts, then blocked for a minute: of 20 parallel attempts exactly 4 are taken.
    const delayMs = (n: number) => (n > 3 ? 60_000 : 0);
    const tries = Array.from({ length: 20 }, (_, i) => takeAttempt((i % 2 ? other : t.storage).db, 'k:burst', now, { ttlMs: 3600_000, delayMs }));
    const taken = (await Promise.all(tries)).filter((n) => n !== null);
    expect(taken.sort()).toEqual([1, 2, 3, 4]);
    expect(await blockedFor(t.storage.db, ['k:burst'], now)).toBe(60_000);
    expect(await takeAttempt(t.storage.db, 'k:burst', new Date(now.getTime() + 60_000), { ttlMs: 3600_000, delayMs })).toBe(5);
  });

  it('prunes entries whose window has passed', async () => {
    await bump(t.storage.db, 'k:old', now, { ttlMs: 1000 });
    await bump(t.storage.db, 'k:young', now, { ttlMs: 3600_000 });
    await pruneLimits(t.storage.db, new Date(now.getTime() + 2000));
    const keys = (await t.storage.db.selectFrom('rate_limits').select('key').where('key', 'in', ['k:old', 'k:young']).execute()).map((r) => r.key);
    expect(keys).toEqual(['k:young']);
  });
});
