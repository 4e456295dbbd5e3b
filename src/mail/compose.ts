// Composing one outgoing mail for one recipient: PGP/MIME signed by the team key when one exists
// (RFC 3156 §5), encrypted to the recipient's key when it carries private content (RFC 3156 §4), and
// never private content in clear unless MAIL_PRIVATE_IN_CLEAR allows it: such recipients get the
// notice text with a link instead.
import type { SendMailOptions } from 'nodemailer';
import type { Config } from '../config/config.js';
import type { Storage } from '../storage/database.js';
import { usableRecipientKey } from '../keys/public-keys.js';
import { readRecipientKey } from '../pgp/keys.js';
import { unlockTeamKeys } from '../keys/team-keys.js';
import { buildEncryptedMessage, buildSignedMessage } from './mime/index.js';
import type { OutgoingMail as MimeMail } from './mime/index.js';
import { normaliseAddress } from './mime/headers.js';
import { isPlaceholderAddress } from '../config/placeholder-addresses.js';
import { ensureReplyToken, replyAddress } from './reply-address.js';
import type { DeliveryProtection } from '../keys/tables.js';
import type { MailDirectory } from './directory.js';

/** What callers queue (see outbox.ts). */
export interface QueuedMail {
  to: string[];
  subject: string;
  /** Text anyone on the recipient list may read in clear: for private mail, the notice with a link. */
  text: string;
  /** Private content: only ever sent encrypted (or in clear when MAIL_PRIVATE_IN_CLEAR=true). */
  privateBody?: string;
  /**
   * Files sent with the mail (text only: the payload is stored as JSON in the job table). With a
   * `privateBody` they are private too: sent only inside the encrypted part, withheld with the body.
   */
  attachments?: QueuedAttachment[];
  messageId?: string;
  headers?: Record<string, string>;
}

export interface QueuedAttachment {
  /** A plain file name (the MIME builder refuses anything else). */
  filename: string;
  content: string;
  contentType?: string;
}

export interface ComposedMail {
  /**
   * What nodemailer sends: the complete RFC 5322 message as `raw` when Cordon built it (signed or
   * encrypted, sent byte for byte so the signature holds), or plain fields when there is no team key.
   */
  send: SendMailOptions;
  protection: DeliveryProtection;
  privateWithheld: boolean;
}

/** "Name <address>" or a bare address (MAIL_FROM) as a structured address. */
export function parseMailbox(value: string): { name?: string; address: string } {
  const match = /^\s*(.*?)\s*<([^<>\s]+)>\s*$/.exec(value);
  if (!match) return { address: value.trim() };
  const name = match[1]?.replace(/^"(.*)"$/, '$1');
  return name ? { name, address: match[2] ?? '' } : { address: match[2] ?? '' };
}

function withheldNotice(config: Config, why: string): string {
  return (
    `\n-- \nThis mail would carry private details. ${why}\n` +
    `Cordon sends private details only encrypted: add your OpenPGP public key at ${config.publicUrl}/account/pgp-key ` +
    'to receive them by mail, or follow the link above.\n'
  );
}

async function replyToFor(storage: Storage, config: Config, directory: MailDirectory, reportRef: string | undefined, now: Date): Promise<string | undefined> {
  if (!reportRef) return undefined;
  const reportId = await directory.reportIdByRef(storage.db, reportRef);
  if (reportId === null) return undefined;
  // A team address without a routable domain (the security@localhost default) gets no reply address.
  if (isPlaceholderAddress(config.teamEmail)) return undefined;
  const address = replyAddress(config.teamEmail, await ensureReplyToken(storage, reportId, now));
  try {
    return normaliseAddress(address, 'replyTo').address;
  } catch {
    return undefined;
  }
}

/** `directory` answers what mail cannot ask the domains above it (mail/directory.ts). */
export async function composeMail(storage: Storage, config: Config, directory: MailDirectory, mail: QueuedMail, now: Date): Promise<ComposedMail> {
  const to = mail.to[0] ?? '';
  const from = parseMailbox(config.mailFrom);
  const reportRef = mail.headers?.['X-Cordon-Report'];
  const replyTo = await replyToFor(storage, config, directory, reportRef, now);
  const { signing } = await unlockTeamKeys(storage.db, config);

  let text = mail.text;
  let attachments = mail.attachments ?? [];
  let privateWithheld = false;
  let recipientKey: string | null = null;
  if (mail.privateBody !== undefined) {
    const email = to.trim().toLowerCase();
    const candidates = await directory.keysOfAddress(storage.db, email, { onFile: true, ...(reportRef ? { given: { reportRef } } : {}) });
    const key = await usableRecipientKey(candidates, now);
    if (key?.usable && signing) recipientKey = key.armored;
    else if (config.mailPrivateInClear) text = mail.privateBody;
    else {
      privateWithheld = true;
      attachments = [];
      const why = !key
        ? 'We have no OpenPGP key for you.'
        : !key.usable
          ? `Your OpenPGP key on file cannot be used: ${key.problem}`
          : 'This instance has no team key to sign encrypted mail yet.';
      text = `${mail.text}${withheldNotice(config, why)}`;
    }
  }

  if (!signing) {
    return {
      send: {
        from: config.mailFrom,
        to,
        subject: mail.subject,
        text,
        ...(attachments.length ? { attachments: attachments.map((a) => ({ filename: a.filename, content: a.content, ...(a.contentType ? { contentType: a.contentType } : {}) })) } : {}),
        ...(mail.messageId ? { messageId: mail.messageId } : {}),
        ...(mail.headers ? { headers: mail.headers } : {}),
        ...(replyTo ? { replyTo } : {}),
      },
      protection: 'plain',
      privateWithheld,
    };
  }
  const mime: MimeMail = {
    from,
    to: [to],
    subject: mail.subject,
    text: recipientKey !== null ? (mail.privateBody ?? text) : text,
    date: now,
    ...(attachments.length ? { attachments } : {}),
    ...(mail.messageId ? { messageId: mail.messageId } : {}),
    ...(mail.headers ? { headers: mail.headers } : {}),
    ...(replyTo ? { replyTo } : {}),
  };
  if (recipientKey !== null) {
    const publicKey = await readRecipientKey(recipientKey, 'recipientKey', now);
    const built = await buildEncryptedMessage(mime, { signingKey: signing, recipientKeys: [publicKey], now });
    return { send: { envelope: built.envelope, raw: built.raw }, protection: 'encrypted', privateWithheld };
  }
  const built = await buildSignedMessage(mime, { signingKey: signing });
  return { send: { envelope: built.envelope, raw: built.raw }, protection: 'signed', privateWithheld };
}
