// Markdown rendered once, when written (issue 17): the sanitised HTML of a report's description and
// reproduction steps and of each comment is stored next to its source, so a page view no longer runs
// markdown-it and sanitize-html over every text it shows.
//
// The rule that keeps the two in step: a stored HTML is always the rendering of the current source, or
// NULL. Write paths store it along with the source (src/text/markdown.ts: renderMarkdown); a trigger
// empties it when the source changes without it, whatever code path writes; a NULL is rendered when
// shown (storedMarkdown). Existing rows are rendered here, in batches.
import { sql, type Kysely } from 'kysely';
import { renderMarkdown } from '../../text/markdown.js';
import type { MigrationContext } from './helpers.js';

const BATCH = 500;

interface Tables {
  reports: { id: number; description: string; reproduction: string; description_html: string | null; reproduction_html: string | null };
  report_comments: { id: number; body: string; body_html: string | null };
}

// [table, [source, html] pairs]
const RENDERED: readonly [string, readonly [string, string][]][] = [
  ['reports', [['description', 'description_html'], ['reproduction', 'reproduction_html']]],
  ['report_comments', [['body', 'body_html']]],
];

export async function up(ctx: MigrationContext): Promise<void> {
  const { dialect } = ctx;
  const db = ctx.db as unknown as Kysely<Tables>;
  for (const [table, pairs] of RENDERED) {
    for (const [, html] of pairs) await db.schema.alterTable(table).addColumn(html, 'text').execute();
    for (const [source, html] of pairs) {
      const name = `${table}_${html}_stale`;
      if (dialect === 'postgres') {
        await sql
          .raw(
            `create function ${name}() returns trigger language plpgsql as $$
             begin
               if new.${source} is distinct from old.${source} and new.${html} is not distinct from old.${html} then new.${html} := null; end if;
               return new;
             end $$`,
          )
          .execute(db);
        await sql.raw(`create trigger ${name} before update of ${source} on ${table} for each row execute function ${name}()`).execute(db);
      } else {
        await sql
          .raw(
            `create trigger ${name} after update of ${source} on ${table}
             when new.${source} is not old.${source} and new.${html} is old.${html}
             begin update ${table} set ${html} = null where id = new.id; end`,
          )
          .execute(db);
      }
    }
  }
  // The rows already there, rendered once now.
  for (let after = 0; ; ) {
    const rows = await db.selectFrom('reports').select(['id', 'description', 'reproduction']).where('id', '>', after).orderBy('id').limit(BATCH).execute();
    if (!rows.length) break;
    for (const r of rows) await db.updateTable('reports').set({ description_html: renderMarkdown(r.description), reproduction_html: renderMarkdown(r.reproduction) }).where('id', '=', r.id).execute();
    after = rows.at(-1)!.id;
  }
  for (let after = 0; ; ) {
    const rows = await db.selectFrom('report_comments').select(['id', 'body']).where('id', '>', after).orderBy('id').limit(BATCH).execute();
    if (!rows.length) break;
    for (const r of rows) await db.updateTable('report_comments').set({ body_html: renderMarkdown(r.body) }).where('id', '=', r.id).execute();
    after = rows.at(-1)!.id;
  }
}
