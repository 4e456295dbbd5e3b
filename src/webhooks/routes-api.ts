// The webhooks JSON API (admin scope): list, register (the secret is in the 201 answer, once), read with
// recent deliveries, replace, delete, and send a delivery again. Same commands and checks as the pages.
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { route, type RouteDef } from '../http/route.js';
import { NoBody, Params, StringEnum } from '../http/schemas.js';
import { projectIdBySlug } from '../projects/projects.js';
import { errors } from '../errors/catalogue.js';
import { endpointEvents } from './emit.js';
import { createEndpoint, deleteEndpoint, deliveryForActor, endpointForActor, redeliver, updateEndpoint } from './endpoints.js';
import { WEBHOOK_EVENTS } from './events.js';
import { listEndpoints, recentDeliveries, type DeliveryView, type EndpointListItem } from './store.js';

const EndpointBody = Type.Object(
  {
    url: Type.String({ maxLength: 2000, description: 'http(s) URL on a public address' }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    events: Type.Array(StringEnum(WEBHOOK_EVENTS), { maxItems: WEBHOOK_EVENTS.length, description: 'events the endpoint receives' }),
    active: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
const CreateBody = Type.Object({ ...EndpointBody.properties, project: Type.Optional(Type.String({ maxLength: 63, description: 'a project slug: the endpoint gets that project’s public events only' })) }, { additionalProperties: false });
const EndpointParams = Params('endpointId');
const endpointLeak = { params: { endpointId: 'webhook_endpoint' } };

function presentEndpoint(ep: EndpointListItem) {
  return { id: ep.id, url: ep.url, description: ep.description, events: endpointEvents(ep), active: ep.active === 1, project: ep.project_slug, created_at: ep.created_at, updated_at: ep.updated_at };
}

function presentDelivery(d: DeliveryView) {
  return {
    id: d.id,
    event: d.event,
    subject: d.subject,
    occurred_at: d.occurred_at,
    status: d.status,
    attempts: d.attemptRows.map((a) => ({ at: a.at, outcome: a.outcome, status_code: a.status_code, error: a.error, duration_ms: a.duration_ms })),
  };
}

export function webhookApiRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  return [
    route({
      method: 'GET',
      url: '/api/v1/webhooks',
      audience: 'admin.read',
      handler: async () => ({ endpoints: (await listEndpoints(db)).map(presentEndpoint) }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/webhooks',
      audience: 'admin.write',
      schema: { body: CreateBody },
      handler: async (req, reply, scope) => {
        const b = req.body;
        let projectId: number | null = null;
        if (b.project !== undefined) {
          projectId = (await projectIdBySlug(db, b.project)) ?? null;
          if (projectId === null) throw errors.field('project', `No project ${b.project}.`);
        }
        const { endpoint, secret } = await createEndpoint(scope, projectId, { url: b.url, description: b.description, events: b.events, active: b.active ?? true });
        const created = await endpointForActor(scope, endpoint.id);
        return reply.code(201).send({ ...presentEndpoint(created), secret, note: 'Store this secret now; it is not shown again.' });
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/webhooks/:endpointId',
      audience: 'admin.read',
      schema: { params: EndpointParams },
      leak: endpointLeak,
      handler: async (req, _reply, scope) => {
        const endpoint = await endpointForActor(scope, Number(req.params.endpointId));
        return { ...presentEndpoint(endpoint), deliveries: (await recentDeliveries(db, endpoint.id)).map(presentDelivery) };
      },
    }),
    route({
      method: 'PUT',
      url: '/api/v1/webhooks/:endpointId',
      audience: 'admin.write',
      schema: { params: EndpointParams, body: EndpointBody },
      leak: endpointLeak,
      authorize: (req, scope) => endpointForActor(scope, Number(req.params.endpointId)),
      handler: async (req, _reply, scope) => {
        const id = Number(req.params.endpointId);
        const b = req.body;
        await updateEndpoint(scope, id, { url: b.url, description: b.description, events: b.events, active: b.active ?? true });
        return presentEndpoint(await endpointForActor(scope, id));
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/webhooks/:endpointId',
      audience: 'admin.write',
      schema: { params: EndpointParams, body: NoBody },
      leak: endpointLeak,
      authorize: (req, scope) => endpointForActor(scope, Number(req.params.endpointId)),
      handler: async (req, reply, scope) => {
        await deleteEndpoint(scope, Number(req.params.endpointId));
        return reply.code(204).send();
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/webhooks/deliveries/:deliveryId/redeliver',
      audience: 'admin.write',
      schema: { params: Params('deliveryId'), body: NoBody },
      leak: { params: { deliveryId: 'webhook_delivery' } },
      authorize: (req, scope) => deliveryForActor(scope, Number(req.params.deliveryId)),
      handler: async (req, reply, scope) => {
        await redeliver(scope, Number(req.params.deliveryId));
        return reply.code(202).send({ delivery: Number(req.params.deliveryId), status: 'pending' });
      },
    }),
  ];
}
