// The webhooks area's queries (it owns webhook_endpoints, webhook_deliveries and webhook_attempts).
import type { Db } from '../storage/database.js';
import type { WebhookAttemptOutcome, WebhookAttemptRow, WebhookDeliveryRow, WebhookDeliveryStatus, WebhookEndpointRow } from './tables.js';

export interface EndpointListItem extends WebhookEndpointRow {
  project_slug: string | null;
}

export async function loadEndpoint(db: Db, id: number): Promise<EndpointListItem | undefined> {
  return db
    .selectFrom('webhook_endpoints')
    .leftJoin('projects', 'projects.id', 'webhook_endpoints.project_id')
    .selectAll('webhook_endpoints')
    .select('projects.slug as project_slug')
    .where('webhook_endpoints.id', '=', id)
    .executeTakeFirst();
}

/** Every endpoint (admins), or one project's (its lead). */
export async function listEndpoints(db: Db, filter: { projectId?: number } = {}): Promise<EndpointListItem[]> {
  let q = db
    .selectFrom('webhook_endpoints')
    .leftJoin('projects', 'projects.id', 'webhook_endpoints.project_id')
    .selectAll('webhook_endpoints')
    .select('projects.slug as project_slug');
  if (filter.projectId !== undefined) q = q.where('webhook_endpoints.project_id', '=', filter.projectId);
  return q.orderBy('webhook_endpoints.id').execute();
}

/** The active endpoints; the caller matches events and projects (a handful of rows). */
export async function activeEndpoints(db: Db): Promise<WebhookEndpointRow[]> {
  return db.selectFrom('webhook_endpoints').selectAll().where('active', '=', 1).execute();
}

export interface EndpointValues {
  url: string;
  description: string;
  events: readonly string[];
  active: boolean;
}

export async function insertEndpoint(trx: Db, values: EndpointValues & { projectId: number | null; secretSealed: string; createdBy: number | null; at: string }): Promise<WebhookEndpointRow> {
  return trx
    .insertInto('webhook_endpoints')
    .values({
      url: values.url,
      description: values.description,
      events_json: JSON.stringify(values.events),
      project_id: values.projectId,
      secret_sealed: values.secretSealed,
      active: values.active ? 1 : 0,
      created_by: values.createdBy,
      created_at: values.at,
      updated_at: values.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateEndpoint(trx: Db, id: number, values: EndpointValues, at: string): Promise<void> {
  await trx
    .updateTable('webhook_endpoints')
    .set({ url: values.url, description: values.description, events_json: JSON.stringify(values.events), active: values.active ? 1 : 0, updated_at: at })
    .where('id', '=', id)
    .execute();
}

export async function deleteEndpoint(trx: Db, id: number): Promise<void> {
  await trx.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
}

export async function insertDeliveries(
  trx: Db,
  rows: readonly { endpointId: number; event: string; subject: string }[],
  at: string,
): Promise<number[]> {
  if (!rows.length) return [];
  const inserted = await trx
    .insertInto('webhook_deliveries')
    .values(rows.map((r) => ({ endpoint_id: r.endpointId, event: r.event, subject: r.subject, occurred_at: at, status: 'pending' as const, attempts: 0, created_at: at, updated_at: at })))
    .returning('id')
    .execute();
  return inserted.map((r) => r.id);
}

export async function loadDelivery(db: Db, id: number): Promise<WebhookDeliveryRow | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface DeliveryView extends WebhookDeliveryRow {
  attemptRows: WebhookAttemptRow[];
}

/** An endpoint's newest deliveries with their attempts, newest first. */
export async function recentDeliveries(db: Db, endpointId: number, limit = 50): Promise<DeliveryView[]> {
  const deliveries = await db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).orderBy('id', 'desc').limit(limit).execute();
  if (!deliveries.length) return [];
  const attempts = await db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where(
      'delivery_id',
      'in',
      deliveries.map((d) => d.id),
    )
    .orderBy('id')
    .execute();
  return deliveries.map((d) => ({ ...d, attemptRows: attempts.filter((a) => a.delivery_id === d.id) }));
}

/** One attempt and the delivery's state after it, in the caller's transaction (or on its own). */
export async function recordAttempt(
  db: Db,
  deliveryId: number,
  attempt: { at: string; outcome: WebhookAttemptOutcome; statusCode: number | null; error: string | null; durationMs: number },
  status: WebhookDeliveryStatus,
): Promise<void> {
  await db
    .insertInto('webhook_attempts')
    .values({ delivery_id: deliveryId, at: attempt.at, outcome: attempt.outcome, status_code: attempt.statusCode, error: attempt.error, duration_ms: attempt.durationMs })
    .execute();
  const prior = await db.selectFrom('webhook_deliveries').select('attempts').where('id', '=', deliveryId).executeTakeFirst();
  await db
    .updateTable('webhook_deliveries')
    .set({ status, attempts: (prior?.attempts ?? 0) + 1, last_status_code: attempt.statusCode, last_error: attempt.error, updated_at: attempt.at })
    .where('id', '=', deliveryId)
    .execute();
}

/** Send a finished delivery again: back to pending, unless it is pending already (its job is queued). */
export async function reopenDelivery(trx: Db, id: number, at: string): Promise<boolean> {
  const r = await trx.updateTable('webhook_deliveries').set({ status: 'pending', updated_at: at }).where('id', '=', id).where('status', '!=', 'pending').executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Deliveries of a disabled or deleted endpoint that never went out are settled as failed. */
export async function settleDelivery(db: Db, id: number, status: WebhookDeliveryStatus, error: string, at: string): Promise<void> {
  await db.updateTable('webhook_deliveries').set({ status, last_error: error, updated_at: at }).where('id', '=', id).execute();
}

/** Every endpoint's sealed secret (for `cordon secrets rotate`). */
export async function endpointSecrets(db: Db): Promise<{ id: number; secret_sealed: string }[]> {
  return db.selectFrom('webhook_endpoints').select(['id', 'secret_sealed']).execute();
}

export async function setEndpointSecret(trx: Db, id: number, secretSealed: string): Promise<void> {
  await trx.updateTable('webhook_endpoints').set({ secret_sealed: secretSealed }).where('id', '=', id).execute();
}

export async function touchEndpoint(trx: Db, id: number, at: string): Promise<void> {
  await trx.updateTable('webhook_endpoints').set({ updated_at: at }).where('id', '=', id).execute();
}
