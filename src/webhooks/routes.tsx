// The webhook pages: /admin/webhooks (admins, instance-wide endpoints), /projects/:slug/webhooks (the
// project's lead, public events), /webhooks/:endpointId (whoever manages that endpoint) and "send again"
// on a delivery. Thin handlers: validate (schemas) → load and authorize (endpoints.ts, 404 for others) →
// command → present (webhooks-page.tsx). A new endpoint's secret is shown once, after the redirect.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext, Scope } from '../context.js';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { formBody, keepValues, list, str } from '../http/forms.js';
import { sendPage } from '../http/render.js';
import { route, type RouteDef } from '../http/route.js';
import { EmptyForm, FormFields, Params, Text, TextList } from '../http/schemas.js';
import { keepForOneView, takeForOneView } from '../http/shown-once.js';
import { canManageProjectWebhooks } from '../access/policy.js';
import { getProjectBySlug } from '../projects/projects.js';
import type { FormState } from '../web/components.js';
import { createEndpoint, deleteEndpoint, deliveryForActor, endpointForActor, redeliver, rotateEndpointSecret, updateEndpoint, type EndpointInput } from './endpoints.js';
import { listEndpoints, recentDeliveries, type EndpointListItem } from './store.js';
import { EndpointPage, EndpointsPage, type EndpointsPageData } from './webhooks-page.js';

const EndpointForm = FormFields({ url: Type.Optional(Text(2000)), description: Type.Optional(Text(500)), events: Type.Optional(TextList(64)), active: Type.Optional(Text(10)) });
const EndpointParams = Params('endpointId');
const DeliveryParams = Params('deliveryId');
const SlugParams = Params('slug');
const ADMIN_LIST = '/admin/webhooks';

function inputOf(req: FastifyRequest): EndpointInput {
  const form = formBody(req);
  return { url: str(form, 'url'), description: str(form, 'description'), events: list(form, 'events'), active: str(form, 'active') === 'on' };
}

/** The project, if the actor manages its webhooks (its lead, or an admin); 404 otherwise. */
async function projectForActor(scope: Scope, slug: string) {
  const project = await getProjectBySlug(scope.app.storage.db, slug);
  if (!project || !canManageProjectWebhooks(scope.actor, project.id)) throw errors.notFound('project');
  return project;
}

const listOf = (endpoint: Pick<EndpointListItem, 'project_slug'>) => (endpoint.project_slug ? `/projects/${endpoint.project_slug}/webhooks` : ADMIN_LIST);
const pageOf = (endpoint: Pick<EndpointListItem, 'id'>) => `/webhooks/${endpoint.id}`;

