// Keys and mail: the team's OpenPGP keys (current + retired), users' public keys, the raw store of
// incoming mail (written before any parsing), outgoing deliveries per recipient, and reply tokens.
import { sql } from 'kysely';
import { withId, sqlIn, type MigrationContext } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  const { db, dialect } = ctx;
  const s = db.schema;
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';

  await withId(s.createTable('team_keys'), dialect)
    .addColumn('fingerprint', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull().check(sqlIn('status', ['current', 'retired'])))
    .addColumn('source', 'text', (c) => c.notNull().check(sqlIn('source', ['generated', 'imported'])))
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('secret_key', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('user_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('key_created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .execute();
  // At most one current key, enforced by the database (partial unique index: SQLite and PostgreSQL).
  await sql`create unique index team_keys_one_current on team_keys (status) where status = 'current'`.execute(db);

  await s
    .createTable('user_pgp_keys')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await withId(s.createTable('inbound_messages'), dialect)
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull().check(sqlIn('via', ['smtp', 'pipe'])))
    .addColumn('raw', blob, (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('envelope_from', 'text')
    .addColumn('envelope_to', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('status', 'text', (c) => c.notNull().check(sqlIn('status', ['received', 'processed', 'quarantined'])))
    .addColumn('reason_code', 'text')
    .addColumn('reason', 'text')
    .addColumn('outcome', 'text', (c) => c.check(sqlIn('outcome', ['report', 'comment', 'duplicate'])))
    .addColumn('report_id', 'integer', (c) => c.references('reports.id').onDelete('set null'))
    .addColumn('comment_id', 'integer')
    .addColumn('encryption', 'text')
    .addColumn('signature_status', 'text')
    .addColumn('signer_fingerprint', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('processed_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('inbound_messages_status').on('inbound_messages').columns(['status', 'received_at']).execute();
  await s.createIndex('inbound_messages_sha256').on('inbound_messages').column('sha256').execute();

  await withId(s.createTable('mail_deliveries'), dialect)
    .addColumn('job_id', 'integer', (c) => c.notNull().unique())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sqlIn('status', ['queued', 'sent', 'bounced'])))
    .addColumn('protection', 'text', (c) => c.check(sqlIn('protection', ['encrypted', 'signed', 'plain'])))
    .addColumn('private_withheld', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await s.createIndex('mail_deliveries_recipient').on('mail_deliveries').columns(['recipient', 'created_at']).execute();

  await s
    .createTable('report_reply_tokens')
    .addColumn('report_id', 'integer', (c) => c.primaryKey().references('reports.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
