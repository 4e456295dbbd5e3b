// The rendered report lists (`/reports` and the VMT queue `/vmt`) for a short while (issue 17): at 100,000
// reports a list costs tens of milliseconds of SQL and markup, and the same people reload the same lists.
//
// Why it shows nothing it should not:
// - The key starts with readScopeKey (access/report-policy.ts): an entry is shared only by actors who read
//   exactly the same reports, and everything else the markup depends on (whether the viewer triages,
//   is signed in, the query string) is in the key too. The layout around it (the viewer's name, the
//   CSRF token, the setup card) is never cached.
// - Every write this process makes to a table a list reads (below) empties the cache first
//   (storage/watched-cache.ts); writes made by another process show within LIST_CACHE_TTL_MS, the
//   same bound as the actor cache's (a report opened by a worker appears as public up to 2 s later).
import type { Db } from '../storage/database.js';
import { watchedCache } from '../storage/watched-cache.js';
import { raw, type SafeHtml } from '../web/jsx.js';

/** How long a rendered list is reused; also how stale "days left" may be (it counts whole days). */
export const LIST_CACHE_TTL_MS = 2_000;

const LIST_CACHE = {
  name: 'report-lists',
  // What a list row shows or is filtered by, and what decides who reads it.
  tables: ['reports', 'report_projects', 'report_subscriptions', 'report_cves', 'projects', 'users', 'user_roles', 'project_members'],
  ttlMs: LIST_CACHE_TTL_MS,
  maxEntries: 500,
};

/** The list's markup for this key, rendered by `render` when not cached (or where writes cannot be watched). */
export async function cachedListMarkup(db: Db, key: string, render: () => Promise<SafeHtml>): Promise<SafeHtml> {
  const cache = watchedCache<string>(db, LIST_CACHE);
  if (!cache) return render();
  return raw(await cache.get(key, async () => (await render()).html));
}
