// Registering webhook endpoints and sending a delivery again. Admins register instance-wide endpoints
// (every event, private report events as ref and link only); a project's lead registers endpoints for
// that project's public events only. Each command checks who acts, validates everything before its
// change, and writes its audit event in the change's transaction. The secret is never audited.
import type { Actor } from '../access/actor.js';
import { can, canManageProjectWebhooks } from '../access/policy.js';
import { change, type Scope } from '../context.js';
import { errors, IssueCollector } from '../errors/catalogue.js';
import type { Db, Storage } from '../storage/database.js';
import { checkWebhookUrl } from './address-rules.js';
import { DELIVER_JOB, DELIVERY_ATTEMPTS, endpointEvents } from './emit.js';
import { isPublicEvent, isWebhookEvent, type WebhookEvent } from './events.js';
import { newWebhookSecret } from './signature.js';
import { deleteEndpoint as deleteEndpointRow, endpointSecrets, insertEndpoint, setEndpointSecret, loadDelivery, loadEndpoint, reopenDelivery, touchEndpoint, updateEndpoint as updateEndpointRow, type EndpointListItem } from './store.js';
import type { WebhookDeliveryRow, WebhookEndpointRow } from './tables.js';

const SECRET_PURPOSE = 'webhook_endpoints.secret';

/** `cordon secrets rotate`: every endpoint secret not sealed under the current key is sealed again (storage/resealers.ts). */
export async function resealEndpointSecrets(storage: Storage, trx: Db): Promise<number> {
  const current = `sealed:v1:${storage.secrets.currentKeyId}:`;
  let n = 0;
  for (const row of await endpointSecrets(trx)) {
    if (row.secret_sealed.startsWith(current)) continue;
    await setEndpointSecret(trx, row.id, storage.secrets.seal(SECRET_PURPOSE, storage.secrets.open(SECRET_PURPOSE, row.secret_sealed)));
    n += 1;
  }
  return n;
}

export function openEndpointSecret(storage: Storage, endpoint: Pick<WebhookEndpointRow, 'secret_sealed'>): string {
  return storage.secrets.open(SECRET_PURPOSE, endpoint.secret_sealed);
}

/** Instance-wide endpoints: admins (an API token needs the admin scope, like every admin action). */
export function managesInstanceHooks(actor: Actor): boolean {
  return can(actor, 'admin.write');
}


function mayManage(actor: Actor, endpoint: Pick<WebhookEndpointRow, 'project_id'>): boolean {
  return endpoint.project_id === null ? managesInstanceHooks(actor) : canManageProjectWebhooks(actor, endpoint.project_id);
}

/** The endpoint if this actor manages it; 404 otherwise (never 403: DESIGN.md §5). */
export async function endpointForActor(scope: Scope, id: number): Promise<EndpointListItem> {
  const endpoint = Number.isSafeInteger(id) && id > 0 ? await loadEndpoint(scope.app.storage.db, id) : undefined;
  if (!endpoint || !mayManage(scope.actor, endpoint)) throw errors.notFound('webhook endpoint');
  return endpoint;
}

/** The delivery and its endpoint if this actor manages the endpoint; 404 otherwise. */
export async function deliveryForActor(scope: Scope, id: number): Promise<{ delivery: WebhookDeliveryRow; endpoint: EndpointListItem }> {
  const delivery = Number.isSafeInteger(id) && id > 0 ? await loadDelivery(scope.app.storage.db, id) : undefined;
  if (!delivery) throw errors.notFound('webhook delivery');
  const endpoint = await loadEndpoint(scope.app.storage.db, delivery.endpoint_id);
  if (!endpoint || !mayManage(scope.actor, endpoint)) throw errors.notFound('webhook delivery');
  return { delivery, endpoint };
}

export interface EndpointInput {
  url: string;
  description?: string | undefined;
  events: readonly string[];
  active: boolean;
}

async function validated(scope: Scope, input: EndpointInput, projectId: number | null): Promise<{ url: string; description: string; events: WebhookEvent[]; active: boolean }> {
  const problems = new IssueCollector();
  const description = (input.description ?? '').trim();
  if (description.length > 500) problems.add('description', 'Use at most 500 characters.');
  const events = [...new Set(input.events)];
  const unknown = events.filter((e) => !isWebhookEvent(e));
  if (unknown.length) problems.add('events', `Unknown event: ${unknown.join(', ')}.`);
  else if (!events.length) problems.add('events', 'Choose at least one event.');
  else if (projectId !== null && events.some((e) => !isPublicEvent(e))) problems.add('events', 'A project’s endpoints receive public events only (advisories, notes, reports made public).');
  let url = input.url.trim();
  if (!url) problems.add('url', 'Give the URL that receives the events.');
  else if (url.length > 2000) problems.add('url', 'Use at most 2000 characters.');
  problems.throwIfAny();
  url = (await checkWebhookUrl(url, scope.app.config.webhookAllowPrivateNetworks)).toString();
  return { url, description, events: events as WebhookEvent[], active: input.active };
}

