// Short-lived in-process caches that a write empties (issue 17). A cache names the tables its values are
// read from; every INSERT, UPDATE, DELETE or MERGE this process makes to one of them empties it before the
// write runs (storage/write-watch.ts), and a read that began before such a write is not stored. Writes made
// elsewhere (another app node, a worker process, the CLI) are not seen: a value lives at most `ttlMs`, so
// they show within that bound. Only a handle made by openStorage has a watch; on a transaction or a bare
// handle there is no cache and every read goes to the database.
import type { Db } from './database.js';
import { tableWritesOf } from './write-watch.js';

export interface WatchedCacheOptions {
  /** Tells caches on the same database apart. */
  name: string;
  /** The tables the values are read from (and those that cascade into them). */
  tables: readonly string[];
  ttlMs: number;
  /** When full, the cache is emptied rather than grown. */
  maxEntries: number;
}

export class WatchedCache<V> {
  readonly #entries = new Map<string, { value: V; until: number }>();
  /**
   * Reads under way, shared by every request for the same key meanwhile: when an entry expires under load,
   * one read refills it instead of every waiting request reading at once.
   */
  readonly #reading = new Map<string, Promise<V>>();
  /** Bumped by every watched write: a read begun before it is not stored. */
  #generation = 0;

  constructor(private readonly options: WatchedCacheOptions) {}

  /** The cached value of `key`, or `read()`'s, stored unless a watched write happened meanwhile. */
  async get(key: string, read: () => Promise<V>): Promise<V> {
    const now = performance.now();
    const hit = this.#entries.get(key);
    if (hit && hit.until > now) return hit.value;
    const underway = this.#reading.get(key);
    if (underway) return underway;
    const generation = this.#generation;
    const reading = read();
    this.#reading.set(key, reading);
    try {
      const value = await reading;
      if (this.#generation === generation) {
        if (this.#entries.size >= this.options.maxEntries) this.#entries.clear();
        this.#entries.set(key, { value, until: now + this.options.ttlMs });
      }
      return value;
    } finally {
      if (this.#reading.get(key) === reading) this.#reading.delete(key);
    }
  }

  /** Called for every write statement with the tables it names. */
  written(tables: ReadonlySet<string>): void {
    if (!this.options.tables.some((t) => tables.has(t))) return;
    this.#entries.clear();
    // A request that comes after the write must not share a read that began before it.
    this.#reading.clear();
    this.#generation++;
  }
}

const cachesByDb = new WeakMap<object, Map<string, WatchedCache<unknown>>>();

/** The cache of this name on this database handle, made on first use; undefined where writes cannot be watched. */
export function watchedCache<V>(db: Db, options: WatchedCacheOptions): WatchedCache<V> | undefined {
  let caches = cachesByDb.get(db);
  if (!caches) {
    const writes = tableWritesOf(db);
    if (!writes) return undefined;
    const made = new Map<string, WatchedCache<unknown>>();
    writes.onWrite((tables) => {
      for (const cache of made.values()) cache.written(tables);
    });
    cachesByDb.set(db, made);
    caches = made;
  }
  let cache = caches.get(options.name);
  if (!cache) {
    cache = new WatchedCache<unknown>(options);
    caches.set(options.name, cache);
  }
  return cache as WatchedCache<V>;
}
