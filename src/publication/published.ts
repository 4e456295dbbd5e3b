// Reading published advisories: the only queries the public site uses. They read published_json and
// published_summary, which hold what was last published — never the working record, so a draft (or
// an unpublished erratum) cannot reach a public page, feed or file.
import type { AdvisoryRecord } from './record.js';
import type { Db } from '../storage/database.js';
import { newestFirst, type PublishedSummary } from './summary.js';

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

/** Published advisories matching every word of `query` in id, title, CVE ids, products or description. */
export function searchSummaries(summaries: readonly PublishedSummary[], query: string): PublishedSummary[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 10);
  if (!words.length) return [...summaries];
  return summaries.filter((s) => {
    const haystack = [s.ref, s.title, ...s.cves, ...s.products, s.description].join('\n').toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}
