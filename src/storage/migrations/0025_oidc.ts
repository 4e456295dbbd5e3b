// OpenID Connect sign-in (issue 19): which provider identity (issuer's `sub`) belongs to which account,
// the flows in progress (state, nonce and PKCE verifier kept server-side, bound to the browser that
// started them, one use), the admin's claim → role rules, and which factor satisfied MFA in a session.
import { sqlIn, withId, type MigrationContext } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  const { db, dialect } = ctx;
  const s = db.schema;
  await withId(s.createTable('oidc_identities'), dialect)
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('oidc_identities_subject').unique().on('oidc_identities').columns(['provider', 'subject']).execute();
  await s.createIndex('oidc_identities_user').on('oidc_identities').column('user_id').execute();

  await withId(s.createTable('oidc_flows'), dialect)
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('state_hash', 'text', (c) => c.notNull().unique())
    .addColumn('browser_hash', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull().check(sqlIn('stage', ['authorizing', 'confirming'])))
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('next', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('claims_json', 'text')
    .addColumn('invite_id', 'integer', (c) => c.references('invites.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('oidc_flows_browser').on('oidc_flows').column('browser_hash').execute();

  await withId(s.createTable('oidc_role_rules'), dialect)
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('claim', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sqlIn('role', ['vmt', 'security_core'])))
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('oidc_role_rules_unique').unique().on('oidc_role_rules').columns(['provider', 'claim', 'value', 'role']).execute();

  // 'totp' (or a recovery code) or 'provider' (a trusted provider's amr/acr); null: not passed.
  await s.alterTable('sessions').addColumn('mfa_via', 'text').execute();
}
