// The mail outbox: mail is queued as a durable job in the same transaction as the change that causes it,
// and a worker delivers it — over SMTP when SMTP_URL is set, otherwise as .eml files in DATA_DIR/outbox
// so the embedded default works with no mail server. Every mail is PGP/MIME signed by the team key when
// one exists, and private content is encrypted to the recipient or withheld (compose.ts).
// Retries with backoff are the job table's; each attempt and bounce is recorded in mail_deliveries.
// Delivery is idempotent per job (= per recipient) where the transport allows (issue 21): the .eml file's
// name comes from the delivery (first attempt, Message-ID, job), so a re-run after a crash between writing
// and recording finds it and writes nothing. Over SMTP a crash between the relay's "250" and our record
// cannot be told from a crash before it: the re-run sends again with the same Message-ID (at least once;
// docs/operations.md), because a security notice lost is worse than one received twice.
import { existsSync, mkdirSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Config } from '../config/config.js';
import type { EnqueueOptions, JobToQueue } from '../jobs/queue.js';
import type { JobHandler } from '../jobs/worker.js';
import { endJobForGood } from '../jobs/store.js';
import { AppError } from '../errors/catalogue.js';
import { composeMail, type QueuedMail } from './compose.js';
import type { MailDirectory } from './directory.js';
import { markDeliveryFailed, markDeliverySending, markDeliverySent, recordDeliveryAttempt } from './deliveries.js';

export const MAIL_JOB = 'mail.send';

export type OutgoingMail = QueuedMail;

type Enqueue = (kind: string, payload: unknown, options?: EnqueueOptions) => Promise<number | null>;

/** The jobs of one mail: one per recipient (so each delivery is tracked, protected and retried on its own). */
export function mailJobs(mail: OutgoingMail): JobToQueue[] {
  return mail.to.map((to) => ({ kind: MAIL_JOB, payload: { ...mail, to: [to], messageId: mail.messageId ?? `<${randomBytes(12).toString('hex')}@cordon>` }, options: { maxAttempts: 10 } }));
}

/** Queue one mail per recipient (so each delivery is tracked, protected and retried on its own). */
export async function enqueueMail(enqueue: Enqueue, mail: OutgoingMail): Promise<void> {
  for (const job of mailJobs(mail)) await enqueue(job.kind, job.payload, job.options);
}

function assertHeaderSafe(value: string, name: string): void {
  if (/[\r\n]/.test(value)) throw new AppError('validation_failed', `refusing to send mail: ${name} contains a line break (header injection)`);
}

/** SMTP 5xx replies and our own refusals will not get better by retrying (RFC 5321 §4.2.1). */
function isPermanent(error: unknown): boolean {
  if (error instanceof AppError) return error.code === 'validation_failed';
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** The outbox file of one delivery: the same on every attempt of its job. */
export function outboxFileName(delivery: { job_id: number; created_at: string; message_id: string }): string {
  const safeId = delivery.message_id.replace(/[^a-zA-Z0-9._-]/g, '') || 'no-message-id';
  // The first attempt's time leads, so a directory listing sorts oldest first.
  return `${delivery.created_at.replace(/[:.]/g, '-')}-${safeId}-${delivery.job_id}.eml`;
}

/**
 * The mail job. `directory` finds recipients' keys and reports' reply addresses; composition passes
 * reports/address-keys.ts's (jobs/registry.ts), and so do tests, so none sends mail clear that would be encrypted.
 */
export function mailJobHandler(config: Config, directory: MailDirectory): JobHandler {
  const transport = config.smtpUrl
    ? nodemailer.createTransport(config.smtpUrl)
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const outboxDir = path.join(config.dataDir, 'outbox');
  return {
    kind: MAIL_JOB,
    async run({ payload, storage, clock, job, commit }) {
      const mail = payload as OutgoingMail;
      const now = clock.now();
      const delivery = await recordDeliveryAttempt(storage.db, job, mail, now);
      const file = path.join(outboxDir, outboxFileName(delivery));
      let message: Buffer | undefined;
      let protection: Awaited<ReturnType<typeof composeMail>>['protection'];
      let privateWithheld: boolean;
      try {
        for (const to of mail.to) assertHeaderSafe(to, 'To');
        assertHeaderSafe(mail.subject, 'Subject');
        const composed = await composeMail(storage, config, directory, mail, now);
        ({ protection, privateWithheld } = composed);
        // An earlier attempt wrote this mail's file and died before recording it: it is delivered.
        const alreadyWritten = !config.smtpUrl && existsSync(file);
        if (!alreadyWritten) {
          // A 'sending' mark left by a crashed attempt (SMTP only, see above): say so on the delivery.
          const note = delivery.sending_at ? `an earlier attempt (${delivery.sending_at}) stopped after handing the mail to the relay; sent again with the same Message-ID` : null;
          await markDeliverySending(storage.db, job.id, clock.now(), note);
          const info = (await transport.sendMail(composed.send)) as { message?: Buffer };
          message = info.message;
        }
      } catch (error) {
        const permanent = isPermanent(error);
        await markDeliveryFailed(storage.db, job, error, permanent || job.attempts >= job.max_attempts, clock.now());
        // A permanent failure ends the job now — dead, with the error on it — instead of retrying for hours.
        // (We still hold the lease; the worker's own failure update then finds nothing left to change.)
        if (permanent) {
          const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          await endJobForGood(storage.db, job, message, clock.now());
        }
        throw error;
      }
      if (!config.smtpUrl && message) {
        mkdirSync(outboxDir, { recursive: true });
        // Write then rename, so a reader never sees half a message (and a crash leaves no file at all).
        writeFileSync(`${file}.tmp`, message);
        renameSync(`${file}.tmp`, file);
      }
      await commit(({ trx }) => markDeliverySent(trx, job.id, protection, privateWithheld, clock.now()));
    },
  };
}
