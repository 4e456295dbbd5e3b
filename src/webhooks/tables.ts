// Table shapes of the webhooks area (joined into the one Database type in src/storage/tables.ts; migration 0024).
import type { Generated, Selectable } from 'kysely';

type Timestamp = string;

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';
export type WebhookAttemptOutcome = 'delivered' | 'retry' | 'failed';

/** Where events are POSTed. project_id null: instance-wide (an admin's); set: that project's lead's, public events only. */
export interface WebhookEndpointsTable {
  id: Generated<number>;
  url: string;
  description: string;
  /** JSON list of WebhookEvent names the endpoint receives. */
  events_json: string;
  project_id: number | null;
  /** The HMAC key, sealed with the instance key (src/storage/sealing.ts). */
  secret_sealed: string;
  /** 1 active, 0 disabled (no new deliveries). */
  active: number;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One event for one endpoint; its body is built when it is sent (src/webhooks/payloads.ts). */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  endpoint_id: number;
  event: string;
  /** What the event is about: an advisory id, a note id or a report ref. */
  subject: string;
  occurred_at: Timestamp;
  status: WebhookDeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One POST of a delivery: its answer or error and how long it took. */
export interface WebhookAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  at: Timestamp;
  outcome: WebhookAttemptOutcome;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface WebhookTables {
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;
