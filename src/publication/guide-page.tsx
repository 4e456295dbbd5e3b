// The guide's pages in the app: the list, one page, and the editor (guide-routes.tsx renders these).
import { raw, type SafeHtml } from '../web/jsx.js';
import { Button, CsrfField, EmptyState, ErrorSummary, TextField, Time, type FormState } from '../web/components.js';
import type { PageContext } from '../web/layout.js';
import type { GuidePageRow } from './tables.js';
import { GUIDE_PLACEHOLDERS } from './guide-starters.js';

export function GuideIndexPage({ pages, canEdit }: { pages: readonly Pick<GuidePageRow, 'slug' | 'title'>[]; canEdit: boolean }): SafeHtml {
  return (
    <>
      <h1>Guides</h1>
      <p class="lead">How to report a vulnerability, how embargoes and disclosure work here, and how to deploy and develop the projects securely.</p>
      {pages.length ? (
        <ul>
          {pages.map((p) => (
            <li>
              <a href={`/guide/${p.slug}`}>{p.title}</a>
            </li>
          ))}
        </ul>
      ) : (
        <EmptyState>No guides yet.</EmptyState>
      )}
      {canEdit ? (
        <p>
          <a class="btn secondary" href='/guide/new'>
            New page
          </a>
        </p>
      ) : null}
    </>
  );
}

/** One page; `html` is its Markdown already rendered through the sanitiser. */
export function GuideShowPage({ page, html, canEdit }: { page: Pick<GuidePageRow, 'slug' | 'title' | 'updated_at'>; html: string; canEdit: boolean }): SafeHtml {
  return (
    <>
      <p class="crumbs">
        <a href="/guide">Guides</a>
      </p>
      <h1>{page.title}</h1>
      <div class="markdown">{raw(html)}</div>
      <p class="muted">
        Last changed <Time iso={page.updated_at} />
        {canEdit ? (
          <>
            {' '}
            · <a href={`/guide/${page.slug}/edit`}>Edit</a>
          </>
        ) : null}
      </p>
    </>
  );
}

/** The editor of a new page (slug null) or of an existing one. */
export function GuideEditPage({ ctx, slug, state }: { ctx: PageContext; slug: string | null; state: FormState }): SafeHtml {
  return (
    <>
      <p class="crumbs">
        <a href="/guide">Guides</a>
      </p>
      <h1>{slug ? `Edit /guide/${slug}` : 'New guide page'}</h1>
      <form method="post" action={slug ? `/guide/${slug}/edit` : '/guide'} class="stack">
        <CsrfField token={ctx.csrfToken} />
        <ErrorSummary state={state} />
        <TextField name="title" label="Title" required state={state} />
        <TextField name="slug" label="Address" required state={state} hint="The page lives at /guide/ADDRESS: lowercase letters, digits and hyphens." />
        <TextField name="body" label="Page (Markdown)" multiline rows={20} state={state} hint={`Markdown; raw HTML is shown as text. Headings start at level 3. These stand for this instance's settings wherever the page is shown: ${GUIDE_PLACEHOLDERS.map((n) => `{{${n}}}`).join(', ')}.`} />
        <Button>Save page</Button>
      </form>
    </>
  );
}
