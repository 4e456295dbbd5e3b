// Full-text search of reports on both databases: words only ever reach the engine quoted (no query syntax
// of the user's is interpreted), prefix matching, stemming, identifiers, Unicode, and the policy filter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../access/actor.js';
import { createTestApp, makeUser, signedInClient, type TestApp, type TestUser } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { createProject } from '../projects/projects.js';
import { assignCve } from './cve-impact.js';
import { makePublic } from './embargo/decisions.js';
import { fts5QueryText, searchTerms, tsqueryText } from './queue-search.js';
import { listReports } from './store.js';
import { actorOf, fileReport, scopeOf } from './testing/queue-fixtures.js';

const METACHARACTER_QUERIES = [
  '"keystone',
  "keystone'",
  'keystone*',
  '*keystone',
  'keystone:*',
  'title:keystone',
  'keystone & token',
  'keystone | token',
  '!keystone',
  'keystone <-> token',
  '(keystone token',
  'keystone)',
  'NEAR(keystone token)',
  'keystone NEAR token',
  'keystone AND token',
  'keystone OR token',
  'NOT keystone',
  '-keystone',
  '^keystone',
  '+keystone',
  '{keystone}',
  'keystone\\',
  "'; drop table reports; --",
  'keystone\u0000token',
  '\u200bkeystone\u200d',
  '***',
  ':',
  '""',
  "''",
];

describe('searchTerms', () => {
  it('keeps only words: letters and digits, with inner . - _ @ joiners', () => {
    expect(searchTerms('"keystone" AND (token*) -nova: NEAR/3 !x | y & z')).toEqual(['keystone', 'AND', 'token', 'nova', 'NEAR', '3', 'x', 'y', 'z']);
    expect(searchTerms('CVE-2024-1234 in 1.2.3, see foo_bar@example.org.')).toEqual(['CVE-2024-1234', 'in', '1.2.3', 'see', 'foo_bar@example.org']);
    expect(searchTerms("it's a 'quote' \\ back")).toEqual(['it', 's', 'a', 'quote', 'back']);
    for (const q of METACHARACTER_QUERIES) for (const term of searchTerms(q)) expect(term).toMatch(/^[\p{L}\p{N}][\p{L}\p{N}\p{M}._@-]*$/u);
  });

  it('normalises Unicode (NFKC), de-duplicates case-insensitively and caps the number and length of words', () => {
    expect(searchTerms('ｎｏｖａ Nova NOVA ﬁle')).toEqual(['nova', 'file']);
    expect(searchTerms('cafe\u0301 東京 Straße')).toEqual(['café', '東京', 'Straße']);
    expect(searchTerms(Array.from({ length: 30 }, (_, i) => `w${i}`).join(' '))).toHaveLength(12);
    expect(Array.from(searchTerms('x'.repeat(500))[0]!)).toHaveLength(100);
    // A cut never leaves half a surrogate pair or a trailing joiner.
    expect(searchTerms('𠀀'.repeat(150))[0]).toBe('𠀀'.repeat(100));
    expect(searchTerms(`${'a'.repeat(99)}.b`)[0]).toBe('a'.repeat(99));
    expect(searchTerms('*** ::: &&& \u0000')).toEqual([]);
  });

  it('quotes each word for the engines, with prefix matching and all words required', () => {
    expect(tsqueryText(['keystone', '1.2.3'])).toBe("'keystone':* & '1.2.3':*");
    expect(fts5QueryText(['keystone', 'NEAR'])).toBe('"keystone"* AND "NEAR"*');
  });
});

