// Advisory ids `PREFIX-YYYY-NNN` without gaps within a year (DESIGN.md §2). One counter row per prefix
// and year is bumped with an upsert in the transaction that creates the advisory: on PostgreSQL the row
// lock serialises concurrent allocations (a second `INSERT … ON CONFLICT DO UPDATE` waits for the first
// to commit and then sees its value), and a rolled-back transaction takes its number back with it.
// SQLite runs one write transaction at a time. Both databases support `ON CONFLICT … RETURNING`.
import { sql } from 'kysely';
import type { Db } from '../storage/database.js';
import { formatAdvisoryId } from '../identifiers/advisory-ids.js';

export interface AllocatedId {
  ref: string;
  prefix: string;
  year: number;
  seq: number;
}

/** Hands out the next id of `year`; call inside the transaction that inserts the advisory. */
export async function allocateAdvisoryId(trx: Db, prefix: string, year: number): Promise<AllocatedId> {
  const row = await trx
    .insertInto('advisory_sequences')
    .values({ prefix, year, last_seq: 1 })
    .onConflict((oc) => oc.columns(['prefix', 'year']).doUpdateSet({ last_seq: sql<number>`advisory_sequences.last_seq + 1` }))
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  const seq = Number(row.last_seq);
  return { ref: formatAdvisoryId(year, seq, prefix), prefix, year, seq };
}

/**
 * Makes the counter of `year` at least `seq` (an imported advisory took that number), so the next
 * allocation continues after the highest number in use.
 */
export async function reserveAdvisorySeq(trx: Db, prefix: string, year: number, seq: number): Promise<void> {
  await trx
    .insertInto('advisory_sequences')
    .values({ prefix, year, last_seq: seq })
    .onConflict((oc) =>
      oc.columns(['prefix', 'year']).doUpdateSet({
        last_seq: sql<number>`case when advisory_sequences.last_seq < excluded.last_seq then excluded.last_seq else advisory_sequences.last_seq end`,
      }),
    )
    .execute();
}