function shown(row: Pick<WebhookEndpointRow, 'url' | 'description' | 'events_json' | 'active' | 'project_id'>) {
  return { url: row.url, description: row.description, events: endpointEvents(row), active: row.active === 1, project_id: row.project_id };
}

/** Register an endpoint; its secret is returned once, here, and stored sealed. */
export async function createEndpoint(scope: Scope, projectId: number | null, input: EndpointInput): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
  if (projectId === null ? !managesInstanceHooks(scope.actor) : !canManageProjectWebhooks(scope.actor, projectId)) throw errors.notFound(projectId === null ? 'page' : 'project');
  const values = await validated(scope, input, projectId);
  const secret = newWebhookSecret();
  const endpoint = await change(scope, async ({ trx, now, audit }) => {
    const row = await insertEndpoint(trx, { ...values, projectId, secretSealed: scope.app.storage.secrets.seal(SECRET_PURPOSE, secret), createdBy: scope.actor.kind === 'user' ? scope.actor.userId : null, at: now.toISOString() });
    await audit('webhook.endpoint_created', 'webhook_endpoint', row.id, undefined, shown(row));
    return row;
  });
  return { endpoint, secret };
}

/** Saving an endpoint that turns it off or on says so in the audit log's action, not only in its details. */
function updateAction(wasActive: boolean, active: boolean): string {
  if (wasActive === active) return 'webhook.endpoint_updated';
  return active ? 'webhook.endpoint_enabled' : 'webhook.endpoint_disabled';
}

export async function updateEndpoint(scope: Scope, id: number, input: EndpointInput): Promise<void> {
  const endpoint = await endpointForActor(scope, id);
  const values = await validated(scope, input, endpoint.project_id);
  await change(scope, async ({ trx, now, audit }) => {
    await updateEndpointRow(trx, id, values, now.toISOString());
    await audit(updateAction(endpoint.active === 1, values.active), 'webhook_endpoint', id, shown(endpoint), { ...values, project_id: endpoint.project_id });
  });
}

/**
 * A new secret for an endpoint (the old one leaked, or the receiver changed hands), returned once. The old
 * one stops signing at once: every attempt from now on, retries of earlier deliveries too, is signed anew.
 */
export async function rotateEndpointSecret(scope: Scope, id: number): Promise<string> {
  const endpoint = await endpointForActor(scope, id);
  const secret = newWebhookSecret();
  await change(scope, async ({ trx, now, audit }) => {
    await setEndpointSecret(trx, id, scope.app.storage.secrets.seal(SECRET_PURPOSE, secret));
    await touchEndpoint(trx, id, now.toISOString());
    await audit('webhook.secret_rotated', 'webhook_endpoint', id, undefined, { url: endpoint.url, project_id: endpoint.project_id });
  });
  return secret;
}

export async function deleteEndpoint(scope: Scope, id: number): Promise<void> {
  const endpoint = await endpointForActor(scope, id);
  await change(scope, async ({ trx, audit }) => {
    await deleteEndpointRow(trx, id);
    await audit('webhook.endpoint_deleted', 'webhook_endpoint', id, shown(endpoint));
  });
}

/** Send a finished delivery again (the same event, signed afresh); refused while it is still being tried. */
export async function redeliver(scope: Scope, deliveryId: number): Promise<void> {
  const { delivery, endpoint } = await deliveryForActor(scope, deliveryId);
  if (!endpoint.active) throw errors.conflict('The endpoint is disabled; enable it before sending a delivery again.');
  await change(scope, async ({ trx, now, audit, enqueue }) => {
    if (!(await reopenDelivery(trx, delivery.id, now.toISOString()))) throw errors.conflict('This delivery is still being tried; wait for its outcome.');
    await enqueue(DELIVER_JOB, { delivery_id: delivery.id }, { maxAttempts: DELIVERY_ATTEMPTS });
    await audit('webhook.redelivery_requested', 'webhook_delivery', delivery.id, { status: delivery.status }, { status: 'pending', endpoint_id: endpoint.id, event: delivery.event });
  });
}
