// The Security Guide and secure development guidelines: public Markdown pages that admins edit.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { raw } from '../web/jsx.js';
import { can } from '../access/policy.js';
import type { AppContext, Scope } from '../context.js';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import type { RouteDef } from '../http/route.js';
import { formBody, keepValues, str } from '../http/forms.js';
import { sendPage } from '../http/render.js';
import { Button, CsrfField, EmptyState, ErrorSummary, TextField, Time, type FormState } from '../web/components.js';
import { renderMarkdown } from '../text/markdown.js';
import { getGuidePage, listGuidePages, saveGuidePage } from './guide.js';
import { fillGuideValues, GUIDE_PLACEHOLDERS, guideValuesFor } from './guide-starters.js';
import { sendSiteFile } from './routes.js';
import { Params } from '../http/schemas.js';


export function guideRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;

  const editPage = async (req: FastifyRequest, reply: FastifyReply, slug: string | null, state: FormState, status = 200) =>
    sendPage(app, req, reply, slug ? 'Edit page' : 'New page', (ctx) => (
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
    ), { status, wide: true });

  const save = async (req: FastifyRequest, reply: FastifyReply, scope: Scope, slug: string | null) => {
    const form = formBody(req);
    const again = (issues: FieldIssue[], error: AppError) => editPage(req, reply, slug, { values: keepValues(form), issues }, error.status);
    return formAction(req, reply, { back: slug ? `/guide/${slug}/edit` : '/guide/new', again }, async () => {
      const saved = await saveGuidePage(scope, slug, { slug: str(form, 'slug'), title: str(form, 'title'), body: str(form, 'body') });
      return { to: `/guide/${saved}`, message: 'Page saved.' };
    });
  };

  return [
    {
      method: 'GET',
      url: '/guide',
      audience: 'public',
      handler: async (req, reply, { actor }) => {
        const pages = await listGuidePages(db);
        return sendPage(app, req, reply, 'Guides', () => (
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
            {can(actor, 'admin.write') ? (
              <p>
                <a class="btn secondary" href='/guide/new'>
                  New page
                </a>
              </p>
            ) : null}
          </>
        ));
      },
    },
    { method: 'GET', url: '/guide/new', audience: 'admin.write', handler: async (req, reply) => editPage(req, reply, null, { values: {} }) },
    { method: 'POST', url: '/guide', audience: 'admin.write', handler: async (req, reply, scope) => save(req, reply, scope, null) },
    {
      method: 'GET',
      url: '/guide/:page',
      schema: { params: Params('page') },
      audience: 'public',
      leak: { params: { page: 'guide_page' } },
      handler: async (req, reply, { actor }) => {
        const { page: name } = req.params as { page: string };
        if (/\.(html|asc|sha256)$/.test(name)) return sendSiteFile(app, reply, `guide/${name}`);
        const page = await getGuidePage(db, name);
        if (!page) throw errors.notFound('page');
        return sendPage(app, req, reply, page.title, () => (
          <>
            <p class="crumbs">
              <a href="/guide">Guides</a>
            </p>
            <h1>{page.title}</h1>
            <div class="markdown">{raw(renderMarkdown(fillGuideValues(page.body, guideValuesFor(app.config))))}</div>
            <p class="muted">
              Last changed <Time iso={page.updated_at} />
              {can(actor, 'admin.write') ? (
                <>
                  {' '}
                  · <a href={`/guide/${page.slug}/edit`}>Edit</a>
                </>
              ) : null}
            </p>
          </>
        ));
      },
    },
    {
      method: 'GET',
      url: '/guide/:page/edit',
      schema: { params: Params('page') },
      audience: 'admin.write',
      leak: { params: { page: 'guide_page' } },
      handler: async (req, reply) => {
        const page = await getGuidePage(db, (req.params as { page: string }).page);
        if (!page) throw errors.notFound('page');
        return editPage(req, reply, page.slug, { values: { slug: page.slug, title: page.title, body: page.body } });
      },
    },
    {
      method: 'POST',
      url: '/guide/:page/edit',
      audience: 'admin.write',
      leak: { params: { page: 'guide_page' } },
      handler: async (req, reply, scope) => {
        const page = await getGuidePage(db, (req.params as { page: string }).page);
        if (!page) throw errors.notFound('page');
        return save(req, reply, scope, page.slug);
      },
    },
  ];
}
