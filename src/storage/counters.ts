// The one id allocator (DESIGN.md §2: advisory ids `PREFIX-YYYY-NNN` without gaps within a year, note
// ids `PREFIX-NNNN`). A counter row is bumped by one `INSERT … ON CONFLICT DO UPDATE … RETURNING` in the
// transaction that creates the record: on PostgreSQL the row lock serialises concurrent allocations (the
// second upsert waits for the first to commit and then sees its value) and a rolled-back transaction takes
// its number back; SQLite runs one write transaction at a time. Both dialects accept the statement as is.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from './database.js';

/** Which counter row: its table, the key columns naming the row, and the column holding the last number. */
export interface IdCounter {
  table: 'advisory_sequences' | 'note_counters';
  key: Readonly<Record<string, string | number>>;
  column: 'last_seq' | 'last_number';
}

/** Upserts the counter row to `value` on a new row, or to `update` (an SQL expression) on an existing one. */
async function upsert(trx: Db, counter: IdCounter, value: number, update: (current: RawBuilder<unknown>) => RawBuilder<unknown>): Promise<number> {
  const keys = Object.keys(counter.key);
  const columns = sql.join([...keys, counter.column].map((c) => sql.ref(c)));
  const values = sql.join([...keys.map((k) => counter.key[k]), value]);
  const current = sql.ref(`${counter.table}.${counter.column}`);
  const result = await sql<{ last: number | string }>`insert into ${sql.table(counter.table)} (${columns}) values (${values})
    on conflict (${sql.join(keys.map((k) => sql.ref(k)))}) do update set ${sql.ref(counter.column)} = ${update(current)}
    returning ${sql.ref(counter.column)} as last`.execute(trx);
  return Number(result.rows[0]?.last);
}

/**
 * The next number of `counter`; call inside the transaction that inserts the record. `highestInUse`, read
 * after the counter row is locked, lets numbering continue above records the counter has not seen
 * (imported notes with gaps).
 */
export async function allocateNumber(trx: Db, counter: IdCounter, highestInUse?: (trx: Db) => Promise<number>): Promise<number> {
  const next = await upsert(trx, counter, 1, (current) => sql`${current} + 1`);
  const highest = highestInUse ? await highestInUse(trx) : 0;
  if (highest < next) return next;
  return raiseCounter(trx, counter, highest + 1);
}

/** Makes the counter at least `atLeast` (an import took that number); it never goes back. Returns its value. */
export async function raiseCounter(trx: Db, counter: IdCounter, atLeast: number): Promise<number> {
  return upsert(trx, counter, atLeast, (current) => sql`case when ${current} < excluded.${sql.ref(counter.column)} then excluded.${sql.ref(counter.column)} else ${current} end`);
}
