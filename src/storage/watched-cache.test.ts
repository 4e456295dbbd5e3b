// The write-emptied caches (watched-cache.ts): a write to a watched table through this handle empties the
// cache before it runs, a read begun before such a write is neither stored nor shared with later requests,
// and requests for the same key while a read is under way share that read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStorage, type TestStorage } from '../testing/databases.js';
import { watchedCache } from './watched-cache.js';

describe('watched caches', () => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await createTestStorage('sqlite');
  });
  afterAll(async () => t.cleanup());

  const options = { name: 'test', tables: ['projects'], ttlMs: 60_000, maxEntries: 10 };

  it('keeps a value until a watched table is written, and ignores writes to other tables', async () => {
    const cache = watchedCache<number>(t.storage.db, options)!;
    let reads = 0;
    const read = async () => ++reads;
    expect(await cache.get('k', read)).toBe(1);
    expect(await cache.get('k', read)).toBe(1);
    await t.storage.db.deleteFrom('users').where('id', '=', -1).execute();
    expect(await cache.get('k', read)).toBe(1);
    await t.storage.db.deleteFrom('projects').where('id', '=', -1).execute();
    expect(await cache.get('k', read)).toBe(2);
  });

  it('shares a read under way, but not across a write, and does not store what was read before the write', async () => {
    const cache = watchedCache<string>(t.storage.db, { ...options, name: 'test-flight' })!;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reads = 0;
    const slow = async () => {
      reads++;
      await gate;
      return 'before';
    };
    const first = cache.get('k', slow);
    const second = cache.get('k', slow);
    expect(reads).toBe(1);
    await t.storage.db.deleteFrom('projects').where('id', '=', -1).execute();
    const third = cache.get('k', async () => 'after');
    release();
    expect(await Promise.all([first, second, third])).toEqual(['before', 'before', 'after']);
    // 'before' was read before the write and was not stored; 'after', read since, was.
    expect(await cache.get('k', async () => 'fresh')).toBe('after');
  });

  it('has no cache on a transaction (every read goes to the database)', async () => {
    await t.storage.db.transaction().execute(async (trx) => {
      expect(watchedCache(trx, options)).toBeUndefined();
    });
  });
});
