// A scrubbed public version of a report that is not a vulnerability (class E, or D handled in the open):
// the summary and the everyone-visible comments the coordinator picks, instead of opening the thread;
// only what the coordinator picked is ever read back.
import { change, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { canManage } from '../access/report-policy.js';
import { reportForActor, requireOn } from './load-for-actor.js';
import { actorName, addTimelineEvent } from './timeline.js';
import type { Db } from '../storage/database.js';

/**
 * For reports that are not vulnerabilities (class E, or D handled in the open): publish a scrubbed public
 * version with the fields and comments the coordinator picks, instead of opening the private thread.
 */
export async function publishAsIssue(scope: Scope, ref: string, input: { summary: string; commentIds: number[] }): Promise<void> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, 'publish a public version');
  if (!report.row.class || !['D', 'E'].includes(report.row.class)) throw errors.field('class', 'Only class D or E reports are turned into public issues; classify it first.');
  const summary = (input.summary ?? '').trim();
  if (!summary) throw errors.field('summary', 'Write the public summary.');
  if (summary.length > 20_000) throw errors.field('summary', 'Use at most 20000 characters.');
  const comments = input.commentIds.length
    ? await scope.app.storage.db.selectFrom('report_comments').select(['id', 'author_label', 'body', 'created_at']).where('report_id', '=', report.row.id).where('visibility', '=', 'everyone').where('id', 'in', input.commentIds).execute()
    : [];
  if (comments.length !== new Set(input.commentIds).size) throw errors.field('comments', 'Only everyone-visible comments of this report can be published.');
  const scrubbed = JSON.stringify({ summary, comments: comments.map((c) => ({ author: c.author_label, body: c.body, at: c.created_at })) });
  await change(scope, async ({ trx, now, audit }) => {
    await trx.updateTable('reports').set({ public_summary: scrubbed, updated_at: now.toISOString() }).where('id', '=', report.row.id).execute();
    await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'published_as_issue', { comments: comments.length });
    await audit('report.published_as_issue', 'report', report.row.id, undefined, { comments: comments.map((c) => c.id) });
  });
}

export interface PublicIssue {
  ref: string;
  summary: string;
  comments: { author: string; body: string; at: string }[];
}

/** The published issue of this report reference, or undefined when there is none. */
export async function loadPublicIssue(db: Db, ref: string): Promise<PublicIssue | undefined> {
  const row = await db.selectFrom('reports').select(['ref', 'public_summary']).where('ref', '=', ref).where('public_summary', 'is not', null).executeTakeFirst();
  if (!row?.public_summary) return undefined;
  const published = JSON.parse(row.public_summary) as Omit<PublicIssue, 'ref'>;
  return { ref: row.ref, summary: published.summary, comments: published.comments };
}
