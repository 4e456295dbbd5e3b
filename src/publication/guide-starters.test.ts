// A new instance's guide pages say something useful, in the instance's own numbers; pages an admin
// wrote survive the migration that brought the starters.
import { afterEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { createTestApp, TestClient, type TestApp } from '../testing/harness.js';
import { createTestStorage, testDialects, type TestStorage } from '../testing/databases.js';
import { migrations } from '../storage/migrate.js';
import { fillGuideValues, guideValuesFor, STARTER_GUIDE_PAGES } from './guide-starters.js';
import { DEFAULT_GUIDE_PAGES } from '../storage/migrations/0005_advisories.js';
import { STARTER_PAGES } from '../storage/migrations/0019_guide_starters.js';
import { testConfig } from '../config/config.js';

describe('guide placeholders', () => {
  it('fill in known names and leave everything else as written', () => {
    const values = guideValuesFor(testConfig({ embargoMaxDays: 45, disclosureHourUtc: 9 }));
    expect(fillGuideValues('{{embargo_max_days}} days at {{ disclosure_hour_utc }}; {{unknown}} {not}', values)).toBe('45 days at 09:00 UTC; {{unknown}} {not}');
  });

  it('every placeholder a starter page uses is known', () => {
    const values = guideValuesFor(testConfig());
    for (const page of STARTER_GUIDE_PAGES) expect(fillGuideValues(page.body, values), page.slug).not.toMatch(/\{\{/);
  });

  it('migration 0019 seeds its own frozen copy, which today is still the starter text', () => {
    // Equal today; when the starter text changes, the migration keeps its copy and this expectation goes.
    expect(STARTER_PAGES).toEqual(STARTER_GUIDE_PAGES);
  });
});

describe.each(testDialects())('guide pages of a new instance on %s', (dialect) => {
  let t: TestApp | undefined;
  let storage: TestStorage | undefined;
  afterEach(async () => {
    await t?.close();
    await storage?.cleanup();
    t = undefined;
    storage = undefined;
  });

  it('lists the starter pages and no placeholder page, with this instance’s numbers', async () => {
    t = await createTestApp(dialect, { embargoMaxDays: 60, ackBusinessDays: 2, teamEmail: 'psirt@widget.example' });
    const client = new TestClient(t);
    const index = await client.get('/guide');
    expect(index.statusCode).toBe(200);
    for (const page of STARTER_GUIDE_PAGES) expect(index.body).toContain(`href="/guide/${page.slug}"`);
    expect(index.body).not.toContain('/guide/security-guide');
    expect(index.body.indexOf('/guide/how-to-report')).toBeLessThan(index.body.indexOf('/guide/embargo-policy'));

    const policy = await client.get('/guide/embargo-policy');
    expect(policy.body).toContain('<strong>60 days</strong>');
    expect(policy.body).not.toContain('{{');
    const howTo = await client.get('/guide/how-to-report');
    expect(howTo.body).toContain('psirt@widget.example');
    expect(howTo.body).toContain('within 2 business days');
    expect(howTo.body).not.toContain('An administrator can edit this page');
    expect((await client.get('/guide/security-guide')).statusCode).toBe(404);
  });

  it('the migration keeps pages an admin wrote and only removes untouched placeholders', async () => {
    storage = await createTestStorage(dialect, { migrate: false });
    const db = storage.storage.db as unknown as Kysely<unknown>;
    const starterIndex = migrations.findIndex((m) => m.version === '0019_guide_starters');
    for (const m of migrations.slice(0, starterIndex)) await m.up({ db, dialect });
    const guides = db as unknown as Kysely<{ guide_pages: { slug: string; body: string; position: number } }>;
    await guides.updateTable('guide_pages').set({ body: 'Our own guide.' }).where('slug', '=', 'security-guide').execute();
    expect(await guides.selectFrom('guide_pages').select('body').where('slug', '=', 'secure-development').executeTakeFirst()).toEqual({ body: DEFAULT_GUIDE_PAGES.find((p) => p.slug === 'secure-development')!.body });

    await migrations[starterIndex]!.up({ db, dialect });
    const after = await guides.selectFrom('guide_pages').select(['slug', 'body']).orderBy('position').execute();
    expect(after.map((p) => p.slug)).toEqual([...STARTER_GUIDE_PAGES.map((p) => p.slug), 'security-guide']);
    expect(after.at(-1)?.body).toBe('Our own guide.');
  });
});
