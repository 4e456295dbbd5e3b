// The raw store of incoming mail. A message is written here, whole and unparsed, in its own transaction
// before anything else looks at it: whatever later fails, the message is not lost (issue 4).
import { createHash } from 'node:crypto';
import { change, type Scope } from '../context.js';
import type { Db } from '../storage/database.js';
import type { InboundMessageRow, InboundStatus, InboundVia } from '../keys/tables.js';

export interface RawDelivery {
  raw: Buffer;
  via: InboundVia;
  envelopeFrom?: string | null;
  envelopeTo?: string[];
}

export async function storeInboundMessage(scope: Scope, delivery: RawDelivery): Promise<number> {
  return change(
    scope,
    async ({ trx, now, audit }) => {
      const row = await trx
        .insertInto('inbound_messages')
        .values({
          received_at: now.toISOString(),
          via: delivery.via,
          raw: delivery.raw,
          size: delivery.raw.length,
          sha256: createHash('sha256').update(delivery.raw).digest('hex'),
          envelope_from: delivery.envelopeFrom ?? null,
          envelope_to: JSON.stringify(delivery.envelopeTo ?? []),
          status: 'received',
          reason_code: null,
          reason: null,
          outcome: null,
          report_id: null,
          comment_id: null,
          encryption: null,
          signature_status: null,
          signer_fingerprint: null,
          attempts: 0,
          processed_at: null,
          updated_at: now.toISOString(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await audit('mail.received', 'inbound_message', row.id, undefined, { via: delivery.via, size: delivery.raw.length });
      return row.id;
    },
    { system: true },
  );
}

export async function loadInboundMessage(db: Db, id: number): Promise<InboundMessageRow | undefined> {
  return db.selectFrom('inbound_messages').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The list for admins: never the raw bytes. */
export async function listInboundMessages(db: Db, options: { status?: InboundStatus; limit?: number } = {}) {
  let q = db
    .selectFrom('inbound_messages')
    .select(['id', 'received_at', 'via', 'size', 'status', 'reason_code', 'reason', 'outcome', 'encryption', 'signature_status', 'attempts', 'envelope_from'])
    .orderBy('id', 'desc')
    .limit(options.limit ?? 100);
  if (options.status) q = q.where('status', '=', options.status);
  return q.execute();
}

/** Messages stored but never processed (the process stopped in between): picked up again by a sweep. */
export async function unprocessedMessageIds(db: Db, olderThan: Date): Promise<number[]> {
  const rows = await db.selectFrom('inbound_messages').select('id').where('status', '=', 'received').where('received_at', '<', olderThan.toISOString()).orderBy('id').limit(100).execute();
  return rows.map((r) => r.id);
}

/**
 * The outer header section as name/value pairs (unfolded, undecoded), for the admin view and quick
 * checks before the full parse. Bounded: at most `maxBytes` are looked at.
 */
export function rawHeaderFields(raw: Buffer, maxBytes = 64 * 1024): { name: string; value: string }[] {
  const head = raw.subarray(0, maxBytes).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const section = end >= 0 ? head.slice(0, end) : head;
  const fields: { name: string; value: string }[] = [];
  for (const line of section.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length) {
      const last = fields[fields.length - 1];
      if (last) last.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0 && /^[!-9;-~]+$/.test(line.slice(0, colon))) fields.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() });
    if (fields.length >= 500) break;
  }
  return fields;
}

export function headerValue(fields: { name: string; value: string }[], name: string): string | undefined {
  return fields.find((f) => f.name.toLowerCase() === name.toLowerCase())?.value;
}
