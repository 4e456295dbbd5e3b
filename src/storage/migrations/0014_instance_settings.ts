// A setup that finishes in the browser (issue 15). `instance_settings`: what an admin stores on
// /admin/settings (instance name, public URL, team and From address) and the first-run checklist's
// dismissal, one row per key; the environment still wins (src/instance/settings.ts).
// `invites.project_roles`: an invitation may also grant project roles (JSON [{project_id, role}]), so one
// person can be invited as VMT, a project's lead and its coresec at once.
import type { MigrationContext } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  await ctx.db.schema
    .createTable('instance_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer')
    .execute();
  await ctx.db.schema.alterTable('invites').addColumn('project_roles', 'text', (c) => c.notNull().defaultTo('[]')).execute();
}
