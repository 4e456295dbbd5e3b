// A named lock held until the end of the current transaction, so "check, then create" steps that must
// happen once across app nodes (the first admin, the setup link) run one at a time.
import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { DialectName } from './database.js';
import type { Database } from './tables.js';

export async function lockForTransaction(trx: Transaction<Database>, dialect: DialectName, name: string): Promise<void> {
  if (dialect === 'postgres') {
    // A 48-bit number from the name; pg advisory locks take a bigint.
    const key = parseInt(createHash('sha256').update(`cordon lock ${name}`).digest('hex').slice(0, 12), 16);
    await sql`select pg_advisory_xact_lock(${key})`.execute(trx);
    return;
  }
  // SQLite has one writer: a write statement (matching no row) takes the database write lock now, instead
  // of at the first real write, after this transaction's reads (busy_timeout makes other processes wait).
  await sql`update instance_secrets set name = name where 1 = 0`.execute(trx);
}
