// Processing one stored incoming message: decrypt with the team keys (current and retired), verify the
// signature, then hand it to the intake by mail (reports/intake-mail/, given as a MailIntake) to file a
// new private report (mail to the team address) or add a comment (a reply to a per-report reply
// address). Anything that cannot be processed goes to the quarantine with a reason; nothing here can
// lose the message, which was stored raw before (inbound-store.ts).
import type { Key } from 'openpgp';
import { change, type AppContext, type Scope } from '../context.js';
import { AppError, errors } from '../errors/catalogue.js';
import { readKeyring } from '../pgp/read.js';
import { unlockTeamKeys } from '../keys/team-keys.js';
import type { InboundMessageRow, InboundStatus } from '../keys/tables.js';
import { MailRejection, openInboundMessage } from './mime/index.js';
import { headerValue, loadInboundMessage, rawHeaderFields } from './inbound-store.js';
import { Quarantine, allAddresses, automaticReason, firstAddress } from './inbound-text.js';
import { reportIdForToken, tokenInAddress } from './reply-address.js';
import type { MailIntake, OpenedMail, ProcessOptions, Processed } from './inbound-types.js';

export type { MailIntake, OpenedMail, ProcessOptions, Processed, SignerSource } from './inbound-types.js';

export interface InboundResult {
  id: number;
  status: InboundStatus;
  reasonCode?: string;
  reason?: string;
  reportRef?: string;
  commentId?: number;
}

async function parseKeys(armored: (string | null | undefined)[]): Promise<Key[]> {
  const keys: Key[] = [];
  for (const text of armored) {
    if (!text) continue;
    try {
      keys.push(...(await readKeyring(text)));
    } catch {
      // A stored key that no longer parses cannot verify anything; it is simply not used.
    }
  }
  return keys;
}

async function openMail(app: AppContext, intake: MailIntake, raw: Buffer, sender: string | null): Promise<OpenedMail> {
  let decryption: Awaited<ReturnType<typeof unlockTeamKeys>>['decryption'] = [];
  let lockedReason: string | null = null;
  try {
    ({ decryption } = await unlockTeamKeys(app.storage.db, app.config));
  } catch (error) {
    lockedReason = error instanceof Error ? error.message : String(error);
  }
  // Keys on file for the sender: their account's key and stakeholder registry contacts.
  const known = sender ? await parseKeys((await intake.keysOfAddress(app.storage.db, sender, { onFile: true })).map((k) => k.armored)) : [];
  const now = app.clock.now();
  const open = (keys: Key[]) => openInboundMessage(raw, { secretKeys: decryption, knownPublicKeys: keys, now });
  try {
    const message = await open(known);
    if (message.signature.status !== 'unknown-key') return { message, signerSource: message.signature.status === 'valid' ? 'known' : null };
    // Not by a key on file: try keys given earlier under this address, then keys attached to this mail.
    // Either shows that the mail was not altered since signing, not who sent it. Given keys: with the
    // latest reports filed under this address (by the web, the API or mail).
    const given = sender ? await parseKeys((await intake.keysOfAddress(app.storage.db, sender, { onFile: false, given: { latest: 20 } })).map((k) => k.armored)) : [];
    if (given.length) {
      const again = await open([...known, ...given]);
      if (again.signature.status !== 'unknown-key') return { message: again, signerSource: again.signature.status === 'valid' ? 'given' : null };
    }
    if (message.attachedPublicKeys.length) {
      const attached = await parseKeys(message.attachedPublicKeys.map((k) => k.armored));
      const again = await open([...known, ...given, ...attached]);
      return { message: again, signerSource: again.signature.status === 'valid' ? 'attached' : null };
    }
    return { message, signerSource: null };
  } catch (error) {
    if (error instanceof MailRejection && lockedReason && error.reason === 'not_encrypted_to_team') {
      throw new Quarantine('team_key_locked', `${error.message} ${lockedReason}`);
    }
    throw error;
  }
}

async function recordOutcome(app: AppContext, row: InboundMessageRow, opened: OpenedMail, done: Processed): Promise<void> {
  await change(
    { app, actor: { kind: 'anonymous' }, requestId: null },
    async ({ trx, now, audit }) => {
      await trx
        .updateTable('inbound_messages')
        .set({
          status: 'processed',
          outcome: done.outcome,
          report_id: done.reportId,
          comment_id: done.commentId ?? null,
          reason_code: null,
          reason: null,
          encryption: opened.message.encryption,
          signature_status: opened.message.signature.status,
          signer_fingerprint: opened.message.signature.fingerprint ?? null,
          processed_at: now.toISOString(),
          updated_at: now.toISOString(),
        })
        .where('id', '=', row.id)
        .execute();
      await audit('mail.processed', 'inbound_message', row.id, undefined, { outcome: done.outcome, report_id: done.reportId, encryption: opened.message.encryption, signature: opened.message.signature.status });
    },
    { system: true },
  );
}

