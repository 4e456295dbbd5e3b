// Comments and attachments on a report. VMT-only comments are for the team alone; everything else is seen
// by everyone who can read the report (reporter included).
import { createHash } from 'node:crypto';
import { renderMarkdown } from '../text/markdown.js';
import { change, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import type { SelectQueryBuilder } from 'kysely';
import { attachmentScope, canComment, canContribute, canSeeVmtOnly, type AttachmentScope, type ReportAccess, type ReportAccessContext } from '../access/report-policy.js';
import type { CommentVisibility, Database } from '../storage/tables.js';
import { reportForActor, requireOn, type ReportForActor } from './load-for-actor.js';
import type { Db } from '../storage/database.js';
import { actorName, addTimelineEvent } from './timeline.js';
import { notifyReport } from './notify.js';
import { safeFilename, type AttachmentInput } from './intake.js';

export async function addComment(scope: Scope, ref: string, input: { body: string; visibility: CommentVisibility }, context: ReportAccessContext = {}): Promise<number> {
  const report = await reportForActor(scope, ref, context);
  requireOn(report, scope, canComment, 'comment');
  const visibility = input.visibility === 'vmt' ? 'vmt' : 'everyone';
  if (visibility === 'vmt' && !canSeeVmtOnly(report.access)) throw errors.forbiddenAction('Only the VMT can write VMT-only comments.');
  const body = checkedCommentBody(input.body);
  const who = scope.actor.kind === 'user' ? actorName(scope.actor) : { id: null, label: 'reporter' };
  return change(scope, async ({ trx, now, audit, enqueue }) => {
    const id = await writeComment(trx, now, report, who, body, visibility);
    await notifyReport({ trx, config: scope.app.config, enqueue }, report.row, { what: 'A comment was added.', visibility, reporter: report.access !== 'reporter', exceptUserId: who.id });
    await audit('report.commented', 'report', report.row.id, undefined, { comment_id: id, visibility });
    return id;
  });
}

/** A comment's text, trimmed and within bounds (field `body`). */
export function checkedCommentBody(raw: string | undefined, field = 'body'): string {
  const body = (raw ?? '').trim();
  if (!body) throw errors.field(field, 'Write a comment first.');
  if (body.length > 20_000) throw errors.field(field, 'Use at most 20000 characters.');
  return body;
}

/** Writes a comment and its timeline entry inside the caller's transaction (the caller notifies and audits). */
export async function writeComment(trx: Db, now: Date, report: ReportForActor, who: { id: number | null; label: string }, body: string, visibility: CommentVisibility): Promise<number> {
  const row = await trx
    .insertInto('report_comments')
    .values({ report_id: report.row.id, author_id: who.id, author_label: report.access === 'reporter' && who.id !== null ? `${who.label} (reporter)` : who.label, body, body_html: renderMarkdown(body), visibility, created_at: now.toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await addTimelineEvent(trx, report.row.id, now, who, 'comment', { comment_id: row.id }, visibility);
  return row.id;
}

export async function addAttachments(scope: Scope, ref: string, files: AttachmentInput[], visibility: CommentVisibility, context: ReportAccessContext = {}): Promise<void> {
  const report = await reportForActor(scope, ref, context);
  requireOn(report, scope, (a) => canContribute(a) || a === 'reporter', 'attach files');
  if (visibility === 'vmt' && !canSeeVmtOnly(report.access)) throw errors.forbiddenAction('Only the VMT can add VMT-only files.');
  const { maxAttachmentBytes, maxAttachments } = scope.app.config;
  if (!files.length) throw errors.field('attachments', 'Choose a file.');
  if (files.length > maxAttachments) throw errors.field('attachments', `Attach at most ${maxAttachments} files.`);
  for (const f of files) {
    if (f.content.length > maxAttachmentBytes) throw errors.field('attachments', `${safeFilename(f.filename)} is too large.`);
    if (!f.content.length) throw errors.field('attachments', `${safeFilename(f.filename)} is empty.`);
  }
  const who = scope.actor.kind === 'user' ? actorName(scope.actor) : { id: null, label: 'reporter' };
  await change(scope, async ({ trx, now, audit, enqueue }) => {
    for (const f of files) {
      const name = safeFilename(f.filename);
      const row = await trx
        .insertInto('report_attachments')
        .values({
          report_id: report.row.id,
          comment_id: null,
          filename: name,
          content_type: 'application/octet-stream',
          size: f.content.length,
          sha256: createHash('sha256').update(f.content).digest('hex'),
          content: f.content,
          visibility,
          uploaded_by: who.id,
          uploaded_label: who.label,
          created_at: now.toISOString(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await addTimelineEvent(trx, report.row.id, now, who, 'attachment', { filename: name, attachment_id: row.id }, visibility);
      await audit('report.attachment_added', 'report', report.row.id, undefined, { attachment_id: row.id, filename: name, size: f.content.length, visibility });
    }
    await notifyReport({ trx, config: scope.app.config, enqueue }, report.row, { what: 'A file was attached.', visibility, reporter: report.access !== 'reporter', exceptUserId: who.id });
  });
}

export async function readComments(scope: Scope, reportId: number, includeVmtOnly: boolean) {
  let q = scope.app.storage.db.selectFrom('report_comments').selectAll().where('report_id', '=', reportId).orderBy('id');
  if (!includeVmtOnly) q = q.where('visibility', '=', 'everyone');
  return q.execute();
}

/** The files of a report this access may see (the policy's attachmentScope decides). */
export async function listAttachments(scope: Scope, reportId: number, access: ReportAccess) {
  const q = scope.app.storage.db.selectFrom('report_attachments').select(['id', 'filename', 'size', 'sha256', 'visibility', 'uploaded_label', 'created_at', 'published_at']).where('report_id', '=', reportId).orderBy('id');
  return attachmentsIn(q, attachmentScope(access)).execute();
}

/** One file of a report with its bytes, if this attachment scope may see it (served as a download). */
export async function attachmentForDownload(db: Db, reportId: number, attachmentId: number, scope: AttachmentScope) {
  const q = db.selectFrom('report_attachments').select(['filename', 'content', 'size', 'visibility']).where('id', '=', attachmentId).where('report_id', '=', reportId);
  return attachmentsIn(q, scope).executeTakeFirst();
}

/** Narrows a query on report_attachments to what an attachment scope allows. */
export function attachmentsIn<Q extends SelectQueryBuilder<Database, 'report_attachments', object>>(q: Q, scope: AttachmentScope): Q {
  if (scope === 'all') return q;
  const everyone = q.where('report_attachments.visibility', '=', 'everyone') as Q;
  return scope === 'published' ? (everyone.where('report_attachments.published_at', 'is not', null) as Q) : everyone;
}