describe.each(testDialects())('report search on %s', (dialect) => {
  let t: TestApp;
  let vmt: TestUser;
  let reporter: TestUser;
  let vmtActor: Actor;
  const anonymous: Actor = { kind: 'anonymous' };
  const refs: Record<string, string> = {};

  const titlesFor = async (actor: Actor, text: string) => {
    const { items, total } = await listReports(t.ctx.storage.db, dialect, actor, { text, limit: 200 });
    expect(total).toBe(items.length);
    return items.map((i) => i.title).sort();
  };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await createProject(t.system, { slug: 'keystone', name: 'Keystone', branches: ['master'] });
    vmt = await makeUser(t, { username: 'vmt', roles: ['vmt'] });
    reporter = await makeUser(t, { username: 'reporter', totp: false });
    vmtActor = await actorOf(t, vmt);
    const team = await scopeOf(t, vmt);
    const file = async (key: string, title: string, description: string, opened: boolean, by?: TestUser) => {
      const r = await fileReport(t, { title, description, projects: ['keystone'], ...(by ? { by } : {}) });
      if (opened) await makePublic(team, r.ref, 'Coordinated disclosure.');
      refs[key] = r.ref;
      return r;
    };
    await file('token', 'Keystone token revocation bypass', 'Revoked tokens are still accepted by the middleware when running with caching.', true);
    await file('version', 'Versions 1.2.3 and earlier leak credentials', 'CVE-2024-1234 describes a leak in the auth plugin.', true);
    await file('unicode', 'Straße crash in 東京 locale', 'A naïve parser mishandles café names.', true);
    await file('secret', 'Zebrafish heap overflow in Keystone', 'Private: the zebrafish parser overflows on long tokens.', false, reporter);
    const cveReport = await file('cve', 'Quota bypass', 'A quota check can be skipped.', false);
    await assignCve(team, cveReport.ref, 'CVE-2025-0001');
  });
  afterAll(async () => t.close());

  it('finds words by prefix and by stem, in title and description, requiring every word', async () => {
    expect(await titlesFor(anonymous, 'keyst')).toEqual(['Keystone token revocation bypass']);
    expect(await titlesFor(anonymous, 'revok')).toEqual(['Keystone token revocation bypass']);
    // Stemming: "revoke"/"tokens"/"runs" meet "Revoked"/"token"/"running".
    expect(await titlesFor(anonymous, 'TOKENS')).toEqual(['Keystone token revocation bypass']);
    expect(await titlesFor(anonymous, 'runs caching')).toEqual(['Keystone token revocation bypass']);
    expect(await titlesFor(anonymous, 'middleware credentials')).toEqual([]);
    expect(await titlesFor(anonymous, 'leak')).toEqual(['Versions 1.2.3 and earlier leak credentials']);
    // A stop word (dropped by PostgreSQL, prefix-matched by FTS5) neither fails nor widens the search.
    expect(await titlesFor(anonymous, 'the keystone')).toEqual(['Keystone token revocation bypass']);
    // Alone, a stop word finds nothing on PostgreSQL (an empty tsquery) and prefix-matches on SQLite.
    expect(await titlesFor(anonymous, 'the')).toEqual(dialect === 'postgres' ? [] : ['Keystone token revocation bypass', 'Versions 1.2.3 and earlier leak credentials']);
  });

  it('matches versions, CVE ids and Unicode words as phrases on both engines', async () => {
    expect(await titlesFor(anonymous, '1.2.3')).toEqual(['Versions 1.2.3 and earlier leak credentials']);
    expect(await titlesFor(anonymous, 'CVE-2024-1234')).toEqual(['Versions 1.2.3 and earlier leak credentials']);
    expect(await titlesFor(anonymous, 'straße')).toEqual(['Straße crash in 東京 locale']);
    expect(await titlesFor(anonymous, '東京')).toEqual(['Straße crash in 東京 locale']);
    expect(await titlesFor(anonymous, 'ｃａｆé')).toEqual(['Straße crash in 東京 locale']);
  });

  it('finds a report by an assigned CVE id or its reference, for those who may read it', async () => {
    expect(await titlesFor(vmtActor, 'cve-2025-0001')).toEqual(['Quota bypass']);
    expect(await titlesFor(vmtActor, refs.cve!)).toEqual(['Quota bypass']);
    expect(await titlesFor(anonymous, 'CVE-2025-0001')).toEqual([]);
    expect(await titlesFor(anonymous, refs.cve!)).toEqual([]);
  });

  it('never interprets query syntax: metacharacters behave like the plain words they surround', async () => {
    for (const q of METACHARACTER_QUERIES) {
      const plain = searchTerms(q).join(' ');
      const got = await titlesFor(vmtActor, q);
      expect(got, q).toEqual(plain ? await titlesFor(vmtActor, plain) : []);
    }
    expect(await titlesFor(vmtActor, 'keystone & token')).toEqual(['Keystone token revocation bypass', 'Zebrafish heap overflow in Keystone']);
    expect(await titlesFor(vmtActor, '!keystone')).toEqual(['Keystone token revocation bypass', 'Zebrafish heap overflow in Keystone']);
    expect(await titlesFor(vmtActor, '***')).toEqual([]);
    // The table is still there after the injection attempt.
    expect(await titlesFor(vmtActor, 'quota')).toEqual(['Quota bypass']);
  });

  it('never shows a private report, nor counts it, to someone who may not read it', async () => {
    const { db } = t.ctx.storage;
    expect(await titlesFor(anonymous, 'zebrafish')).toEqual([]);
    expect((await listReports(db, dialect, anonymous, { text: 'zebrafish' })).total).toBe(0);
    const other = await actorOf(t, await makeUser(t, { username: 'other', totp: false }));
    expect((await listReports(db, dialect, other, { text: 'zebrafish overflow' })).total).toBe(0);
    expect(await titlesFor(await actorOf(t, reporter), 'zebrafish')).toEqual(['Zebrafish heap overflow in Keystone']);
    expect(await titlesFor(vmtActor, 'zebrafish')).toEqual(['Zebrafish heap overflow in Keystone']);
    // "keystone" matches public and private reports alike: anonymous callers get the public ones only.
    expect(await titlesFor(anonymous, 'keystone')).toEqual(['Keystone token revocation bypass']);
  });

  it('keeps the index in step when a title changes', async () => {
    const { db } = t.ctx.storage;
    await db.updateTable('reports').set({ title: 'Renamed marmoset issue' }).where('ref', '=', refs.unicode!).execute();
    expect(await titlesFor(anonymous, 'marmoset')).toEqual(['Renamed marmoset issue']);
    expect(await titlesFor(anonymous, 'straße')).toEqual([]);
    await db.updateTable('reports').set({ title: 'Straße crash in 東京 locale' }).where('ref', '=', refs.unicode!).execute();
  });

  it('searches through the page and the API with the same rules', async () => {
    const reporterClient = await signedInClient(t, reporter);
    const api = await t.app.inject({ method: 'GET', url: `/api/v1/reports?q=${encodeURIComponent('zebrafish & "heap"')}`, headers: { accept: 'application/json' } });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({ items: [], total: 0 });
    const mine = await reporterClient.get(`/reports?q=${encodeURIComponent('zebrafish*')}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain('Zebrafish heap overflow in Keystone');
    const tooLong = await t.app.inject({ method: 'GET', url: `/api/v1/reports?q=${'a'.repeat(201)}`, headers: { accept: 'application/json' } });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.fields).toEqual([{ field: 'q', message: 'Search for at most 200 characters.' }]);
  });
});
