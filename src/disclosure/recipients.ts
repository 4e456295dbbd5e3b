// Pre-notice recipients: their state (the outbox's delivery record, or acknowledged through their link)
// and the public acknowledgement link itself (token stored only as sha256, like the reporter's link).
import { change, type Scope } from '../context.js';
import { sha256Hex } from '../accounts/secrets.js';
import { errors } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import type { PreNoticeRecipientState, PreNoticeVariant } from './tables.js';
import { deliveriesOfMessages } from '../mail/deliveries.js';

const TOKEN_RE = /^[A-Za-z0-9_-]{16,128}$/;

export interface RecipientView {
  id: number;
  orgName: string;
  name: string;
  email: string;
  variant: PreNoticeVariant;
  state: PreNoticeRecipientState;
  queuedAt: string;
  acknowledgedAt: string | null;
  /** The mail failed for good (its job is dead): the error, and the job to retry (issue 15). */
  failure: { jobId: number; error: string } | null;
  /** The last error of a mail that is still being retried. */
  retryingAfter: string | null;
}

/** Recipients of a plan with their current state: acknowledged wins, else what the outbox recorded. */
export async function recipientsOfPlan(db: Db, planId: number): Promise<RecipientView[]> {
  const rows = await db.selectFrom('prenotice_recipients').selectAll().where('plan_id', '=', planId).orderBy('org_name').orderBy('name').orderBy('id').execute();
  const ids = rows.map((r) => r.message_id);
  const deliveries = await deliveriesOfMessages(db, ids);
  const byMessage = new Map(deliveries.map((d) => [d.message_id, d]));
  // A dead job is the truth even when the delivery row still says queued (a worker that died on its last attempt).
  const failure = (messageId: string) => {
    const d = byMessage.get(messageId);
    return d?.job_status === 'dead' ? { jobId: d.job_id, error: d.last_error ?? d.job_error ?? 'failed without an error message' } : null;
  };
  const status = new Map(deliveries.map((d) => [d.message_id, d.status]));
  return rows.map((r) => ({
    id: r.id,
    orgName: r.org_name,
    name: r.name,
    email: r.email,
    variant: r.variant,
    state: r.state === 'acknowledged' ? 'acknowledged' : (status.get(r.message_id) ?? r.state),
    queuedAt: r.queued_at,
    acknowledgedAt: r.acknowledged_at,
    failure: r.state === 'acknowledged' ? null : failure(r.message_id),
    retryingAfter: byMessage.get(r.message_id)?.status === 'queued' ? (byMessage.get(r.message_id)?.last_error ?? null) : null,
  }));
}

/** Who a token belongs to, for the confirmation page; 404 for an unknown token. */
export async function recipientForToken(scope: Scope, token: string): Promise<{ orgName: string; acknowledged: boolean }> {
  if (!TOKEN_RE.test(token)) throw errors.notFound('acknowledgement link');
  const row = await scope.app.storage.db.selectFrom('prenotice_recipients').select(['org_name', 'state']).where('ack_token_hash', '=', sha256Hex(token)).executeTakeFirst();
  if (!row) throw errors.notFound('acknowledgement link');
  return { orgName: row.org_name, acknowledged: row.state === 'acknowledged' };
}

/** Marks the recipient holding `token` as having acknowledged; 404 for an unknown token. Idempotent. */
export async function acknowledgePreNotice(scope: Scope, token: string): Promise<{ orgName: string; alreadyAcknowledged: boolean }> {
  if (!TOKEN_RE.test(token)) throw errors.notFound('acknowledgement link');
  const hash = sha256Hex(token);
  return change(scope, async ({ trx, now, audit }) => {
    const row = await trx.selectFrom('prenotice_recipients').selectAll().where('ack_token_hash', '=', hash).executeTakeFirst();
    if (!row) throw errors.notFound('acknowledgement link');
    if (row.state === 'acknowledged') return { orgName: row.org_name, alreadyAcknowledged: true };
    await trx.updateTable('prenotice_recipients').set({ state: 'acknowledged', acknowledged_at: now.toISOString() }).where('id', '=', row.id).execute();
    await audit('disclosure.prenotice_acknowledged', 'prenotice_recipient', row.id, { state: row.state }, { state: 'acknowledged' });
    return { orgName: row.org_name, alreadyAcknowledged: false };
  });
}
