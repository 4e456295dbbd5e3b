// The published advisories, read from this area's table for the public site (src/publication/, wired in
// through its site sources) and the JSON API: published_json and published_summary only, never the
// working record, so a draft (or an unpublished erratum) cannot reach a public page, feed or file.
import type { PublishedAdvisories } from '../publication/site-sources.js';
import type { AdvisoryRecord } from '../publication/record.js';
import { newestFirst, type PublishedSummary } from '../publication/summary.js';
import type { Db } from '../storage/database.js';

export async function publishedRecord(db: Db, ref: string): Promise<AdvisoryRecord | null> {
  const row = await db.selectFrom('advisories').select('published_json').where('ref', '=', ref).where('published_json', 'is not', null).executeTakeFirst();
  return row?.published_json ? (JSON.parse(row.published_json) as AdvisoryRecord) : null;
}

export async function publishedRecords(db: Db): Promise<AdvisoryRecord[]> {
  const rows = await db.selectFrom('advisories').select('published_json').where('published_json', 'is not', null).orderBy('ref').execute();
  return rows.map((r) => JSON.parse(r.published_json ?? 'null') as AdvisoryRecord);
}

/** Every published advisory's summary, newest first. */
export async function publishedSummaries(db: Db): Promise<PublishedSummary[]> {
  const rows = await db.selectFrom('advisories').select('published_summary').where('published_json', 'is not', null).where('published_summary', 'is not', null).execute();
  return rows.map((r) => JSON.parse(r.published_summary ?? 'null') as PublishedSummary).sort(newestFirst);
}

export const publishedAdvisories: PublishedAdvisories = { record: publishedRecord, records: publishedRecords, summaries: publishedSummaries };
