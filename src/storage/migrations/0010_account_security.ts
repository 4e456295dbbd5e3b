// Account security (issue 13): second-factor failures counted per account apart from password failures,
// the last accepted TOTP time step (a code is accepted once, RFC 6238 §5.2), and the shared `rate_limits`
// table that holds every login/second-factor/registration limit and delay, so all app nodes count together.
import { sql } from 'kysely';
import type { MigrationContext } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  const s = ctx.db.schema;
  await s.alterTable('users').addColumn('second_factor_failures', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await s.alterTable('users').addColumn('second_factor_locked_until', 'text').execute();
  await s.alterTable('users').addColumn('totp_last_step', 'integer').execute();
  // The old hard lock (five wrong passwords → 15 minutes) is gone; no account stays locked by it.
  await sql`update users set failed_logins = 0, locked_until = null`.execute(ctx.db);

  await s
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    // Fixed-window counters: the window's start. Back-off entries: the first failure of the current run.
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('blocked_until', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('rate_limits_expiry').on('rate_limits').column('expires_at').execute();
}
