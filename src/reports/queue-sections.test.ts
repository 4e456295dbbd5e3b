// The queue's sections stay small at size (issue 17): each lists at most SECTION_LIMIT reports, says how
// many there are in all (from the counters for the VMT) and links to the full list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../testing/databases.js';
import { createTestApp, makeUser, signedInClient, type TestApp, type TestClient } from '../testing/harness.js';
import { SECTION_LIMIT } from './queue-data.js';
import { fixtureReportRow } from './testing/report-rows.js';
import { PROJECT_MENU_MAX } from './queue-views.js';
import { createProject } from '../projects/projects.js';

const UNACKNOWLEDGED = SECTION_LIMIT + 7;

describe.each(testDialects())('queue sections on %s', (dialect) => {
  let t: TestApp;
  let vmt: TestClient;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    vmt = await signedInClient(t, await makeUser(t, { username: 'vmt', roles: ['vmt'] }));
    const rows = Array.from({ length: UNACKNOWLEDGED }, (_, i) => fixtureReportRow(i, { title: `Waiting report ${i}`, embargo_end_at: '2099-01-01T00:00:00.000Z' }));
    await t.ctx.storage.db.insertInto('reports').values(rows).execute();
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists at most SECTION_LIMIT reports, with the total and a link to all of them', async () => {
    const res = await vmt.get('/vmt');
    expect(res.statusCode).toBe(200);
    const start = res.body.indexOf('<h2 id="new">');
    const section = res.body.slice(start, res.body.indexOf('</section>', start));
    expect(section.match(/Waiting report \d+/g)).toHaveLength(SECTION_LIMIT);
    expect(section).toContain(`Showing the first ${SECTION_LIMIT} of ${UNACKNOWLEDGED}.`);
    expect(section).toContain('href="/reports?state=new"');
  });

  it('offers projects as a menu up to PROJECT_MENU_MAX, then as a slug typed in, which filters the same way', async () => {
    const few = await vmt.get('/vmt');
    expect(few.body).toContain('<select id="f-project" name="project"');
    for (let i = 0; i <= PROJECT_MENU_MAX; i++) await createProject(t.system, { slug: `p${i}`, name: `Project ${i}`, branches: ['master'] });
    const first = await t.ctx.storage.db.selectFrom('reports').select('id').orderBy('id').executeTakeFirstOrThrow();
    const project = await t.ctx.storage.db.selectFrom('projects').select('id').where('slug', '=', 'p7').executeTakeFirstOrThrow();
    await t.ctx.storage.db.insertInto('report_projects').values({ report_id: first.id, project_id: project.id }).execute();
    for (const url of ['/vmt', '/reports']) {
      const many = await vmt.get(`${url}?project=p7`);
      expect(many.statusCode, url).toBe(200);
      expect(many.body).not.toContain('<select id="f-project"');
      expect(many.body).toContain('<input id="f-project" name="project" type="text" value="p7"');
      expect(many.body).not.toContain('Project 42');
      expect(many.body.match(/Waiting report \d+/g), url).toEqual(['Waiting report 0']);
    }
  });
});
