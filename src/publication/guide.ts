// The team's Markdown pages on the public site (DESIGN.md issue 6: the Security Guide and the secure
// development guidelines), edited by admins and always rendered through the Markdown sanitiser.
import { change, type Scope } from '../context.js';
import { errors, IssueCollector } from '../errors/catalogue.js';
import { rebuildGuideOutputs, siteContextFor } from './site-files.js';
import { SLUG } from './guide-store.js';
import { teamPublicKey } from './signer.js';

export const MAX_GUIDE_BODY = 200_000;

export interface GuidePageInput {
  slug: string;
  title: string;
  body: string;
}

function checkInput(input: GuidePageInput): GuidePageInput {
  const issues = new IssueCollector();
  const slug = input.slug.trim().toLowerCase();
  const title = input.title.replace(/\s+/g, ' ').trim();
  if (!SLUG.test(slug)) issues.add('slug', 'Use 1–63 lowercase letters, digits and hyphens, starting with a letter or digit (e.g. security-guide).');
  if (!title) issues.add('title', 'Give the page a title.');
  else if (title.length > 200) issues.add('title', 'The title is too long (at most 200 characters).');
  if (!input.body.trim()) issues.add('body', 'Write the page in Markdown.');
  else if (input.body.length > MAX_GUIDE_BODY) issues.add('body', `The page is too long (at most ${MAX_GUIDE_BODY} characters).`);
  issues.throwIfAny();
  return { slug, title, body: input.body.replace(/\r\n?/g, '\n') };
}

/** Creates (slug unknown) or updates a page; the static copy of the site is rebuilt in the same transaction. */
export async function saveGuidePage(scope: Scope, existingSlug: string | null, input: GuidePageInput): Promise<string> {
  const page = checkInput(input);
  const teamKey = await teamPublicKey(scope.app.storage.db);
  return change(scope, async ({ trx, now, audit }) => {
    const at = now.toISOString();
    const clash = await trx.selectFrom('guide_pages').select('id').where('slug', '=', page.slug).executeTakeFirst();
    const userId = scope.actor.kind === 'user' ? scope.actor.userId : null;
    if (existingSlug === null) {
      if (clash) throw errors.field('slug', `There is already a page at /guide/${page.slug}.`);
      const last = await trx.selectFrom('guide_pages').select(({ fn }) => fn.max('position').as('p')).executeTakeFirst();
      await trx.insertInto('guide_pages').values({ ...page, position: Number(last?.p ?? 0) + 1, updated_by: userId, created_at: at, updated_at: at }).execute();
      await audit('guide.page_created', 'guide_page', page.slug, undefined, { title: page.title });
    } else {
      const old = await trx.selectFrom('guide_pages').selectAll().where('slug', '=', existingSlug).executeTakeFirst();
      if (!old) throw errors.notFound('page');
      if (clash && clash.id !== old.id) throw errors.field('slug', `There is already a page at /guide/${page.slug}.`);
      await trx.updateTable('guide_pages').set({ ...page, updated_by: userId, updated_at: at }).where('id', '=', old.id).execute();
      await audit('guide.page_updated', 'guide_page', page.slug, { slug: old.slug, title: old.title }, { slug: page.slug, title: page.title });
    }
    await rebuildGuideOutputs(trx, now, await siteContextFor(scope.app, teamKey, trx));
    return page.slug;
  });
}
