// The benchmark's seeding functions on a tiny scale: the rows land in the real tables with the shapes the
// app reads (a seeded private report is readable by its subscriber through the app's own policy code).
// Nothing here is timed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReportBy } from '../reports/store.js';
import { reportAccess } from '../access/report-policy.js';
import { buildUserActor } from '../access/load-actor.js';
import { testConfig } from '../config/config.js';
import { createTestStorage, testDialects, type TestStorage } from '../testing/databases.js';
import { seedInstance, type SeedResult } from './seed.js';
import { renumberedId, withId } from './seed-publication.js';

const scale = { projects: 25, users: 200, reports: 300, advisories: 40, notes: 12 };

describe.each(testDialects())('benchmark seeding on %s', (dialect) => {
  let t: TestStorage;
  let seeded: SeedResult;
  beforeAll(async () => {
    t = await createTestStorage(dialect);
    seeded = await seedInstance(t.storage, scale, { now: new Date('2026-03-01T12:00:00Z') });
  });
  afterAll(async () => t.cleanup());

  it('creates the requested numbers of projects, users and reports', () => {
    expect(seeded.counts.projects).toBe(25);
    expect(seeded.counts.users).toBe(200);
    expect(seeded.counts.reports).toBe(300);
    expect(seeded.counts.project_members).toBeGreaterThanOrEqual(25 * 6);
  });

  it('gives reports their projects, timeline, comments and ladder', () => {
    expect(seeded.counts.report_projects).toBeGreaterThanOrEqual(300);
    expect(seeded.counts.report_events).toBeGreaterThanOrEqual(300);
    expect(seeded.counts.report_comments).toBeGreaterThan(0);
    expect(seeded.counts.report_subscriptions).toBeGreaterThan(0);
    expect(seeded.reports.rows.reports).toBe(300);
    expect(seeded.reports.rows.report_events).toBe(seeded.counts.report_events);
  });

  it('keeps recent reports private with their deadline jobs, older ones public', async () => {
    const db = t.storage.db;
    const byVisibility = await db.selectFrom('reports').select(['visibility', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('visibility').execute();
    const count = (v: string) => Number(byVisibility.find((x) => x.visibility === v)?.n ?? 0);
    expect(count('public')).toBeGreaterThan(count('private'));
    const openJobs = await db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'embargo.open').executeTakeFirstOrThrow();
    expect(Number(openJobs.n)).toBe(count('private'));
  });

  it('seeds a subscriber whose private reports the policy lets them read', async () => {
    // The seed is fixed (seedInstance's default), so the sample always holds such reports.
    expect(seeded.reports.subscriberPrivateRefs.length).toBeGreaterThan(0);
    const ref = seeded.reports.subscriberPrivateRefs[0]!;
    const report = await loadReportBy(t.storage.db, { ref });
    expect(report?.row.visibility).toBe('private');
    const user = await t.storage.db.selectFrom('users').selectAll().where('id', '=', seeded.people.subscriberId).executeTakeFirstOrThrow();
    const actor = await buildUserActor(t.storage.db, testConfig(), user, { kind: 'session', mfaPassed: false });
    expect(reportAccess(actor, report!.facts)).toBe('subscriber');
  });

  it('seeds advisories and notes from the repository corpus (test-fixtures)', () => {
    expect(seeded.skipped).toEqual({});
    expect(seeded.counts.advisories).toBe(40);
    expect(seeded.counts.advisory_revisions).toBe(40);
    expect(new Set(seeded.advisories?.refs).size).toBe(40);
    expect(seeded.counts.notes).toBe(12);
  });
});

describe('corpus renumbering', () => {
  it('gives each round its own advisory ids and rewrites the YAML id line', () => {
    expect(renumberedId('OSSA-2014-007', 0)).toBe('OSSA-2014-1007');
    expect(renumberedId('OSSA-2014-007', 3)).toBe('OSSA-2014-4007');
    expect(renumberedId('not an id', 0)).toBeNull();
    expect(withId('date: 2014-01-01\n\nid: OSSA-2014-007\n\ntitle: x\n', 'OSSA-2014-1007')).toBe('date: 2014-01-01\n\nid: OSSA-2014-1007\n\ntitle: x\n');
  });
});
