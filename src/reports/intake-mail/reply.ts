// A reply to a report's reply address becomes a comment — only if the sender may comment there: the
// reporter's address, or a user whose account email matches and whose access allows it. A From header
// is easy to forge, so a sender with a public key on file must sign with it, and roles that need a
// second factor (VMT) count only when that signature is valid (it stands in for the second factor).
import { buildUserActor } from '../../access/load-actor.js';
import { canComment, canContribute } from '../../access/report-policy.js';
import type { Actor } from '../../access/actor.js';
import type { AppContext, Scope } from '../../context.js';
import { AppError } from '../../errors/catalogue.js';
import { readKeyring } from '../../pgp/read.js';
import { reportForActor } from '../load-for-actor.js';
import { addAttachments, addComment } from '../collaboration.js';
import { loadReportBy } from '../store.js';
import { userKeyOf } from '../../keys/public-keys.js';
import { activeUserByEmail } from '../../accounts/users.js';
import type { OpenedMail, Processed } from '../../mail/inbound-types.js';
import { signatureLine } from './file-report.js';
import { Quarantine, cleanText, stripQuotedReply } from '../../mail/inbound-text.js';

const MAX_COMMENT = 20_000;

async function fingerprintsOf(armored: (string | null | undefined)[]): Promise<string[]> {
  const out: string[] = [];
  for (const text of armored) {
    if (!text) continue;
    try {
      out.push(...(await readKeyring(text)).map((k) => k.getFingerprint().toUpperCase()));
    } catch {
      // unreadable stored key: it cannot be required either
    }
  }
  return out;
}

export async function addMailedReply(app: AppContext, opened: OpenedMail, reportId: number): Promise<Processed> {
  const db = app.storage.db;
  const { message } = opened;
  const loaded = await loadReportBy(db, { id: reportId });
  if (!loaded) throw new Quarantine('unknown_reply_address', 'The reply address belongs to a report that no longer exists.');
  const from = message.from?.address.trim().toLowerCase() ?? '';
  if (!from) throw new Quarantine('no_sender', 'The reply has no From address.');
  const signature = message.signature;
  if (signature.status === 'invalid' || signature.status === 'revoked-key') {
    throw new Quarantine('bad_signature', `${signatureLine(opened)} The reply may have been altered or the key compromised.`);
  }

  const user = await activeUserByEmail(db, from);
  const isReporter = loaded.row.reporter_email.toLowerCase() === from;
  if (!user && !isReporter) throw new Quarantine('unknown_sender', `${from} is neither the reporter nor a user of this instance, so the reply cannot be added.`);

  const accountKeys = await fingerprintsOf([user ? (await userKeyOf(db, user.id))?.public_key : null]);
  // The key the reporter gave with this very report binds their replies to it (the reply address is the
  // report's secret); it says nothing about an account, so only the account's own key stands in for a
  // second factor (issue 13, finding 9).
  const onFile = [...accountKeys, ...(await fingerprintsOf([isReporter ? loaded.row.reporter_pgp_key : null]))];
  const signer = signature.status === 'valid' ? (signature.fingerprint ?? '') : '';
  const signedByAccountKey = opened.signerSource === 'known' && accountKeys.includes(signer);
  const signedByOwnKey = signedByAccountKey || (opened.signerSource !== null && opened.signerSource !== 'attached' && onFile.includes(signer));
  if (onFile.length && !signedByOwnKey) {
    throw new Quarantine(
      signature.status === 'none' ? 'signature_required' : 'signature_not_trusted',
      `${from} has an OpenPGP key on file (${onFile.join(', ')}), so replies from this address must be signed with it. ${signatureLine(opened)}`,
    );
  }

  const actor: Actor = user ? await buildUserActor(db, app.config, user, { kind: 'session', mfaPassed: signedByAccountKey }) : { kind: 'anonymous' };
  const scope: Scope = { app, actor, requestId: null };
  const context = { reporterLink: isReporter };
  let access;
  try {
    access = (await reportForActor(scope, loaded.row.ref, context)).access;
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') access = 'none' as const;
    else throw error;
  }
  if (!canComment(access)) throw new Quarantine('may_not_comment', `${from} may not comment on this report.`);

  const files = message.attachments.filter((a) => a.content.length > 0).map((a, i) => ({ filename: a.filename ?? `attachment-${i + 1}`, contentType: a.contentType, content: a.content }));
  if (files.length && !(canContribute(access) || access === 'reporter')) throw new Quarantine('may_not_attach', `${from} may comment on this report but not attach files.`);
  let body = stripQuotedReply(cleanText(message.textBody));
  if (!body && !files.length) throw new Quarantine('empty', 'The reply has no text (after the quoted original) and no attachments.');
  if (body.length > MAX_COMMENT) body = `${body.slice(0, MAX_COMMENT - 80)}\n\n[Shortened: the reply was longer than ${MAX_COMMENT} characters.]`;

  const commentId = body ? await addComment(scope, loaded.row.ref, { body, visibility: 'everyone' }, context) : undefined;
  if (files.length) await addAttachments(scope, loaded.row.ref, files, 'everyone', context);
  return { outcome: 'comment', reportId, reportRef: loaded.row.ref, ...(commentId !== undefined ? { commentId } : {}) };
}
