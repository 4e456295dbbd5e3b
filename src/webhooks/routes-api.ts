// The webhooks JSON API (admin scope): list, register (the secret is in the 201 answer, once), read with
// recent deliveries, replace, delete, and send a delivery again. Same commands and checks as the pages.
import type { AppContext } from '../context.js';
import { route, type RouteDef } from '../http/route.js';
import { NoBody, Params } from '../http/schemas.js';
import { projectIdBySlug } from '../projects/projects.js';
import { errors } from '../errors/catalogue.js';
import { endpointEvents } from './emit.js';
import { createEndpoint, deleteEndpoint, deliveryForActor, endpointForActor, redeliver, rotateEndpointSecret, updateEndpoint } from './endpoints.js';
import { CreateBody, Deleted, EndpointBody, EndpointDetail, EndpointList, EndpointSaved, EndpointWithSecret, NewSecret, RedeliveryQueued, type DeliveryViewOut, type EndpointViewOut } from './api-schemas.js';
import { listEndpoints, recentDeliveries, type DeliveryView, type EndpointListItem } from './store.js';

const EndpointParams = Params('endpointId');
const endpointLeak = { params: { endpointId: 'webhook_endpoint' } };

function presentEndpoint(ep: EndpointListItem): EndpointViewOut {
  return { id: ep.id, url: ep.url, description: ep.description, events: endpointEvents(ep), active: ep.active === 1, project: ep.project_slug, created_at: ep.created_at, updated_at: ep.updated_at };
}

function presentDelivery(d: DeliveryView): DeliveryViewOut {
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
      schema: { summary: 'List webhook endpoints', description: 'Every endpoint, instance-wide and per project, with the events each takes. Secrets are never shown again.', answers: { 200: EndpointList } },
      handler: async () => ({ endpoints: (await listEndpoints(db)).map(presentEndpoint) }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/webhooks',
      audience: 'admin.write',
      schema: {
        summary: 'Register a webhook endpoint',
        description:
          'The URL is checked at once: it must resolve to public addresses only (SSRF; see README, Webhooks). The answer holds the endpoint’s secret, the HMAC-SHA256 key of its deliveries’ `X-Cordon-Signature-256`, this once. ' +
          'With `project`, the endpoint takes that project’s public events only.',
        body: CreateBody,
        answers: { 201: EndpointWithSecret },
      },
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
      schema: { summary: 'Read a webhook endpoint with its recent deliveries', description: 'The endpoint and its 50 newest deliveries, each with every attempt (status code or error, duration).', params: EndpointParams, answers: { 200: EndpointDetail } },
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
      schema: {
        summary: 'Replace a webhook endpoint',
        description: 'URL, description, events and whether it is active (`active: false` disables it: no new deliveries, queued ones are not sent). The URL is checked again. The secret stays.',
        params: EndpointParams,
        body: EndpointBody,
        answers: { 200: EndpointSaved },
      },
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
      method: 'POST',
      url: '/api/v1/webhooks/:endpointId/secret',
      audience: 'admin.write',
      schema: {
        summary: 'Give a webhook endpoint a new secret',
        description: 'The answer holds the new secret, this once; the old one stops signing at once (retries of earlier deliveries are signed with the new one).',
        params: EndpointParams,
        body: NoBody,
        answers: { 200: NewSecret },
      },
      leak: endpointLeak,
      authorize: (req, scope) => endpointForActor(scope, Number(req.params.endpointId)),
      handler: async (req, _reply, scope) => {
        const secret = await rotateEndpointSecret(scope, Number(req.params.endpointId));
        return { id: Number(req.params.endpointId), secret, note: 'Store this secret now; it is not shown again.' };
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/webhooks/:endpointId',
      audience: 'admin.write',
      schema: { summary: 'Delete a webhook endpoint', description: 'The endpoint and its deliveries are deleted; queued deliveries are not sent.', params: EndpointParams, body: NoBody, answers: { 204: Deleted } },
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
      schema: {
        summary: 'Send a webhook delivery again',
        description: 'The same event and delivery id, signed afresh, queued with retries. 409 `conflict` while the delivery is still being tried, or when its endpoint is disabled.',
        params: Params('deliveryId'),
        body: NoBody,
        answers: { 202: RedeliveryQueued },
      },
      leak: { params: { deliveryId: 'webhook_delivery' } },
      authorize: (req, scope) => deliveryForActor(scope, Number(req.params.deliveryId)),
      handler: async (req, reply, scope) => {
        await redeliver(scope, Number(req.params.deliveryId));
        return reply.code(202).send({ delivery: Number(req.params.deliveryId), status: 'pending' });
      },
    }),
  ];
}
