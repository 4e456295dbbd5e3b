// Operator feedback on a published note: signed-in readers write to the authors; the note's author and
// security core read and answer it; an answer can be published with the note (the question is shown
// without the asker's name). Feedback is private otherwise: its sender sees their own, nobody else.
import type { UserActor } from '../access/actor.js';
import { canAuthor, canSendFeedback, type NoteAccess } from '../access/note-policy.js';
import type { Actor } from '../access/actor.js';
import { change, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import { noteForActor, type LoadedNote } from './store.js';

export const MAX_FEEDBACK_CHARS = 10_000;

export interface FeedbackView {
  id: number;
  authorLabel: string;
  mine: boolean;
  body: string;
  createdAt: string;
  answer: string | null;
  answeredLabel: string | null;
  answeredAt: string | null;
  published: boolean;
}

export interface PublishedAnswer {
  question: string;
  answer: string;
  answeredAt: string;
}

export async function sendFeedback(scope: Scope & { actor: UserActor }, publicId: string, body: string): Promise<number> {
  const note = await noteForActor(scope, { publicId });
  if (!canSendFeedback(scope.actor, note.access, note.facts)) {
    throw errors.conflict('Feedback is for published notes; this one is still being written. Vote or comment in its review instead.');
  }
  const text = (body ?? '').replace(/\r\n?/g, '\n').trim();
  if (text === '') throw errors.field('body', 'Write your feedback.');
  if (text.length > MAX_FEEDBACK_CHARS) throw errors.field('body', `Use at most ${MAX_FEEDBACK_CHARS} characters.`);
  return change(scope, async ({ trx, now, audit }) => {
    const row = await trx
      .insertInto('note_feedback')
      .values({ note_id: note.row.id, author_id: scope.actor.userId, author_label: scope.actor.displayName, body: text, created_at: now.toISOString(), answer_published: 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit('note.feedback_sent', 'note', note.row.id, undefined, { feedback: row.id });
    return row.id;
  });
}

export async function answerFeedback(scope: Scope & { actor: UserActor }, publicId: string, feedbackId: number, answer: string, publish: boolean): Promise<void> {
  const note = await noteForActor(scope, { publicId });
  if (!canAuthor(scope.actor, note.access, note.facts)) throw errors.forbiddenAction('Only the note’s author and security core answer feedback.');
  const row = await scope.app.storage.db.selectFrom('note_feedback').select(['id', 'answer']).where('id', '=', feedbackId).where('note_id', '=', note.row.id).executeTakeFirst();
  if (!row) throw errors.field('feedback', 'There is no such feedback on this note.');
  const text = (answer ?? '').replace(/\r\n?/g, '\n').trim();
  if (text === '') throw errors.field('answer', 'Write the answer.');
  if (text.length > MAX_FEEDBACK_CHARS) throw errors.field('answer', `Use at most ${MAX_FEEDBACK_CHARS} characters.`);
  await change(scope, async ({ trx, now, audit }) => {
    await trx
      .updateTable('note_feedback')
      .set({ answer: text, answered_by: scope.actor.userId, answered_label: scope.actor.displayName, answered_at: now.toISOString(), answer_published: publish ? 1 : 0 })
      .where('id', '=', row.id)
      .execute();
    await audit('note.feedback_answered', 'note', note.row.id, { feedback: row.id, answered: row.answer !== null }, { feedback: row.id, published: publish });
  });
}

/** The feedback an actor may read on a note: all of it for the author and security core, else their own. */
export async function visibleFeedback(db: Db, note: LoadedNote, actor: Actor, access: NoteAccess): Promise<FeedbackView[]> {
  if (actor.kind !== 'user') return [];
  let q = db.selectFrom('note_feedback').selectAll().where('note_id', '=', note.row.id).orderBy('id');
  if (!canAuthor(actor, access, note.facts)) q = q.where('author_id', '=', actor.userId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    authorLabel: r.author_label,
    mine: r.author_id === actor.userId,
    body: r.body,
    createdAt: r.created_at,
    answer: r.answer,
    answeredLabel: r.answered_label,
    answeredAt: r.answered_at,
    published: r.answer_published === 1,
  }));
}

/** Answers published with the note (public): the question without its asker, and the answer. */
export async function publishedAnswers(db: Db, noteId: number): Promise<PublishedAnswer[]> {
  const rows = await db
    .selectFrom('note_feedback')
    .select(['body', 'answer', 'answered_at'])
    .where('note_id', '=', noteId)
    .where('answer_published', '=', 1)
    .where('answer', 'is not', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ question: r.body, answer: r.answer ?? '', answeredAt: r.answered_at ?? '' }));
}
