// The "latest advisories" section of the home page (src/web/home.tsx): the five newest published.
import type { SafeHtml } from '../web/jsx.js';
import type { Db } from '../storage/database.js';
import { AdvisoryTable } from './pages.js';
import { publishedSummaries } from './published.js';
import type { PublishedSummary } from './summary.js';


export const HOME_LATEST_COUNT = 5;

export async function latestAdvisories(db: Db, count = HOME_LATEST_COUNT): Promise<PublishedSummary[]> {
  return (await publishedSummaries(db)).slice(0, count);
}

export function LatestAdvisories({ summaries }: { summaries: PublishedSummary[] }): SafeHtml {
  return (
    <section class="latest-advisories">
      <h2>Latest security advisories</h2>
      {summaries.length ? <AdvisoryTable summaries={summaries} base="/advisories/" /> : <p class="empty">No advisories have been published yet.</p>}
      <p>
        <a href="/advisories">All advisories</a> · <a href="/feeds/advisories.atom">Atom feed</a> · <a href="/guide">Security guides</a>
      </p>
    </section>
  );
}
