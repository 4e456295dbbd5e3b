// Publishing an approved note (DESIGN.md §2, §3): the published revision goes on the public site and out
// as the announcement `[OSSN-NNNN] TITLE` to the configured lists, through the outbox (the mail worker
// signs it with the team key). An embargoed note waits: asking to publish it queues the publication, and
// the `notes.publish_waiting` job publishes it once its report is disclosed (still approved by then).
import type { Transaction } from 'kysely';
import type { UserActor } from '../access/actor.js';
import type { Config } from '../config/config.js';
import { change, type ChangeContext, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { enqueueMail, type OutgoingMail } from '../mail/outbox.js';
import type { Database } from '../storage/tables.js';
import type { NoteRecord } from './formats/note-record.js';
import { exportOssnText } from './formats/ossn-source.js';
import { decideApproval } from './review-rule.js';
import { underReview } from './review.js';
import { noteForAuthoring, requireComplete } from './revisions.js';
import { loadNote, loadVotes, revisionRecord, type LoadedNote } from './store.js';

/** The announcement (DESIGN.md §3: note subject `[OSSN-NNNN] TITLE`); the body is the note as plain text. */
export function announcementMail(config: Config, record: NoteRecord): OutgoingMail {
  return {
    to: config.announceLists,
    // One line whatever the title holds (the subject is a header).
    subject: `[${record.id}] ${record.title.replace(/\s+/g, ' ').trim()}`,
    text: exportOssnText(record),
    headers: { 'X-Cordon-Note': record.id },
  };
}

/** Why the note may not be published now, or null. Checked again inside the publishing transaction. */
async function blocker(trx: Transaction<Database>, config: Config, note: LoadedNote): Promise<string | null> {
  const decision = decideApproval(underReview(note), await loadVotes(trx, note.row.id));
  if (!decision.publishable) return `The note is not approved yet: it ${decision.outstanding.join('; ')}.`;
  const record = await revisionRecord(trx, note.row, note.row.current_revision);
  if (!record) return 'The note has no revision.';
  requireComplete(record, config.notePrefix);
  return null;
}

/** Publish inside a transaction: state, published revision, the announcement. Returns the mails queued. */
async function publishIn({ trx, now, config, enqueue, audit }: ChangeContext, note: LoadedNote, reason?: string): Promise<number> {
  const at = now.toISOString();
  const moved = await trx
    .updateTable('notes')
    .set({ state: 'published', published_at: at, published_revision: note.row.current_revision, updated_at: at })
    .where('id', '=', note.row.id)
    .where('current_revision', '=', note.row.current_revision)
    .where('state', 'in', ['in_review', 'awaiting_disclosure'])
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) throw errors.conflict('The note changed meanwhile; reload it and try again.');
  const record = await revisionRecord(trx, note.row, note.row.current_revision);
  if (!record) throw errors.conflict('The note has no revision.');
  const mail = announcementMail(config, record);
  await enqueueMail(enqueue, mail);
  await audit(
    'note.published',
    'note',
    note.row.id,
    { state: note.row.state },
    { state: 'published', public_id: record.id, revision: note.row.current_revision, announced_to: config.announceLists, ...(reason ? { reason } : {}) },
  );
  return mail.to.length;
}

export type PublicationOutcome = { outcome: 'published'; mails: number } | { outcome: 'awaiting_disclosure' };

/**
 * The author or security core asks to publish an approved note: published now, or queued until disclosure.
 * Irreversible, so it takes a reason, kept in the audit event (DESIGN.md §5; issue 13 item 11).
 */
export async function requestPublication(scope: Scope & { actor: UserActor }, publicId: string, reason: string): Promise<PublicationOutcome> {
  const note = await noteForAuthoring(scope, publicId);
  if (!reason?.trim()) throw errors.field('reason', 'Give the reason for publishing; it is kept in the audit log.');
  if (note.row.state === 'published') throw errors.conflict('The note is published already.');
  if (note.row.state === 'awaiting_disclosure') throw errors.conflict('The publication is queued already: it waits for the report to be disclosed.');
  if (note.row.state !== 'in_review') throw errors.conflict('Submit the note for review first; it is published once approved.');
  const { config } = scope.app;
  return change(scope, async (c) => {
    const { trx, now, audit } = c;
    const why = await blocker(trx, config, note);
    if (why) throw errors.conflict(why);
    if (note.facts.embargoed) {
      const at = now.toISOString();
      await trx
        .updateTable('notes')
        .set({ state: 'awaiting_disclosure', publish_requested_at: at, publish_requested_by: scope.actor.userId, updated_at: at })
        .where('id', '=', note.row.id)
        .where('state', '=', 'in_review')
        .execute();
      await audit('note.publication_queued', 'note', note.row.id, { state: 'in_review' }, { state: 'awaiting_disclosure', reason: reason.trim() });
      return { outcome: 'awaiting_disclosure' as const };
    }
    const mails = await publishIn(c, note, reason.trim());
    return { outcome: 'published' as const, mails };
  });
}

/**
 * The queued publications whose report is now disclosed: publish each that is still approved; send one
 * that lost its approval back to review. Runs in the job's transaction (exactly once).
 */
export async function publishWaitingNotes(change: ChangeContext): Promise<{ published: string[]; returned: string[] }> {
  const { trx, now, config } = change;
  const waiting = await trx.selectFrom('notes').select('id').where('state', '=', 'awaiting_disclosure').orderBy('id').execute();
  const published: string[] = [];
  const returned: string[] = [];
  for (const { id } of waiting) {
    const note = await loadNote(trx, { id });
    // Still embargoed: the report is not disclosed yet, so the publication keeps waiting.
    if (!note || note.facts.embargoed) continue;
    let why: string | null;
    try {
      why = await blocker(trx, config, note);
    } catch (error) {
      why = error instanceof Error ? error.message : 'the note is incomplete';
    }
    if (why) {
      await trx.updateTable('notes').set({ state: 'in_review', publish_requested_at: null, publish_requested_by: null, updated_at: now.toISOString() }).where('id', '=', id).execute();
      await change.audit('note.publication_cancelled', 'note', id, { state: 'awaiting_disclosure' }, { state: 'in_review', reason: why });
      returned.push(note.row.public_id ?? note.row.ref);
      continue;
    }
    await publishIn(change, note);
    published.push(note.row.public_id ?? note.row.ref);
  }
  return { published, returned };
}
