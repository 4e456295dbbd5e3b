// One row per outgoing mail and recipient: queued (waiting or retrying, with the last error), sent (with
// how it was protected) or bounced (refused for good by the relay, or out of attempts).
import type { Db } from '../storage/database.js';
import type { JobRow } from '../storage/tables.js';
import type { DeliveryProtection, MailDeliveryRow } from '../keys/tables.js';
import type { QueuedMail } from './compose.js';

/** The delivery of each of these messages with its job's status and last error (a dead job is the truth, see disclosure/recipients.ts). */
export async function deliveriesOfMessages(db: Db, messageIds: readonly string[]) {
  if (!messageIds.length) return [];
  return db
    .selectFrom('mail_deliveries')
    .innerJoin('jobs', 'jobs.id', 'mail_deliveries.job_id')
    .select(['mail_deliveries.message_id', 'mail_deliveries.status', 'mail_deliveries.last_error', 'mail_deliveries.job_id', 'jobs.status as job_status', 'jobs.last_error as job_error'])
    .where('mail_deliveries.message_id', 'in', [...messageIds])
    .execute();
}

/** Record an attempt; returns the delivery as it stands (created_at is the first attempt's). */
export async function recordDeliveryAttempt(db: Db, job: Pick<JobRow, 'id' | 'attempts'>, mail: QueuedMail, now: Date): Promise<MailDeliveryRow> {
  const at = now.toISOString();
  return db
    .insertInto('mail_deliveries')
    .values({
      job_id: job.id,
      message_id: mail.messageId ?? '',
      recipient: mail.to.join(', '),
      subject: mail.subject.slice(0, 300),
      status: 'queued',
      protection: null,
      private_withheld: 0,
      attempts: job.attempts,
      last_error: null,
      created_at: at,
      updated_at: at,
      sent_at: null,
    })
    .onConflict((oc) => oc.column('job_id').doUpdateSet({ attempts: job.attempts, updated_at: at }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Written just before the mail goes to the transport: a re-run that finds it knows the mail may be out. */
export async function markDeliverySending(db: Db, jobId: number, now: Date, note: string | null = null): Promise<void> {
  await db
    .updateTable('mail_deliveries')
    .set({ sending_at: now.toISOString(), updated_at: now.toISOString(), ...(note ? { last_error: note } : {}) })
    .where('job_id', '=', jobId)
    .execute();
}

function describeError(error: unknown): string {
  const e = error as { message?: unknown; response?: unknown; responseCode?: unknown } | null;
  const response = typeof e?.response === 'string' ? e.response : null;
  const message = error instanceof Error ? error.message : String(error);
  return (response && !message.includes(response) ? `${message} (${response})` : message).slice(0, 2000);
}

export async function markDeliveryFailed(db: Db, job: Pick<JobRow, 'id'>, error: unknown, bounced: boolean, now: Date): Promise<void> {
  await db
    .updateTable('mail_deliveries')
    .set({ status: bounced ? 'bounced' : 'queued', last_error: describeError(error), sending_at: null, updated_at: now.toISOString() })
    .where('job_id', '=', job.id)
    .execute();
}

export async function markDeliverySent(db: Db, jobId: number, protection: DeliveryProtection, privateWithheld: boolean, now: Date): Promise<void> {
  await db
    .updateTable('mail_deliveries')
    .set({ status: 'sent', protection, private_withheld: privateWithheld ? 1 : 0, sent_at: now.toISOString(), sending_at: null, updated_at: now.toISOString() })
    .where('job_id', '=', jobId)
    .execute();
}

export async function recentDeliveries(db: Db, limit = 50): Promise<MailDeliveryRow[]> {
  return db.selectFrom('mail_deliveries').selectAll().orderBy('id', 'desc').limit(limit).execute();
}

/** The last delivery error of each of these jobs that has one (the relay's reply names the cause). */
export async function deliveryErrorsOfJobs(db: Db, jobIds: readonly number[]): Promise<Map<number, string>> {
  if (!jobIds.length) return new Map();
  const rows = await db.selectFrom('mail_deliveries').select(['job_id', 'last_error']).where('job_id', 'in', [...jobIds]).where('last_error', 'is not', null).execute();
  return new Map(rows.map((r) => [r.job_id, r.last_error!]));
}

/** Mail to these addresses whose job failed for good, newest first (the job's columns joined along). */
export async function deadMailTo(db: Db, kind: string, addresses: readonly string[], limit: number) {
  return db
    .selectFrom('mail_deliveries')
    .innerJoin('jobs', 'jobs.id', 'mail_deliveries.job_id')
    .select(['jobs.id', 'jobs.payload', 'jobs.last_error', 'jobs.attempts', 'jobs.updated_at', 'mail_deliveries.last_error as delivery_error'])
    .where('jobs.status', '=', 'dead')
    .where('jobs.kind', '=', kind)
    .where('mail_deliveries.recipient', 'in', [...addresses])
    .orderBy('jobs.id', 'desc')
    .limit(limit)
    .execute();
}

/** The delivery record of one job (the settings page's test mail). */
export async function deliveryOfJob(db: Db, jobId: number): Promise<MailDeliveryRow | undefined> {
  return db.selectFrom('mail_deliveries').selectAll().where('job_id', '=', jobId).executeTakeFirst();
}
