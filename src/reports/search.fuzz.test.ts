// Fuzz target (issue 13): the report search text, through HTTP on both databases (PostgreSQL
// tsquery, SQLite FTS5). Invariants: any query string, including bad percent-encoding, lone
// surrogates, query syntax of either engine and over-long text, answers 200 or a catalogued 400,
// never a 5xx (an SQL error would be one); an anonymous search never shows the private report.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../testing/databases.js';
import { hostileFragments, mutatedText, replayRegressions, runFuzz, type FuzzTarget } from '../testing/fuzz.js';
import { createTestApp, makeUser, TestClient, type TestApp } from '../testing/harness.js';
import { setUpIntake } from './testing/intake.js';
import { receiveReport } from './intake.js';
import { listReports } from './store.js';

const ENGINE_SYNTAX = ['"', "'", '*', ':*', '&', '|', '!', '<->', '<2>', '(', ')', 'NEAR(', 'AND', 'OR', 'NOT', '-', '^', '+', '{', '}', '\\', ';', '--', '%', '_', '\u0000',
  "'; drop table reports; --", 'CVE-2026-1234', 'R-ABCDEFGH', 'zqxjsecret', 'keystone', '\ud800', '\u200b', '\uff4e\uff4f\uff56\uff41', 'e\u0301', '1.2.3', 'a@b.c'];

/** The `q` value as sent: either properly encoded text or a raw (possibly broken) query string. */
const queryString = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom(...ENGINE_SYNTAX, ...hostileFragments), fc.string({ unit: 'grapheme-composite', maxLength: 12 })), { maxLength: 20 })
    .map((parts) => parts.join(' '))
    .map((q) => `q=${Buffer.from(q, 'utf8').toString('hex').replace(/../g, '%$&')}`),
  mutatedText(['q=keystone+token', 'q=%22keystone%22', 'q=CVE-2026-1234&state=new', 'q=a&q=b'], { fragments: ['%', '%ZZ', '%C0%AF', '%00', '%ED%A0%80', '&q=', '&state=', '&page=-1', '&page=99999999999999999999', '+', '#'] })
    .map((s) => s.replace(/[\s#]/g, '+')),
);

describe.each(testDialects())('fuzz: report search on %s', (dialect) => {
  let t: TestApp;
  let vmt: TestClient;
  let privateRef: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    const { vmtScope } = await setUpIntake(t);
    const made = await receiveReport(vmtScope, { projects: ['nova'], email: 'ada@example.net', title: 'Keystone token zqxjsecret leak', description: 'keystone token 1.2.3 a@b.c' }, [], 'api');
    privateRef = made.report.ref;
    vmt = new TestClient(t);
    await vmt.signIn(await makeUser(t, { username: 'searchvmt', roles: ['vmt'] }));
  });
  afterAll(async () => {
    await t.close();
  });

  const target: FuzzTarget<string> = {
    name: 'report-search',
    testFile: import.meta.url,
    arbitrary: queryString,
    runs: 120,
    longShare: 0.05,
    check: async (qs) => {
      for (const url of [`/reports?${qs}`, `/api/v1/reports?${qs}`]) {
        const anon = await t.app.inject({ method: 'GET', url, headers: { accept: url.startsWith('/api') ? 'application/json' : 'text/html' } });
        expect(anon.statusCode, `${url}: ${anon.body.slice(0, 300)}`).toBeLessThan(500);
        expect([200, 400]).toContain(anon.statusCode);
        expect(anon.body).not.toContain(privateRef);
        expect(anon.body).not.toContain('zqxjsecret leak');
        const res = await vmt.get(url, url.startsWith('/api') ? 'application/json' : 'text/html');
        expect(res.statusCode, `${url} (vmt): ${res.body.slice(0, 300)}`).toBeLessThan(500);
      }
    },
  };

  it('the private report is findable by the VMT (so the search really runs)', async () => {
    const res = await vmt.get('/api/v1/reports?q=zqxjsecret', 'application/json');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(privateRef);
  });
  it(`${target.name}: committed regression inputs still pass`, async () => {
    await replayRegressions(target);
  });
  it(`${target.name}: generated inputs keep the invariants`, async () => {
    expect((await runFuzz(target)).runs).toBeGreaterThan(0);
  });
  it('listReports takes any text without an SQL error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), async (text) => {
        const { items } = await listReports(t.ctx.storage.db, dialect, { kind: 'anonymous' }, { text, limit: 5 });
        expect(items.every((i) => i.ref !== privateRef)).toBe(true);
      }),
      { seed: 20261205, numRuns: 100 },
    );
  });
});
