// Post/redirect/get and idempotency keys (issue 15, item 4).
// `shown_once`: what a creating form shows only once (a reporter's private link, a new API token,
// recovery codes), kept for the one GET after the redirect. It is sealed with a key that only the
// browser's cookie holds; the row is found by that key's hash and deleted when shown.
// `idempotency_keys`: the answer to a creating API request sent with an Idempotency-Key header
// (draft-ietf-httpapi-idempotency-key-header), kept 24 h. The primary key is the hash of caller and key,
// so two concurrent requests with one key cannot both start: the second insert conflicts.
import type { MigrationContext } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  await ctx.db.schema
    .createTable('shown_once')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await ctx.db.schema.createIndex('shown_once_expires').on('shown_once').column('expires_at').execute();
  await ctx.db.schema
    .createTable('idempotency_keys')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    // sha256 of method, path and body: the same key with another request is refused (draft §2.6).
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    // Null while the first request is being answered.
    .addColumn('status', 'integer')
    .addColumn('content_type', 'text')
    // The answer's body, sealed with a key derived from the Idempotency-Key itself (not stored).
    .addColumn('sealed_body', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await ctx.db.schema.createIndex('idempotency_keys_expires').on('idempotency_keys').column('expires_at').execute();
}
