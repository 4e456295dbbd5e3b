// The report policy has two forms: `reportAccess` (one report, in code) and `readableReports` (lists,
// counts and search, in SQL). They must never disagree (DESIGN.md §5), so every (actor, report) pair is
// checked on both databases, against a hand-written expectation as well, so that both cannot be wrong alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, UserActor } from './actor.js';
import { testUserActor } from './testing/actors.js';
import { can } from './policy.js';
import { canComment, canContribute, canManage, canRead, canSeeVmtOnly, readableReportParts, reportAccess, type ReportAccess, type ReportFacts } from './report-policy.js';
import { createTestApp, makeUser, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { listReports, loadReportBy, readableReportsQuery } from '../reports/store.js';
import { subscribe, unsubscribe } from '../reports/ladder.js';
import { makePublic } from '../reports/embargo/decisions.js';
import { setState } from '../reports/triage.js';
import { actorOf, fileReport, scopeOf } from '../reports/testing/queue-fixtures.js';

const user = testUserActor;

function facts(partial: Partial<ReportFacts> = {}): ReportFacts {
  return { id: 1, visibility: 'private', reporterUserId: null, coordinatorId: null, projectIds: [1], subscriptions: [], ...partial };
}

describe('reportAccess (table)', () => {
  const anon: Actor = { kind: 'anonymous' };
  const reporterFacts = facts({ reporterUserId: 5 });
  const subscribed = facts({ reporterUserId: 5, subscriptions: [{ userId: 7, level: 'coresec', readOnly: false }, { userId: 8, level: 'stakeholder', readOnly: true }, { userId: 5, level: 'developer', readOnly: false }] });
  const cases: [string, Actor, ReportFacts, { reporterLink?: boolean }, ReportAccess][] = [
    ['anonymous, private', anon, facts(), {}, 'none'],
    ['anonymous, public', anon, facts({ visibility: 'public' }), {}, 'public'],
    ['anonymous with the reporter link', anon, facts(), { reporterLink: true }, 'reporter'],
    ['unrelated user, private', user(9), facts(), {}, 'none'],
    ['unrelated user, public', user(9), facts({ visibility: 'public' }), {}, 'public'],
    ['the reporter, own private report', user(5), reporterFacts, {}, 'reporter'],
    ['the reporter, own report once public', user(5), { ...reporterFacts, visibility: 'public' }, {}, 'reporter'],
    ['subscribed coresec', user(7), subscribed, {}, 'subscriber'],
    ['read-only stakeholder', user(8), subscribed, {}, 'subscriber_readonly'],
    ['reporter who is also subscribed: the subscription is wider', user(5), subscribed, {}, 'subscriber'],
    ['VMT member', user(2, { roles: ['vmt'] }), facts(), {}, 'vmt'],
    ['VMT member who reported it', user(5, { roles: ['vmt'] }), reporterFacts, {}, 'vmt'],
    ['VMT member, dormant role (no TOTP)', user(2, { roles: [], held: ['vmt'] }), facts(), {}, 'none'],
    ['admin, not VMT', user(3, { roles: ['admin'] }), facts(), {}, 'none'],
    ['security core, not subscribed', user(4, { roles: ['security_core'] }), facts(), {}, 'none'],
    ['VMT read-scoped token', user(2, { roles: ['vmt'], scopes: ['read'] }), facts(), {}, 'vmt'],
    ['VMT write-scoped token', user(2, { roles: ['vmt'], scopes: ['write'] }), facts(), {}, 'vmt'],
    ['reporter with a read token', user(5, { scopes: ['read'] }), reporterFacts, {}, 'reporter'],
    ['VMT token without any scope reads like anonymous', user(2, { roles: ['vmt'], scopes: [] }), facts(), {}, 'none'],
    ['token without any scope, public report', user(2, { roles: ['vmt'], scopes: [] }), facts({ visibility: 'public' }), {}, 'public'],
  ];
  it.each(cases)('%s', (_name, actor, f, context, expected) => {
    expect(reportAccess(actor, f, context)).toBe(expected);
  });

  it('derived permissions follow the access level', () => {
    const table = (['vmt', 'subscriber', 'subscriber_readonly', 'reporter', 'public', 'none'] as const).map((a) => [a, canRead(a), canComment(a), canContribute(a), canManage(a), canSeeVmtOnly(a)]);
    expect(table).toEqual([
      ['vmt', true, true, true, true, true],
      ['subscriber', true, true, true, false, false],
      ['subscriber_readonly', true, false, false, false, false],
      ['reporter', true, true, false, false, false],
      ['public', true, false, false, false, false],
      ['none', false, false, false, false, false],
    ]);
  });
});

describe.each(testDialects())('readableReports agrees with reportAccess on %s', (dialect) => {
  let t: TestApp;
  const actors = new Map<string, Actor>();
  const reports = new Map<string, number>();
  beforeAll(async () => {
    t = await createTestApp(dialect);
    for (const [slug, name] of [['nova', 'Nova'], ['glance', 'Glance'], ['swift', 'Swift']] as const) await createProject(t.system, { slug, name, branches: ['master'] });
    const vmt = await makeUser(t, { username: 'vmt', roles: ['vmt'] });
    const admin = await makeUser(t, { username: 'admin', roles: ['admin'] });
    const dormant = await makeUser(t, { username: 'dormant', roles: ['vmt'], totp: false });
    const reporter = await makeUser(t, { username: 'reporter', totp: false });
    const other = await makeUser(t, { username: 'other', totp: false });
    const coresec = await makeUser(t, { username: 'coresec', totp: false });
    const removed = await makeUser(t, { username: 'removed', totp: false });
    const stakeholder = await makeUser(t, { username: 'stakeholder', totp: false });
    const developer = await makeUser(t, { username: 'developer', totp: false });
    await setProjectMember(t.system, 'nova', coresec.user.id, 'coresec', true);
    await setProjectMember(t.system, 'nova', removed.user.id, 'coresec', true);
    const team = await scopeOf(t, vmt);

    const privateNova = await fileReport(t, { title: 'Private nova by reporter', projects: ['nova'], by: reporter });
    const privateTwo = await fileReport(t, { title: 'Private glance and nova, anonymous', projects: ['glance', 'nova'] });
    const privateGlance = await fileReport(t, { title: 'Private glance by other', projects: ['glance'], by: other });
    const vmtOnly = await fileReport(t, { title: 'Private swift, nobody subscribed', projects: ['swift'] });
    const openedOwn = await fileReport(t, { title: 'Opened swift by reporter', projects: ['swift'], by: reporter });
    const openedAnon = await fileReport(t, { title: 'Opened nova, anonymous', projects: ['nova'] });
    const closedOwn = await fileReport(t, { title: 'Closed private by reporter', projects: ['glance'], by: reporter });
    await subscribe(team, privateNova.ref, { username: 'coresec', level: 'coresec', reason: 'Project security review' });
    await subscribe(team, privateNova.ref, { username: 'removed', level: 'coresec', reason: 'Briefly' });
    const subs = (await loadReportBy(t.ctx.storage.db, { id: privateNova.id }))!.subscriptions;
    await unsubscribe(team, privateNova.ref, subs.find((s) => s.username === 'removed')!.id);
    await subscribe(team, privateTwo.ref, { username: 'stakeholder', level: 'stakeholder', reason: 'Downstream asked' });
    await subscribe(team, privateGlance.ref, { username: 'developer', level: 'developer', reason: 'Writes the fix' });
    await subscribe(team, openedAnon.ref, { username: 'developer', level: 'developer', reason: 'Writes the fix' });
    await makePublic(team, openedOwn.ref, 'Already public upstream');
    await makePublic(team, openedAnon.ref, 'Coordinated disclosure.');
    await setState(team, closedOwn.ref, 'invalid', 'Not a vulnerability');
    for (const [k, r] of Object.entries({ privateNova, privateTwo, privateGlance, vmtOnly, openedOwn, openedAnon, closedOwn })) reports.set(k, r.id);

    actors.set('anonymous', { kind: 'anonymous' });
    actors.set('reporter', await actorOf(t, reporter));
    actors.set('reporter read-token', await actorOf(t, reporter, { token: ['read'] }));
    actors.set('other user', await actorOf(t, other));
    actors.set('subscribed coresec', await actorOf(t, coresec));
    actors.set('unsubscribed coresec', await actorOf(t, removed));
    actors.set('read-only stakeholder', await actorOf(t, stakeholder));
    actors.set('key developer', await actorOf(t, developer));
    actors.set('vmt', await actorOf(t, vmt));
    actors.set('admin (not vmt)', await actorOf(t, admin));
    actors.set('admin admin-token', await actorOf(t, admin, { token: ['admin'] }));
    actors.set('vmt read-token', await actorOf(t, vmt, { token: ['read'] }));
    actors.set('vmt without totp (dormant)', await actorOf(t, dormant));
  });
  afterAll(async () => t.close());

  const publicOnly = ['openedOwn', 'openedAnon'];
  const all = ['privateNova', 'privateTwo', 'privateGlance', 'vmtOnly', 'openedOwn', 'openedAnon', 'closedOwn'];
  const expected: Record<string, string[]> = {
    anonymous: publicOnly,
    reporter: ['privateNova', 'openedOwn', 'openedAnon', 'closedOwn'],
    'reporter read-token': ['privateNova', 'openedOwn', 'openedAnon', 'closedOwn'],
    'other user': ['privateGlance', ...publicOnly],
    'subscribed coresec': ['privateNova', ...publicOnly],
    'unsubscribed coresec': publicOnly,
    'read-only stakeholder': ['privateTwo', ...publicOnly],
    'key developer': ['privateGlance', ...publicOnly],
    vmt: all,
    'admin (not vmt)': publicOnly,
    'admin admin-token': publicOnly,
    'vmt read-token': all,
    'vmt without totp (dormant)': publicOnly,
  };

  it('the actors are what they claim (dormant roles, tokens)', () => {
    const dormant = actors.get('vmt without totp (dormant)') as UserActor;
    expect([...dormant.heldRoles]).toEqual(['vmt']);
    expect(dormant.roles.size).toBe(0);
    expect((actors.get('vmt read-token') as UserActor).scopes).toEqual(new Set(['read']));
  });

  it('for every actor and report, the SQL filter and the function agree, and match the expectation', async () => {
    const { db } = t.ctx.storage;
    const names = new Map([...reports].map(([k, id]) => [id, k]));
    for (const [actorName, actor] of actors) {
      const listed = await listReports(db, dialect, actor, { limit: 200 });
      const sqlSays = new Set(listed.items.map((i) => names.get(i.id)));
      expect(listed.total, actorName).toBe(sqlSays.size);
      const functionSays = new Set<string>();
      for (const [name, id] of reports) {
        const loaded = (await loadReportBy(db, { id }))!;
        const access = reportAccess(actor, loaded.facts);
        if (canRead(access)) functionSays.add(name);
        expect(sqlSays.has(name), `${actorName} × ${name}: SQL ${sqlSays.has(name)}, function ${access}`).toBe(canRead(access));
        // The triage permission (queue, class column) is held exactly by those with VMT access.
        expect(can(actor, 'reports.triage'), `${actorName} × ${name}: triage`).toBe(access === 'vmt');
      }
      expect([...functionSays].sort(), actorName).toEqual([...expected[actorName]!].sort());
    }
  });

  it('filters and search keep agreeing: counts never include a report the function hides', async () => {
    const { db } = t.ctx.storage;
    for (const [actorName, actor] of actors) {
      for (const filter of [{ visibility: 'private' as const }, { text: 'private' }, { projectSlug: 'nova' }, { state: ['new' as const] }]) {
        const listed = await listReports(db, dialect, actor, { ...filter, limit: 200 });
        for (const item of listed.items) {
          const loaded = (await loadReportBy(db, { id: item.id }))!;
          expect(canRead(reportAccess(actor, loaded.facts)), `${actorName} ${JSON.stringify(filter)} ${item.title}`).toBe(true);
        }
        expect(listed.total).toBe(listed.items.length);
      }
    }
  });

  it('the parts of the rule (public ∪ the readable-id set) are disjoint and together are the rule', async () => {
    const { db } = t.ctx.storage;
    for (const [actorName, actor] of actors) {
      const whole = (await listReports(db, dialect, actor, { limit: 200 })).items.map((i) => i.id).sort((a, b) => a - b);
      const fromParts: number[] = [];
      for (const part of readableReportParts(actor)) fromParts.push(...(await readableReportsQuery(db, dialect, actor, {}, part).select('reports.id').execute()).map((r) => r.id));
      expect(fromParts.sort((a, b) => a - b), actorName).toEqual(whole);
    }
  });

  it('keyset pages (after the last row) give the same rows as numbered pages, for every actor and filter', async () => {
    const { db } = t.ctx.storage;
    for (const [actorName, actor] of actors) {
      for (const filter of [{}, { text: 'private' }, { projectSlug: 'nova' }]) {
        const byOffset: number[] = [];
        const byCursor: number[] = [];
        for (let page = 0; page < 5; page++) byOffset.push(...(await listReports(db, dialect, actor, { ...filter, limit: 2, offset: page * 2 })).items.map((i) => i.id));
        let after: { receivedAt: string; id: number } | undefined;
        for (let page = 0; page < 5; page++) {
          const { items, total } = await listReports(db, dialect, actor, { ...filter, limit: 2, ...(after ? { after } : {}) });
          expect(total, `${actorName} ${JSON.stringify(filter)}: the count does not depend on the page`).toBe(new Set(byOffset).size);
          byCursor.push(...items.map((i) => i.id));
          const last = items.at(-1);
          if (!last) break;
          after = { receivedAt: last.received_at, id: last.id };
        }
        expect(byCursor, `${actorName} ${JSON.stringify(filter)}`).toEqual(byOffset);
      }
    }
  });
});
