// Search at size (issue 17): the count stops at SEARCH_COUNT_CAP ("1,000+" on the page, `total_capped` in
// the JSON), the VMT's words-only search pages inside the full-text query, and both give the same rows as
// the general query on both databases. A capped count never counts a report the viewer may not read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../testing/databases.js';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp } from '../testing/harness.js';
import type { ReportState } from '../storage/tables.js';
import { fixtureReportRow } from './testing/report-rows.js';
import { actorOf } from './testing/queue-fixtures.js';
import { listReports, SEARCH_COUNT_CAP } from './store.js';

const ALL_STATES: ReportState[] = ['new', 'incomplete', 'confirmed', 'triaged', 'in_progress', 'fix_committed', 'public', 'fix_released', 'invalid', 'wont_fix'];
const PRIVATE_MATCHES = SEARCH_COUNT_CAP + 20;
const PUBLIC_MATCHES = 7;

describe.each(testDialects())('capped search on %s', (dialect) => {
  let t: TestApp;
  let vmt: TestClient;
  let vmtActor: Awaited<ReturnType<typeof actorOf>>;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const user = await makeUser(t, { username: 'vmt', roles: ['vmt'] });
    vmt = await signedInClient(t, user);
    vmtActor = await actorOf(t, user);
    // Fixture rows (no commands): many private matches, a few public ones, and some that do not match.
    const rows = [
      ...Array.from({ length: PRIVATE_MATCHES }, (_, i) => fixtureReportRow(i, { title: `Scheduler race number ${i}`, state: ALL_STATES[i % ALL_STATES.length]! })),
      ...Array.from({ length: PUBLIC_MATCHES }, (_, i) => fixtureReportRow(PRIVATE_MATCHES + i, { title: `Opened scheduler race ${i}`, visibility: 'public', state: 'fix_released' })),
      ...Array.from({ length: 30 }, (_, i) => fixtureReportRow(PRIVATE_MATCHES + PUBLIC_MATCHES + i, { title: `Unrelated token leak ${i}` })),
    ];
    for (let i = 0; i < rows.length; i += 100) await t.ctx.storage.db.insertInto('reports').values(rows.slice(i, i + 100)).execute();
  });
  afterAll(async () => {
    await t.close();
  });

  it('the JSON counts at most the cap and says so; the page shows "1,000+"', async () => {
    const res = await vmt.get('/api/v1/reports?q=scheduler', 'application/json');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ items: { title: string }[]; total: number; total_capped: boolean }>();
    expect(body.total).toBe(SEARCH_COUNT_CAP);
    expect(body.total_capped).toBe(true);
    expect(body.items).toHaveLength(50);
    // Newest filed first.
    expect(body.items[0]!.title).toBe(`Opened scheduler race ${PUBLIC_MATCHES - 1}`);

    const page = await vmt.get('/reports?q=scheduler');
    expect(page.body).toContain('1,000+ reports');
    expect(page.body).toContain('Showing 1–50 of 1,000+');
    expect(page.body).toContain('rel="next"');

    const few = await vmt.get('/api/v1/reports?q=unrelated', 'application/json');
    expect(few.json<{ total: number; total_capped: boolean }>()).toMatchObject({ total: 30, total_capped: false });
  });

  it('the words-only fast path gives the same pages as the general query (past the cap too)', async () => {
    const { db } = t.ctx.storage;
    for (const offset of [0, 50, 950, 1000, 1020]) {
      const fast = await listReports(db, dialect, vmtActor, { text: 'scheduler race', limit: 50, offset });
      // Every state spelled out: the same rows, but the query must take the general path.
      const general = await listReports(db, dialect, vmtActor, { text: 'scheduler race', state: ALL_STATES, limit: 50, offset });
      expect(fast.items.map((i) => i.ref), `offset ${offset}`).toEqual(general.items.map((i) => i.ref));
      expect({ total: fast.total, capped: fast.capped }).toEqual({ total: general.total, capped: general.capped });
    }
    const last = await listReports(db, dialect, vmtActor, { text: 'scheduler', limit: 50, offset: 1000 });
    expect(last.items).toHaveLength(PRIVATE_MATCHES + PUBLIC_MATCHES - 1000);
  });

  it('anyone else counts only what they may read: no "1,000+" from reports they cannot see', async () => {
    const anonymous = new TestClient(t);
    const res = await anonymous.get('/api/v1/reports?q=scheduler', 'application/json');
    expect(res.json<{ total: number; total_capped: boolean }>()).toMatchObject({ total: PUBLIC_MATCHES, total_capped: false });
    const page = await anonymous.get('/reports?q=scheduler');
    expect(page.body).not.toContain('1,000+');
    expect(page.body).toContain(`${PUBLIC_MATCHES} reports`);
    const other = await signedInClient(t, await makeUser(t, { username: 'other', totp: false }));
    expect((await other.get('/api/v1/reports?q=scheduler', 'application/json')).json<{ total: number }>().total).toBe(PUBLIC_MATCHES);
  });
});
