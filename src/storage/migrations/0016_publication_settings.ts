// Publication settings (issue 15 item 3): what the instance and each project publish under (vendor,
// feed author and rights, CNA, OSV id prefix; products, ecosystem, packages, CVE version type). Empty
// text means "not entered": the builders leave such fields out instead of falling back to OpenStack's.
import { sqlIn, type MigrationContext } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  const s = ctx.db.schema;
  // One row (id 1), written on the first save; no row means nothing was entered.
  await s
    .createTable('publication_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('vendor_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('publisher_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('feed_rights', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('cna_choice', 'text', (c) => c.notNull().defaultTo('unset').check(sqlIn('cna_choice', ['unset', 'none', 'set'])))
    .addColumn('cna_org_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('cna_short_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('osv_id_prefix', 'text', (c) => c.notNull().defaultTo('x_'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createTable('project_publication_settings')
    .addColumn('project_id', 'integer', (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
    // JSON: [{ "name": "Widget", "package": "widget-core" }], the products advisories name.
    .addColumn('products_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('ecosystem', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('purl_type', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('cve_version_type', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('vendor_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
