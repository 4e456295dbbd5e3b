// Tables of the HTTP layer's request replay (migration 0017): post/redirect/get and idempotency keys.
/** ISO 8601 UTC text, as in every table (storage/tables.ts). */
type Timestamp = string;

/** Something a creating form shows once, waiting for the GET after the redirect (shown-once.ts). */
export interface ShownOnceTable {
  id_hash: string;
  purpose: string;
  sealed: string;
  expires_at: Timestamp;
}

/** The answer to an API request sent with an Idempotency-Key (idempotency.ts). */
export interface IdempotencyKeysTable {
  id_hash: string;
  fingerprint: string;
  status: number | null;
  content_type: string | null;
  sealed_body: string | null;
  started_at: Timestamp;
  expires_at: Timestamp;
}
