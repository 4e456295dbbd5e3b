// Locks that differ between the databases (DESIGN.md §6: dialect differences live in storage/).
// A named lock held until the end of the current transaction, so "check, then create" steps that must
// happen once across app nodes (the first admin, the setup link) run one at a time.
import { createHash } from 'node:crypto';
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DialectName } from './database.js';
import type { Database } from './tables.js';

/** Lock numbers chosen before named locks existed: kept, so app nodes of two versions still exclude each other. */
const FIXED_KEYS: Record<string, number> = { 'audit chain': 8102002 };

/** A 48-bit number from the name; pg advisory locks take a bigint. */
function lockKey(name: string): number {
  return FIXED_KEYS[name] ?? parseInt(createHash('sha256').update(`cordon lock ${name}`).digest('hex').slice(0, 12), 16);
}

/**
 * `writersOnly`: the lock only orders writers (the audit chain), and SQLite's single writer already does,
 * so on SQLite nothing is run. Without it SQLite takes its write lock now (for "check, then create").
 */
export async function lockForTransaction(trx: Transaction<Database>, dialect: DialectName, name: string, options: { writersOnly?: boolean } = {}): Promise<void> {
  if (dialect === 'postgres') {
    await sql`select pg_advisory_xact_lock(${lockKey(name)})`.execute(trx);
    return;
  }
  if (options.writersOnly) return;
  // SQLite has one writer: a write statement (matching no row) takes the database write lock now, instead
  // of at the first real write, after this transaction's reads (busy_timeout makes other processes wait).
  await sql`update instance_secrets set name = name where 1 = 0`.execute(trx);
}

/**
 * The row lock of a queue's claim subquery: PostgreSQL's `for update skip locked` lets concurrent claimers
 * pass each other's rows; SQLite has one writer, so its UPDATE … RETURNING is atomic without one.
 */
export function skipLockedRows(dialect: DialectName): RawBuilder<unknown> {
  return dialect === 'postgres' ? sql`for update skip locked` : sql``;
}
