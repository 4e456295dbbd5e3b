// Surviving faults (issue 21). `workers`: every running worker announces itself and beats a heartbeat,
// so the others see within seconds that one is gone and release its jobs instead of waiting out their
// leases. `mail_deliveries.sending_at`: set just before a mail is handed to the transport and cleared
// by the outcome, so a re-run after a crash knows the message may already have gone out.
import type { MigrationContext } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  await ctx.db.schema
    .createTable('workers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .execute();
  await ctx.db.schema.alterTable('mail_deliveries').addColumn('sending_at', 'text').execute();
}
