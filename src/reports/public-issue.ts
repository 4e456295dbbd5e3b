// A report that was judged not to be a vulnerability and published in the open as a scrubbed issue
// (reports/disclosure.ts publishAsIssue writes it): only what the coordinator picked is ever read back.
import type { Db } from '../storage/database.js';

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
