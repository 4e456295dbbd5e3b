// Intake by mail (issue 16: mail that becomes a report is the reports domain's; mail keeps the transport).
// A mail to the team address becomes a private report, like one sent through the web form
// (receiveReport, source 'email'). The triagers see how it arrived — encrypted or not, and the
// signature status — in a VMT-only note on the report; the reporter gets a receipt they can reply to.
import { change, systemScope, type AppContext } from '../../context.js';
import { renderMarkdown } from '../../text/markdown.js';
import { AppError } from '../../errors/catalogue.js';
import { checkEmailAddress } from '../../identifiers/email.js';
import { checkRecipientPublicKey, formatFingerprint } from '../../keys/public-keys.js';
import { receiveReport, LIMITS, type AttachmentInput } from '../intake.js';
import { addTimelineEvent } from '../timeline.js';
import { enqueueMail } from '../../mail/outbox.js';
import type { OpenedMail, ProcessOptions, Processed, SignerSource } from '../../mail/inbound-types.js';
import { Quarantine, cleanLine, cleanText, detectProjects } from '../../mail/inbound-text.js';

const MAIL_LABEL = 'Cordon mail';

function encryptionLine(opened: OpenedMail): string {
  switch (opened.message.encryption) {
    case 'pgp-mime':
      return 'Encryption: PGP/MIME (RFC 3156), decrypted with the team key.';
    case 'inline':
      return 'Encryption: inline PGP, decrypted with the team key.';
    default:
      return 'Encryption: none — the message travelled in clear.';
  }
}

const SIGNER_SOURCE_TEXT: Record<SignerSource, string> = {
  known: ' — a key on file for this sender (their account or the stakeholder registry).',
  given: ' — a key given by an unverified sender with an earlier report or mail from this address: the content was not altered after signing, but who holds the key is not verified.',
  attached: ' — a key attached to this same mail: the content was not altered after signing, but who holds the key is not verified.',
};

export function signatureLine(opened: OpenedMail): string {
  const s = opened.message.signature;
  switch (s.status) {
    case 'valid':
      return `Signature: valid, by key ${formatFingerprint(s.fingerprint ?? '')}${SIGNER_SOURCE_TEXT[opened.signerSource ?? 'attached']}${s.partial ? ' Only part of the text is signed.' : ''}`;
    case 'unknown-key':
      return `Signature: made by key ${s.keyId ?? '?'}, which we do not have — not verified.`;
    case 'none':
      return 'Signature: none.';
    default:
      return `Signature: ${s.status}${s.detail ? ` (${s.detail})` : ''}.`;
  }
}

function attachmentsOf(app: AppContext, opened: OpenedMail): AttachmentInput[] {
  const files: AttachmentInput[] = opened.message.attachments
    .filter((a) => a.content.length > 0)
    .map((a, index) => ({ filename: a.filename ?? `attachment-${index + 1}`, contentType: a.contentType, content: a.content }));
  const { maxAttachments, maxAttachmentBytes } = app.config;
  if (files.length > maxAttachments) throw new Quarantine('too_many_attachments', `The message has ${files.length} attachments; at most ${maxAttachments} are accepted.`);
  const big = files.find((f) => f.content.length > maxAttachmentBytes);
  if (big) throw new Quarantine('attachment_too_large', `The attachment ${big.filename.slice(0, 80)} is larger than ${maxAttachmentBytes} bytes.`);
  return files;
}

/** The sender's attached public key, if one names their address (or is the only one) and is usable. */
async function reporterKey(app: AppContext, opened: OpenedMail, from: string): Promise<{ armored: string | null; note: string | null }> {
  const keys = opened.message.attachedPublicKeys;
  if (!keys.length) return { armored: null, note: null };
  const chosen = keys.find((k) => k.userIds.some((uid) => uid.toLowerCase().includes(`<${from}>`))) ?? (keys.length === 1 ? keys[0] : undefined);
  if (!chosen) return { armored: null, note: 'The mail carries public keys, none of which names the sender; none was kept.' };
  try {
    const checked = await checkRecipientPublicKey(chosen.armored, 'pgp_key', app.clock.now());
    return { armored: checked.armored, note: `The sender's public key ${formatFingerprint(checked.inspection.fingerprint)} was attached and is kept: replies to the reporter are encrypted to it.` };
  } catch (error) {
    const why = error instanceof AppError ? (error.fields[0]?.message ?? error.message) : String(error);
    return { armored: null, note: `The attached public key ${chosen.fingerprint} was not kept: ${why}` };
  }
}

