// The audit log (DESIGN.md §4): every change writes one event in the same transaction as the change.
// Events are append-only (database triggers refuse UPDATE/DELETE) and hash-chained: each event's hash
// covers its content and the previous event's hash, so `verifyAuditChain` finds any edit or deletion.
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Db, DialectName } from '../storage/database.js';
import { lockForTransaction } from '../storage/locks.js';
import type { AuditEventRow, Database } from '../storage/tables.js';

export const GENESIS_HASH = '0'.repeat(64);

/** Who did it: a user, or the system itself (scheduled jobs, the embargo clock, imports). */
export interface AuditActor {
  userId: number | null;
  label: string;
}

export const systemActor: AuditActor = { userId: null, label: 'system' };

export interface AuditInput {
  actor: AuditActor;
  action: string;
  targetType: string;
  targetId?: string | number | null;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
  at: Date;
}

/** JSON with sorted keys, so the hash does not depend on property order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

type HashedFields = Pick<
  AuditEventRow,
  'occurred_at' | 'actor_id' | 'actor_label' | 'action' | 'target_type' | 'target_id' | 'before_json' | 'after_json' | 'request_id'
>;

export function eventHash(prevHash: string, e: HashedFields): string {
  const content = canonicalJson({
    occurred_at: e.occurred_at,
    actor_id: e.actor_id,
    actor_label: e.actor_label,
    action: e.action,
    target_type: e.target_type,
    target_id: e.target_id,
    before: e.before_json,
    after: e.after_json,
    request_id: e.request_id,
  });
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}

function hashedFields(input: AuditInput): HashedFields {
  return {
    occurred_at: input.at.toISOString(),
    actor_id: input.actor.userId,
    actor_label: input.actor.label,
    action: input.action,
    target_type: input.targetType,
    target_id: input.targetId === undefined || input.targetId === null ? null : String(input.targetId),
    before_json: input.before === undefined ? null : canonicalJson(input.before),
    after_json: input.after === undefined ? null : canonicalJson(input.after),
    request_id: input.requestId ?? null,
  };
}

/**
 * Append events in order, chained, with one insert (ids follow the order of the values), inside the
 * transaction that makes the change: only through a ChangeContext (context.ts), which supplies the rest.
 * On PostgreSQL a transaction-scoped advisory lock keeps the chain linear under concurrent writers;
 * on SQLite the single writer already does.
 */
export async function recordAudits(trx: Transaction<Database>, dialect: DialectName, inputs: readonly AuditInput[]): Promise<void> {
  if (!inputs.length) return;
  await lockForTransaction(trx, dialect, 'audit chain', { writersOnly: true });
  const last = await trx.selectFrom('audit_events').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  let prevHash = last?.hash ?? GENESIS_HASH;
  const rows = inputs.map((input) => {
    const fields = hashedFields(input);
    const row = { ...fields, prev_hash: prevHash, hash: eventHash(prevHash, fields) };
    prevHash = row.hash;
    return row;
  });
  for (let i = 0; i < rows.length; i += 200) await trx.insertInto('audit_events').values(rows.slice(i, i + 200)).execute();
}

export interface ChainVerdict {
  ok: boolean;
  checked: number;
  /** The first event that does not fit the chain, and why. */
  brokenAt?: { id: number; reason: string };
}

/** Walk the whole log in order and recompute every hash. */
export async function verifyAuditChain(db: Db, batchSize = 5000): Promise<ChainVerdict> {
  let prevHash = GENESIS_HASH;
  let lastId = 0;
  let checked = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_events').selectAll().where('id', '>', lastId).orderBy('id').limit(batchSize).execute();
    if (!rows.length) break;
    for (const row of rows) {
      if (row.prev_hash !== prevHash) {
        return { ok: false, checked, brokenAt: { id: row.id, reason: 'previous-hash link broken: an event before it was deleted or altered' } };
      }
      if (eventHash(prevHash, row) !== row.hash) {
        return { ok: false, checked, brokenAt: { id: row.id, reason: 'content does not match its hash: the event was altered' } };
      }
      prevHash = row.hash;
      lastId = row.id;
      checked += 1;
    }
  }
  return { ok: true, checked };
}

export interface AuditQuery {
  targetType?: string;
  targetId?: string;
  action?: string;
  beforeId?: number;
  limit?: number;
}

export async function listAuditEvents(db: Db, q: AuditQuery = {}): Promise<AuditEventRow[]> {
  let query = db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(Math.min(q.limit ?? 50, 500));
  if (q.targetType) query = query.where('target_type', '=', q.targetType);
  if (q.targetId) query = query.where('target_id', '=', q.targetId);
  if (q.action) query = query.where('action', '=', q.action);
  if (q.beforeId) query = query.where('id', '<', q.beforeId);
  return query.execute();
}
