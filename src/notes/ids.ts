// Allocating `OSSN-NNNN` (DESIGN.md §2: the prefix is an instance setting). Ids are handed out at claim
// time from a counter row that the claiming transaction updates first: on PostgreSQL the UPDATE takes the
// row lock, so concurrent claims queue behind it and each reads the committed number; on SQLite there is
// one writer at a time. The number also continues above the highest id already stored (the corpus goes
// up to 0108 with gaps, and an import may land notes the counter has not seen).
import { sql, type Transaction } from 'kysely';
import type { Db } from '../storage/database.js';
import type { Database } from '../storage/tables.js';
import { formatNoteId } from '../identifiers/advisory-ids.js';

async function highestStored(trx: Db, prefix: string): Promise<number> {
  const row = await trx
    .selectFrom('notes')
    .select((eb) => eb.fn.max('sequence').as('highest'))
    .where('public_id', 'like', `${prefix}-%`)
    .executeTakeFirst();
  return Number(row?.highest ?? 0);
}

/** The next id for `prefix`, inside the caller's transaction (the counter row stays locked until it ends). */
export async function allocateNoteId(trx: Transaction<Database>, prefix: string): Promise<{ publicId: string; sequence: number }> {
  await trx.insertInto('note_counters').values({ prefix, last_number: 0 }).onConflict((oc) => oc.column('prefix').doNothing()).execute();
  const counter = await trx
    .updateTable('note_counters')
    .set({ last_number: sql<number>`last_number + 1` })
    .where('prefix', '=', prefix)
    .returning('last_number')
    .executeTakeFirstOrThrow();
  let sequence = Number(counter.last_number);
  const highest = await highestStored(trx, prefix);
  if (highest >= sequence) {
    sequence = highest + 1;
    await trx.updateTable('note_counters').set({ last_number: sequence }).where('prefix', '=', prefix).execute();
  }
  return { publicId: formatNoteId(sequence, prefix), sequence };
}

/** After an import: the counter continues above every stored number. */
export async function raiseNoteCounter(trx: Transaction<Database>, prefix: string): Promise<void> {
  const highest = await highestStored(trx, prefix);
  await trx.insertInto('note_counters').values({ prefix, last_number: highest }).onConflict((oc) => oc.column('prefix').doNothing()).execute();
  await trx.updateTable('note_counters').set({ last_number: highest }).where('prefix', '=', prefix).where('last_number', '<', highest).execute();
}
