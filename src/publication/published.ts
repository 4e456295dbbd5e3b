// Reading published advisories: the only records the public site uses. They come from published_json and
// published_summary, which hold what was last published — never the working record, so a draft (or an
// unpublished erratum) cannot reach a public page, feed or file. The advisories table is the advisory
// workflow's (advisories/published.ts reads it), a domain above this one: the application wires that
// reader in where it is assembled (site-sources.ts), and everything here asks through it.
import type { AdvisoryRecord } from './record.js';
import type { Db } from '../storage/database.js';
import { siteSources } from './site-sources.js';
import type { PublishedSummary } from './summary.js';

export function publishedRecord(db: Db, ref: string): Promise<AdvisoryRecord | null> {
  return siteSources().advisories.record(db, ref);
}

export function publishedRecords(db: Db): Promise<AdvisoryRecord[]> {
  return siteSources().advisories.records(db);
}

/** Every published advisory's summary, newest first. */
export function publishedSummaries(db: Db): Promise<PublishedSummary[]> {
  return siteSources().advisories.summaries(db);
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
