// Guide pages with starting content (issue 15): the two placeholder pages migration 0005 seeded
// ("An administrator can edit this page") are removed where nobody wrote them, and the pages a new team
// needs first — how to report, the embargo policy, the disclosure process, advisories and notes — are
// added where no page has their address yet. Pages an admin wrote are never touched.
import type { Kysely } from 'kysely';
import type { MigrationContext } from './helpers.js';
import { STARTER_GUIDE_PAGES } from '../../publication/guide-starters.js';
import { DEFAULT_GUIDE_PAGES } from './0005_advisories.js';

interface GuideTable {
  guide_pages: { slug: string; title: string; body: string; position: number; created_at: string; updated_at: string };
}

export async function up(ctx: MigrationContext): Promise<void> {
  const db = ctx.db as unknown as Kysely<GuideTable>;
  for (const seed of DEFAULT_GUIDE_PAGES) {
    await db.deleteFrom('guide_pages').where('slug', '=', seed.slug).where('body', '=', seed.body).execute();
  }
  const taken = new Set((await db.selectFrom('guide_pages').select('slug').execute()).map((p) => p.slug));
  const now = new Date().toISOString();
  const fresh = STARTER_GUIDE_PAGES.filter((p) => !taken.has(p.slug)).map((p, i) => ({ ...p, position: i + 1, created_at: now, updated_at: now }));
  // Existing pages keep their order after the new ones.
  if (fresh.length) {
    await db.updateTable('guide_pages').set((eb) => ({ position: eb('position', '+', fresh.length) })).execute();
    await db.insertInto('guide_pages').values(fresh).execute();
  }
}