export function webhookRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;

  async function listPage(req: FastifyRequest, reply: FastifyReply, d: Omit<EndpointsPageData, 'endpoints'>, projectId: number | undefined, state?: FormState, status?: number) {
    const endpoints = await listEndpoints(db, projectId === undefined ? {} : { projectId });
    return sendPage(app, req, reply, d.heading, (ctx) => <EndpointsPage ctx={ctx} d={{ ...d, endpoints }} state={state} />, { wide: true, ...(status ? { status } : {}) });
  }

  type ListPage = Omit<EndpointsPageData, 'endpoints' | 'newSecret'>;
  const adminList: ListPage = { heading: 'Webhooks', action: ADMIN_LIST, project: null };
  const projectList = (project: { slug: string; name: string }): ListPage => ({ heading: `Webhooks of ${project.name}`, action: `/projects/${project.slug}/webhooks`, project: { slug: project.slug, name: project.name } });

  /** A list page, with the secret of an endpoint just added there (shown once). */
  async function showList(req: FastifyRequest, reply: FastifyReply, d: ListPage, projectId: number | undefined) {
    const made = await takeForOneView<{ secret: string }>(app, req, reply, 'webhook_secret', d.action);
    return listPage(req, reply, { ...d, newSecret: made?.secret }, projectId);
  }

  /** Register an endpoint from a list page's form (`projectId` null: instance-wide), then back there. */
  async function addEndpoint(req: FastifyRequest, reply: FastifyReply, scope: Scope, d: ListPage, projectId: number | null) {
    const again = (issues: FieldIssue[], error: AppError) => listPage(req, reply, d, projectId ?? undefined, { values: keepValues(formBody(req)), issues }, error.status);
    return formAction(req, reply, { back: d.action, again }, async () => {
      const { secret } = await createEndpoint(scope, projectId, inputOf(req));
      await keepForOneView(app, reply, 'webhook_secret', d.action, { secret });
      return reply.redirect(d.action, 303);
    });
  }

  async function endpointPage(req: FastifyRequest, reply: FastifyReply, endpoint: EndpointListItem, state?: FormState, status?: number) {
    const deliveries = await recentDeliveries(db, endpoint.id);
    // A secret made by "New secret" just before (shown once, after the redirect).
    const made = state ? undefined : await takeForOneView<{ secret: string }>(app, req, reply, 'webhook_secret', pageOf(endpoint));
    return sendPage(app, req, reply, 'Webhook endpoint', (ctx) => <EndpointPage ctx={ctx} d={{ endpoint, deliveries, back: listOf(endpoint), newSecret: made?.secret }} state={state} />, { wide: true, ...(status ? { status } : {}) });
  }

  return [
    {
      method: 'GET',
      url: ADMIN_LIST,
      audience: 'admin.read',
      handler: async (req, reply) => showList(req, reply, adminList, undefined),
    },
    route({
      method: 'POST',
      url: ADMIN_LIST,
      audience: 'admin.write',
      form: true,
      schema: { body: EndpointForm },
      handler: async (req, reply, scope) => addEndpoint(req, reply, scope, adminList, null),
    }),
    route({
      method: 'GET',
      url: '/projects/:slug/webhooks',
      audience: 'user',
      schema: { params: SlugParams },
      leak: { params: { slug: 'project' } },
      authorize: (req, scope) => projectForActor(scope, req.params.slug),
      handler: async (req, reply, scope) => {
        const project = await projectForActor(scope, req.params.slug);
        return showList(req, reply, projectList(project), project.id);
      },
    }),
    route({
      method: 'POST',
      url: '/projects/:slug/webhooks',
      audience: 'user',
      form: true,
      schema: { params: SlugParams, body: EndpointForm },
      leak: { params: { slug: 'project' } },
      authorize: (req, scope) => projectForActor(scope, req.params.slug),
      handler: async (req, reply, scope) => {
        const project = await projectForActor(scope, req.params.slug);
        return addEndpoint(req, reply, scope, projectList(project), project.id);
      },
    }),
    route({
      method: 'GET',
      url: '/webhooks/:endpointId',
      audience: 'user',
      schema: { params: EndpointParams },
      leak: { params: { endpointId: 'webhook_endpoint' } },
      authorize: (req, scope) => endpointForActor(scope, Number(req.params.endpointId)),
      handler: async (req, reply, scope) => endpointPage(req, reply, await endpointForActor(scope, Number(req.params.endpointId))),
    }),
    route({
      method: 'POST',
      url: '/webhooks/:endpointId',
      audience: 'user',
      form: true,
      schema: { params: EndpointParams, body: EndpointForm },
      leak: { params: { endpointId: 'webhook_endpoint' } },
      authorize: (req, scope) => endpointForActor(scope, Number(req.params.endpointId)),
      handler: async (req, reply, scope) => {
        const endpoint = await endpointForActor(scope, Number(req.params.endpointId));
        const back = `/webhooks/${endpoint.id}`;
        const again = (issues: FieldIssue[], error: AppError) => endpointPage(req, reply, endpoint, { values: keepValues(formBody(req)), issues }, error.status);
        return formAction(req, reply, { back, again }, async () => {
          await updateEndpoint(scope, endpoint.id, inputOf(req));
          return { to: back, message: 'Endpoint saved.' };
        });
      },
    }),
    route({
      method: 'POST',
      url: '/webhooks/:endpointId/secret',
      audience: 'user',
      schema: { params: EndpointParams, body: EmptyForm },
      leak: { params: { endpointId: 'webhook_endpoint' } },
      authorize: (req, scope) => endpointForActor(scope, Number(req.params.endpointId)),
      handler: async (req, reply, scope) => {
        const endpoint = await endpointForActor(scope, Number(req.params.endpointId));
        return formAction(req, reply, { back: pageOf(endpoint) }, async () => {
          const secret = await rotateEndpointSecret(scope, endpoint.id);
          await keepForOneView(app, reply, 'webhook_secret', pageOf(endpoint), { secret });
          return reply.redirect(pageOf(endpoint), 303);
        });
      },
    }),
    route({
      method: 'POST',
      url: '/webhooks/:endpointId/delete',
      audience: 'user',
      schema: { params: EndpointParams, body: EmptyForm },
      leak: { params: { endpointId: 'webhook_endpoint' } },
      authorize: (req, scope) => endpointForActor(scope, Number(req.params.endpointId)),
      handler: async (req, reply, scope) => {
        const endpoint = await endpointForActor(scope, Number(req.params.endpointId));
        return formAction(req, reply, { back: `/webhooks/${endpoint.id}` }, async () => {
          await deleteEndpoint(scope, endpoint.id);
          return { to: listOf(endpoint), message: 'Endpoint deleted.' };
        });
      },
    }),
    route({
      method: 'POST',
      url: '/webhooks/deliveries/:deliveryId/redeliver',
      audience: 'user',
      schema: { params: DeliveryParams, body: EmptyForm },
      leak: { params: { deliveryId: 'webhook_delivery' } },
      authorize: (req, scope) => deliveryForActor(scope, Number(req.params.deliveryId)),
      handler: async (req, reply, scope) => {
        const { delivery } = await deliveryForActor(scope, Number(req.params.deliveryId));
        const back = `/webhooks/${delivery.endpoint_id}`;
        return formAction(req, reply, { back }, async () => {
          await redeliver(scope, delivery.id);
          return { to: back, message: `Delivery ${delivery.id} queued again.` };
        });
      },
    }),
  ];
}