async function quarantine(app: AppContext, row: InboundMessageRow, code: string, reason: string, opened: OpenedMail | null): Promise<InboundResult> {
  await change(
    { app, actor: { kind: 'anonymous' }, requestId: null },
    async ({ trx, now, audit }) => {
      await trx
        .updateTable('inbound_messages')
        .set({
          status: 'quarantined',
          reason_code: code,
          reason: reason.slice(0, 4000),
          encryption: opened?.message.encryption ?? null,
          signature_status: opened?.message.signature.status ?? null,
          signer_fingerprint: opened?.message.signature.fingerprint ?? null,
          updated_at: now.toISOString(),
        })
        .where('id', '=', row.id)
        .execute();
      await audit('mail.quarantined', 'inbound_message', row.id, undefined, { reason_code: code });
    },
    { system: true },
  );
  return { id: row.id, status: 'quarantined', reasonCode: code, reason };
}

function describeAppError(error: AppError): string {
  const details = error.fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return details && !error.message.includes(details) ? `${error.message} (${details})` : error.message;
}

/** Processes one stored message; never throws for bad mail (it is quarantined instead). */
export async function processInboundMessage(app: AppContext, id: number, intake: MailIntake, options: ProcessOptions = {}): Promise<InboundResult> {
  const db = app.storage.db;
  const row = await loadInboundMessage(db, id);
  if (!row) throw errors.notFound('message');
  if (row.status === 'processed') return { id, status: 'processed' };
  await db.updateTable('inbound_messages').set({ attempts: row.attempts + 1 }).where('id', '=', id).execute();
  const raw = Buffer.from(row.raw);
  let opened: OpenedMail | null = null;
  try {
    const fields = rawHeaderFields(raw);
    const automatic = automaticReason(fields, row.envelope_from);
    if (automatic) throw new Quarantine('automatic', `Automatic mail (${automatic}) is not turned into reports or comments, so that mail loops cannot start.`);
    const duplicate = await db.selectFrom('inbound_messages').select('id').where('sha256', '=', row.sha256).where('status', '=', 'processed').where('id', '!=', id).executeTakeFirst();
    if (duplicate) {
      await db.updateTable('inbound_messages').set({ status: 'processed', outcome: 'duplicate', reason: `Same bytes as message #${duplicate.id}, already processed.`, processed_at: app.clock.now().toISOString(), updated_at: app.clock.now().toISOString() }).where('id', '=', id).execute();
      return { id, status: 'processed', reason: `duplicate of #${duplicate.id}` };
    }
    const recipients = [
      ...(JSON.parse(row.envelope_to) as string[]),
      ...['To', 'Cc', 'Delivered-To', 'X-Original-To'].flatMap((name) => allAddresses(headerValue(fields, name))),
    ];
    const token = recipients.map((address) => tokenInAddress(app.config.teamEmail, address)).find((t) => t !== null) ?? null;
    const replyReportId = token ? await reportIdForToken(db, token) : null;
    if (token && replyReportId === null) throw new Quarantine('unknown_reply_address', 'The message was sent to a reply address that belongs to no report.');

    opened = await openMail(app, intake, raw, firstAddress(headerValue(fields, 'From')));
    const done = replyReportId !== null ? await intake.addReply(app, opened, replyReportId) : await intake.fileReport(app, opened, options);
    await recordOutcome(app, row, opened, done);
    return { id, status: 'processed', reportRef: done.reportRef, ...(done.commentId ? { commentId: done.commentId } : {}) };
  } catch (error) {
    if (error instanceof Quarantine) return quarantine(app, row, error.code, error.message, opened);
    if (error instanceof MailRejection) return quarantine(app, row, error.reason, error.message, opened);
    if (error instanceof AppError) return quarantine(app, row, error.code === 'validation_failed' ? 'invalid_content' : error.code, describeAppError(error), opened);
    app.log.error({ err: error, inbound: id }, 'processing an incoming message failed');
    return quarantine(app, row, 'internal_error', `Processing failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`, opened);
  }
}

/** An admin asks to process a quarantined message again (after fixing keys, or naming the project). */
export async function retryInboundMessage(scope: Scope, id: number, intake: MailIntake, options: ProcessOptions = {}): Promise<InboundResult> {
  await change(scope, async ({ trx, now, audit }) => {
    const row = await trx.selectFrom('inbound_messages').select(['id', 'status']).where('id', '=', id).executeTakeFirst();
    if (!row) throw errors.notFound('message');
    if (row.status === 'processed') throw errors.conflict('This message was processed already.');
    await trx.updateTable('inbound_messages').set({ status: 'received', updated_at: now.toISOString() }).where('id', '=', id).execute();
    await audit('mail.retried', 'inbound_message', id, { status: row.status }, { status: 'received', project: options.projectSlug ?? null });
  });
  return processInboundMessage(scope.app, id, intake, options);
}
