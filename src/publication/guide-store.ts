// Reading the guide pages (table guide_pages): the pages, the live site and the static site's copy ask here.
import type { GuidePageRow } from './tables.js';
import type { Db } from '../storage/database.js';

export const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export async function listGuidePages(db: Db): Promise<Pick<GuidePageRow, 'slug' | 'title' | 'updated_at'>[]> {
  return db.selectFrom('guide_pages').select(['slug', 'title', 'updated_at']).orderBy('position').orderBy('slug').execute();
}

export async function getGuidePage(db: Db, slug: string): Promise<GuidePageRow | undefined> {
  if (!SLUG.test(slug)) return undefined;
  return db.selectFrom('guide_pages').selectAll().where('slug', '=', slug).executeTakeFirst();
}

/** Every page with its Markdown, for the static copy of the site. */
export async function guidePagesForSite(db: Db): Promise<Pick<GuidePageRow, 'slug' | 'title' | 'body'>[]> {
  return db.selectFrom('guide_pages').select(['slug', 'title', 'body']).orderBy('slug').execute();
}
