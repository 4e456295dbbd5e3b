// Advisory ids `PREFIX-YYYY-NNN` without gaps within a year (DESIGN.md §2): one counter row per prefix and
// year, through the one id allocator (storage/counters.ts).
import type { Db } from '../storage/database.js';
import { formatAdvisoryId } from '../identifiers/advisory-ids.js';
import { allocateNumber, raiseCounter, type IdCounter } from '../storage/counters.js';

export interface AllocatedId {
  ref: string;
  prefix: string;
  year: number;
  seq: number;
}

const counterOf = (prefix: string, year: number): IdCounter => ({ table: 'advisory_sequences', key: { prefix, year }, column: 'last_seq' });

/** Hands out the next id of `year`; call inside the transaction that inserts the advisory. */
export async function allocateAdvisoryId(trx: Db, prefix: string, year: number): Promise<AllocatedId> {
  const seq = await allocateNumber(trx, counterOf(prefix, year));
  return { ref: formatAdvisoryId(year, seq, prefix), prefix, year, seq };
}

/**
 * Makes the counter of `year` at least `seq` (an imported advisory took that number), so the next
 * allocation continues after the highest number in use.
 */
export async function reserveAdvisorySeq(trx: Db, prefix: string, year: number, seq: number): Promise<void> {
  await raiseCounter(trx, counterOf(prefix, year), seq);
}
