// Allocating `OSSN-NNNN` (DESIGN.md §2: the prefix is an instance setting) at claim time, through the one
// id allocator (storage/counters.ts). The number also continues above the highest id already stored
// (the corpus goes up to 0108 with gaps, and an import may land notes the counter has not seen).
import type { Transaction } from 'kysely';
import type { Db } from '../storage/database.js';
import type { Database } from '../storage/tables.js';
import { formatNoteId } from '../identifiers/advisory-ids.js';
import { allocateNumber, raiseCounter, type IdCounter } from '../storage/counters.js';

const counterOf = (prefix: string): IdCounter => ({ table: 'note_counters', key: { prefix }, column: 'last_number' });

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
  const sequence = await allocateNumber(trx, counterOf(prefix), (t) => highestStored(t, prefix));
  return { publicId: formatNoteId(sequence, prefix), sequence };
}

/** After an import: the counter continues above every stored number. */
export async function raiseNoteCounter(trx: Transaction<Database>, prefix: string): Promise<void> {
  await raiseCounter(trx, counterOf(prefix), await highestStored(trx, prefix));
}
