// The Security Guide and secure development guidelines: public Markdown pages that admins edit.
// Thin handlers: validate → load → authorize → command (guide.ts) → present (guide-page.tsx).
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../access/policy.js';
import type { AppContext, Scope } from '../context.js';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { route, type RouteDef } from '../http/route.js';
import { keepValues } from '../http/forms.js';
import { sendPage } from '../http/render.js';
import { FormFields, Params, Text } from '../http/schemas.js';
import type { FormState } from '../web/components.js';
import { renderMarkdown } from '../text/markdown.js';
import { MAX_GUIDE_BODY, saveGuidePage } from './guide.js';
import { GuideEditPage, GuideIndexPage, GuideShowPage } from './guide-page.js';
import { getGuidePage, listGuidePages } from './guide-store.js';
import { fillGuideValues, guideValuesFor } from './guide-starters.js';
import { sendSiteFile } from './routes.js';

// Lengths beyond the store's own limits, so an over-long page gets the store's message beside its field.
const GuideForm = FormFields({ slug: Type.Optional(Text(500)), title: Type.Optional(Text(1_000)), body: Type.Optional(Text(MAX_GUIDE_BODY * 2)) });
type GuideFormBody = (typeof GuideForm)['static'];

export function guideRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;

  const editPage = async (req: FastifyRequest, reply: FastifyReply, slug: string | null, state: FormState, status = 200) =>
    sendPage(app, req, reply, slug ? 'Edit page' : 'New page', (ctx) => <GuideEditPage ctx={ctx} slug={slug} state={state} />, { status, wide: true });

  const save = async (req: FastifyRequest, reply: FastifyReply, scope: Scope, slug: string | null, form: GuideFormBody) => {
    const again = (issues: FieldIssue[], error: AppError) => editPage(req, reply, slug, { values: keepValues(form), issues }, error.status);
    return formAction(req, reply, { back: slug ? `/guide/${slug}/edit` : '/guide/new', again }, async () => {
      const saved = await saveGuidePage(scope, slug, { slug: form.slug ?? '', title: form.title ?? '', body: form.body ?? '' });
      return { to: `/guide/${saved}`, message: 'Page saved.' };
    });
  };

  const existing = async (name: string) => {
    const page = await getGuidePage(db, name);
    if (!page) throw errors.notFound('page');
    return page;
  };

  return [
    {
      method: 'GET',
      url: '/guide',
      audience: 'public',
      handler: async (req, reply, { actor }) => {
        const pages = await listGuidePages(db);
        return sendPage(app, req, reply, 'Guides', () => <GuideIndexPage pages={pages} canEdit={can(actor, 'admin.write')} />);
      },
    },
    { method: 'GET', url: '/guide/new', audience: 'admin.write', handler: async (req, reply) => editPage(req, reply, null, { values: {} }) },
    route({
      method: 'POST',
      url: '/guide',
      audience: 'admin.write',
      form: true,
      schema: { body: GuideForm },
      handler: async (req, reply, scope) => save(req, reply, scope, null, req.body),
    }),
    route({
      method: 'GET',
      url: '/guide/:page',
      schema: { params: Params('page') },
      audience: 'public',
      leak: { params: { page: 'guide_page' } },
      handler: async (req, reply, { actor }) => {
        const name = req.params.page;
        if (/\.(html|asc|sha256)$/.test(name)) return sendSiteFile(app, reply, `guide/${name}`);
        const page = await existing(name);
        const html = renderMarkdown(fillGuideValues(page.body, guideValuesFor(app.config)));
        return sendPage(app, req, reply, page.title, () => <GuideShowPage page={page} html={html} canEdit={can(actor, 'admin.write')} />);
      },
    }),
    route({
      method: 'GET',
      url: '/guide/:page/edit',
      schema: { params: Params('page') },
      audience: 'admin.write',
      leak: { params: { page: 'guide_page' } },
      handler: async (req, reply) => {
        const page = await existing(req.params.page);
        return editPage(req, reply, page.slug, { values: { slug: page.slug, title: page.title, body: page.body } });
      },
    }),
    route({
      method: 'POST',
      url: '/guide/:page/edit',
      audience: 'admin.write',
      leak: { params: { page: 'guide_page' } },
      form: true,
      schema: { params: Params('page'), body: GuideForm },
      handler: async (req, reply, scope) => save(req, reply, scope, (await existing(req.params.page)).slug, req.body),
    }),
  ];
}
