// Limits shared by every app node (issue 13): counters and back-off delays live in the `rate_limits` table,
// not in process memory, so N nodes over one PostgreSQL allow what one node allows. Under SQLite there is
// one node anyway (the file is local), and the same table serves it. Used by the per-route limits of
// @fastify/rate-limit (DbRateLimitStore) and by the sign-in delays (src/accounts/throttle.ts); other areas
// may use `bump`/`blockedFor` for their own keys.
import { sql } from 'kysely';
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Clock } from '../clock.js';
import type { Db, Storage } from '../storage/database.js';

// Expired rows are dropped now and then by whichever node is counting (every PRUNE_EVERY writes), so
// the table stays the size of the recent traffic whatever names and addresses attackers invent.
const PRUNE_EVERY = 500;
let writesSincePrune = 0;
async function maybePrune(db: Db, now: Date): Promise<void> {
  writesSincePrune += 1;
  if (writesSincePrune < PRUNE_EVERY) return;
  writesSincePrune = 0;
  await pruneLimits(db, now);
}

export interface Counter {
  /** Hits (or failures) in the current window, this one included. */
  count: number;
  /** When the window ends and the count starts again from zero. */
  expiresAt: Date;
}

/**
 * Count one hit on `key`. With `sliding: false` the window is fixed (first hit + ttl); with `sliding: true`
 * every hit pushes the end out again (a run of failures is forgotten only after `ttlMs` of quiet).
 * One upsert, atomic on both databases, so concurrent nodes never lose a count.
 */
export async function bump(db: Db, key: string, now: Date, options: { ttlMs: number; sliding?: boolean }): Promise<Counter> {
  await maybePrune(db, now);
  const nowIso = now.toISOString();
  const end = new Date(now.getTime() + options.ttlMs).toISOString();
  const expired = sql<boolean>`${sql.ref('rate_limits.expires_at')} <= ${nowIso}`;
  const row = await db
    .insertInto('rate_limits')
    .values({ key, window_start: nowIso, count: 1, blocked_until: null, expires_at: end })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`case when ${expired} then 1 else ${sql.ref('rate_limits.count')} + 1 end`,
        window_start: sql<string>`case when ${expired} then ${nowIso} else ${sql.ref('rate_limits.window_start')} end`,
        blocked_until: sql<string | null>`case when ${expired} then null else ${sql.ref('rate_limits.blocked_until')} end`,
        expires_at: options.sliding ? end : sql<string>`case when ${expired} then ${end} else ${sql.ref('rate_limits.expires_at')} end`,
      }),
    )
    .returning(['count', 'expires_at'])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), expiresAt: new Date(row.expires_at) };
}

/**
 * Take one attempt on `key` unless it is blocked: one atomic upsert counts the attempt and sets the block
 * that `delayMs(count)` asks for, so parallel attempts cannot slip past a block that one of them set.
 * Returns the count, or null when the key is blocked (nothing is counted then).
 */
export async function takeAttempt(db: Db, key: string, now: Date, options: { ttlMs: number; delayMs: (count: number) => number }): Promise<number | null> {
  await maybePrune(db, now);
  const nowIso = now.toISOString();
  const end = new Date(now.getTime() + options.ttlMs).toISOString();
  const blockFor = (n: number) => {
    const ms = options.delayMs(n);
    return ms > 0 ? new Date(now.getTime() + ms).toISOString() : null;
  };
  // The block for the new count, as a CASE over counts: the delay curve settles on its cap within 64 steps.
  const next = sql`${sql.ref('rate_limits.count')} + 1`;
  const cases = Array.from({ length: 64 }, (_, i) => sql`when ${next} = ${i + 1} then ${blockFor(i + 1)}`);
  const blockedNext = sql<string | null>`case ${sql.join(cases, sql` `)} else ${blockFor(1_000)} end`;
  const expired = sql<boolean>`${sql.ref('rate_limits.expires_at')} <= ${nowIso}`;
  const row = await db
    .insertInto('rate_limits')
    .values({ key, window_start: nowIso, count: 1, blocked_until: blockFor(1), expires_at: end })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({
          count: sql<number>`case when ${expired} then 1 else ${next} end`,
          window_start: sql<string>`case when ${expired} then ${nowIso} else ${sql.ref('rate_limits.window_start')} end`,
          blocked_until: sql<string | null>`case when ${expired} then ${blockFor(1)} else ${blockedNext} end`,
          expires_at: end,
        })
        .where((eb) => eb.or([eb('rate_limits.blocked_until', 'is', null), eb('rate_limits.blocked_until', '<=', nowIso), eb('rate_limits.expires_at', '<=', nowIso)])),
    )
    .returning('count')
    .executeTakeFirst();
  return row ? Number(row.count) : null;
}

/** Take back one counted attempt (it turned out to be the rightful owner's). */
export async function untake(db: Db, keys: string[]): Promise<void> {
  if (keys.length) await db.updateTable('rate_limits').set({ count: sql<number>`case when count > 0 then count - 1 else 0 end` }).where('key', 'in', keys).execute();
}

/** Milliseconds until the longest block among `keys` ends; 0 when none is blocked. */
export async function blockedFor(db: Db, keys: string[], now: Date): Promise<number> {
  if (!keys.length) return 0;
  const nowIso = now.toISOString();
  const rows = await db
    .selectFrom('rate_limits')
    .select('blocked_until')
    .where('key', 'in', keys)
    .where('blocked_until', '>', nowIso)
    .where('expires_at', '>', nowIso)
    .execute();
  return rows.reduce((longest, r) => Math.max(longest, new Date(r.blocked_until!).getTime() - now.getTime()), 0);
}

export async function forget(db: Db, keys: string[]): Promise<void> {
  if (keys.length) await db.deleteFrom('rate_limits').where('key', 'in', keys).execute();
}

/** Drop entries whose window has passed (an indexed range delete). */
export async function pruneLimits(db: Db, now: Date): Promise<void> {
  await db.deleteFrom('rate_limits').where('expires_at', '<=', now.toISOString()).execute();
}

/**
 * A @fastify/rate-limit store over the `rate_limits` table: the plugin's per-route "N per minute per
 * address" limits, shared by every node. One child per route, so each route counts on its own.
 */
export function dbRateLimitStore(storage: Storage, clock: Clock): FastifyRateLimitStoreCtor {
  class DbRateLimitStore implements FastifyRateLimitStore {
    constructor(
      _options: unknown,
      private readonly prefix = 'route:*:',
    ) {}

    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      const now = clock.now();
      bump(storage.db, this.prefix + key, now, { ttlMs: timeWindow }).then(
        (c) => callback(null, { current: c.count, ttl: Math.max(0, c.expiresAt.getTime() - now.getTime()) }),
        (error: Error) => callback(error),
      );
    }

    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      // The plugin passes the merged limit options with the route under `routeInfo` (index.js, mergeParams).
      const info = (routeOptions as unknown as { routeInfo?: { method?: string | string[]; url?: string } }).routeInfo ?? {};
      const method = Array.isArray(info.method) ? info.method.join(',') : (info.method ?? '*');
      return new DbRateLimitStore(routeOptions, `route:${method} ${info.url ?? '*'}:`);
    }
  }
  return DbRateLimitStore;
}