export async function fileMailedReport(app: AppContext, opened: OpenedMail, options: ProcessOptions): Promise<Processed> {
  const { message } = opened;
  const sender = checkEmailAddress(message.from?.address ?? '');
  if (!sender.ok) throw new Quarantine('no_sender', `The message has no usable From address (${sender.message}), so nobody could be told about the report.`);
  const from = sender.value.toLowerCase();
  if (message.signature.status === 'invalid' || message.signature.status === 'revoked-key') {
    throw new Quarantine('bad_signature', `${signatureLine(opened)} A report is not filed from a mail whose signature fails: it may have been altered or the key compromised.`);
  }
  const body = cleanText(message.textBody);
  const files = attachmentsOf(app, opened);
  const subject = cleanLine(message.subject, LIMITS.title);
  const projects = await detectProjects(app.storage.db, subject, body, options.projectSlug);
  if (!projects.length) {
    throw new Quarantine('no_project', 'The mail does not say which project is affected (a "Project: name" line or the project in the subject). An admin can retry it naming the project.');
  }
  let description = body;
  if (description.length > LIMITS.description) {
    files.push({ filename: 'message.txt', contentType: 'text/plain', content: Buffer.from(body, 'utf8') });
    description = `${description.slice(0, LIMITS.description - 200)}\n\n[The message is longer; the whole text is attached as message.txt.]`;
  }
  if (!description && message.htmlBody) {
    files.push({ filename: 'message.html', contentType: 'application/octet-stream', content: Buffer.from(message.htmlBody, 'utf8') });
    description = '(The message has only an HTML body. It is attached as message.html and was not rendered.)';
  }
  if (!description && files.length) description = '(The report is in the attached files.)';
  if (!description) throw new Quarantine('empty', 'The message has neither text nor attachments.');
  if (files.length > app.config.maxAttachments) throw new Quarantine('too_many_attachments', `The message needs ${files.length} attachments; at most ${app.config.maxAttachments} are accepted.`);

  const key = await reporterKey(app, opened, from);
  const scope = systemScope(app);
  const { report, reporterToken } = await receiveReport(
    scope,
    { title: subject || `Vulnerability report by email from ${from}`, description, projects, email: from, ...(key.armored ? { pgpKey: key.armored } : {}) },
    files,
    'email',
  );
  const note = [`Received by email from ${from}.`, encryptionLine(opened), signatureLine(opened), ...(key.note ? [key.note] : [])].join('\n');
  const { instanceName, publicUrl, ackBusinessDays, embargoMaxDays } = app.config;
  await change(scope, async ({ trx, now, enqueue }) => {
    const row = await trx
      .insertInto('report_comments')
      .values({ report_id: report.id, author_id: null, author_label: MAIL_LABEL, body: note, body_html: renderMarkdown(note), visibility: 'vmt', created_at: now.toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await addTimelineEvent(trx, report.id, now, { id: null, label: MAIL_LABEL }, 'comment', { comment_id: row.id }, 'vmt');
    const notice =
      `We received your vulnerability report by email and filed it as ${report.ref}.\n\n` +
      `The vulnerability management team acknowledges reports within ${ackBusinessDays} business days. ` +
      `The report stays private, under embargo, for at most ${embargoMaxDays} days while a fix is prepared.\n\n` +
      'Reply to this mail to add information: your reply is added to the report.\n';
    await enqueueMail(enqueue, {
      to: [from],
      subject: `[${instanceName} ${report.ref}] Your report was received`,
      text: `${notice}\nFor your protection this mail carries no details of the report.\n`,
      privateBody: `${notice}\nTitle: ${report.title}\n\nFollow your report privately (keep this link secret):\n${publicUrl}/r/${reporterToken}\n`,
      headers: { 'X-Cordon-Report': report.ref },
    });
  });
  return { outcome: 'report', reportId: report.id, reportRef: report.ref };
}
