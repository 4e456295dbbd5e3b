// The mail outbox: mail is queued as a durable job in the same transaction as the change that causes it,
// and a worker delivers it — over SMTP when SMTP_URL is set, otherwise as .eml files in DATA_DIR/outbox
// so the embedded default works with no mail server.
// (Signing and encryption with the team key are added by the Encrypted email work, issue 4.)
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Config } from '../config/config.js';
import type { EnqueueOptions } from '../jobs/queue.js';
import type { JobHandler } from '../jobs/worker.js';

export const MAIL_JOB = 'mail.send';

export interface OutgoingMail {
  to: string[];
  subject: string;
  text: string;
  /** Stable id so a retried delivery is recognisable as the same message. */
  messageId?: string;
  headers?: Record<string, string>;
}

type Enqueue = (kind: string, payload: unknown, options?: EnqueueOptions) => Promise<number | null>;

/** Queue one mail per recipient (so each delivery is tracked and retried on its own). */
export async function enqueueMail(enqueue: Enqueue, mail: OutgoingMail): Promise<void> {
  for (const to of mail.to) {
    const messageId = mail.messageId ?? `<${randomBytes(12).toString('hex')}@cordon>`;
    await enqueue(MAIL_JOB, { ...mail, to: [to], messageId }, { maxAttempts: 10 });
  }
}

function assertHeaderSafe(value: string, name: string): void {
  if (/[\r\n]/.test(value)) throw new Error(`refusing to send mail: ${name} contains a line break (header injection)`);
}

export function mailJobHandler(config: Config): JobHandler {
  const transport = config.smtpUrl
    ? nodemailer.createTransport(config.smtpUrl)
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const outboxDir = path.join(config.dataDir, 'outbox');
  return {
    kind: MAIL_JOB,
    async run({ payload }) {
      const mail = payload as OutgoingMail;
      for (const to of mail.to) assertHeaderSafe(to, 'To');
      assertHeaderSafe(mail.subject, 'Subject');
      const info = (await transport.sendMail({
        from: config.mailFrom,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: mail.messageId,
        headers: mail.headers,
      })) as { message?: Buffer };
      if (!config.smtpUrl && info.message) {
        mkdirSync(outboxDir, { recursive: true });
        const safeId = (mail.messageId ?? randomBytes(8).toString('hex')).replace(/[^a-zA-Z0-9._-]/g, '');
        const file = path.join(outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${safeId}.eml`);
        // Write then rename, so a reader never sees half a message.
        writeFileSync(`${file}.tmp`, info.message);
        renameSync(`${file}.tmp`, file);
      }
    },
  };
}
