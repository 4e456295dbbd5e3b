// Markdown rendered once, when written (issue 17, migration 0022): the stored HTML is the rendering of
// its source, the pages show it, and a source changed by any path is rendered again, never shown stale.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeUser, signedInClient, type TestApp, type TestClient } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { createProject } from '../projects/projects.js';
import { renderMarkdown } from '../text/markdown.js';
import { addComment } from './collaboration.js';
import { fileReport, scopeOf } from './testing/queue-fixtures.js';

describe.each(testDialects())('Markdown stored as HTML on %s', (dialect) => {
  let t: TestApp;
  let vmt: TestClient;
  let ref: string;
  let id: number;
  const description = 'First **bold** line with <script>alert(1)</script> and [a link](https://example.org/x).\n\n- one\n- two';
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    const team = await makeUser(t, { username: 'vmt', roles: ['vmt'] });
    vmt = await signedInClient(t, team);
    const report = await fileReport(t, { title: 'Stored markdown', description, projects: ['nova'] });
    ref = report.ref;
    id = report.id;
    await addComment(await scopeOf(t, team), ref, { body: 'A _comment_ with `code`.', visibility: 'everyone' });
  });
  afterAll(async () => t.close());

  it('stores the rendering of the description, the steps and each comment when written, and the page shows it', async () => {
    const db = t.ctx.storage.db;
    const row = await db.selectFrom('reports').select(['description', 'description_html', 'reproduction', 'reproduction_html']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.description_html).toBe(renderMarkdown(row.description));
    expect(row.description_html).toContain('<strong>bold</strong>');
    expect(row.description_html).not.toContain('<script>');
    expect(row.reproduction_html).toBe(renderMarkdown(row.reproduction));
    const comment = await db.selectFrom('report_comments').select(['body', 'body_html']).where('report_id', '=', id).executeTakeFirstOrThrow();
    expect(comment.body_html).toBe(renderMarkdown(comment.body));
    const page = await vmt.get(`/reports/${ref}`);
    expect(page.body).toContain(row.description_html);
    expect(page.body).toContain(comment.body_html);
  });

  it('the page shows what is stored: the view does not render the source again', async () => {
    const db = t.ctx.storage.db;
    await db.updateTable('reports').set({ description_html: '<p>stored-marker-7q2</p>' }).where('id', '=', id).execute();
    expect((await vmt.get(`/reports/${ref}`)).body).toContain('<p>stored-marker-7q2</p>');
    await db.updateTable('reports').set({ description_html: renderMarkdown(description) }).where('id', '=', id).execute();
  });

  it('a source changed without its HTML (any code path) empties the stored HTML, and the page renders the new source', async () => {
    const db = t.ctx.storage.db;
    await db.updateTable('reports').set({ description: 'Changed to *new-source-9x1*.' }).where('id', '=', id).execute();
    const row = await db.selectFrom('reports').select(['description_html']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.description_html).toBeNull();
    expect((await vmt.get(`/reports/${ref}`)).body).toContain(renderMarkdown('Changed to *new-source-9x1*.'));
    await db.updateTable('report_comments').set({ body: 'Edited **comment-3k8**' }).where('report_id', '=', id).execute();
    expect((await db.selectFrom('report_comments').select('body_html').where('report_id', '=', id).executeTakeFirstOrThrow()).body_html).toBeNull();
    expect((await vmt.get(`/reports/${ref}`)).body).toContain(renderMarkdown('Edited **comment-3k8**'));
    // Written together, the new HTML is kept.
    await db.updateTable('reports').set({ description: 'Both *together*', description_html: renderMarkdown('Both *together*') }).where('id', '=', id).execute();
    expect((await db.selectFrom('reports').select('description_html').where('id', '=', id).executeTakeFirstOrThrow()).description_html).toBe(renderMarkdown('Both *together*'));
  });
});
