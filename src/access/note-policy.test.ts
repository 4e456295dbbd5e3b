// The note policy in its two forms: `noteAccess` (one note, in code) and `workableNotes`/`readableNotes`
// (lists, in SQL). A table pins the code down; then every (actor, note) pair is checked on both databases
// so that the lists can never show a note the page would hide, nor hide one it shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from './actor.js';
import { testUserActor } from './testing/actors.js';
import { canAuthor, canClaim, canReadNote, canSeeWork, canVote, noteAccess, readableNotes, workableNotes, type NoteAccess, type NoteFacts } from './note-policy.js';
import type { ReportFacts } from './report-policy.js';
import { buildUserActor } from './load-actor.js';
import { createTestApp, makeUser, type TestApp, type TestUser } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { setProjectMember } from '../projects/projects.js';
import { receiveReport } from '../reports/intake.js';
import { setClass } from '../reports/triage.js';
import { subscribe } from '../reports/ladder.js';
import { makePublic } from '../reports/embargo/decisions.js';
import { claimNote, dismissFlag, flagNote } from '../notes/flagging.js';
import { loadNote } from '../notes/store.js';
import { setUpNotesTeam, userScope } from '../notes/testing/fixtures.js';

const user = testUserActor;

const report: ReportFacts = { id: 1, visibility: 'private', reporterUserId: 5, coordinatorId: null, projectIds: [1], subscriptions: [{ userId: 7, level: 'reviewer', readOnly: false }] };
const note = (partial: Partial<NoteFacts> = {}): NoteFacts => ({ state: 'in_review', embargoed: false, authorId: 3, projectIds: [1], report: null, ...partial });
const embargoed = note({ embargoed: true, report });

describe('noteAccess (table)', () => {
  const anon: Actor = { kind: 'anonymous' };
  const cases: [string, Actor, NoteFacts, NoteAccess][] = [
    ['anonymous, draft', anon, note(), 'none'],
    ['anonymous, published', anon, note({ state: 'published' }), 'reader'],
    ['any account, public draft', user(9), note(), 'member'],
    ['any account, public flag', user(9), note({ state: 'flagged' }), 'member'],
    ['any account, dismissed flag', user(9), note({ state: 'dismissed' }), 'none'],
    ['any account, embargoed', user(9), embargoed, 'none'],
    ['the reporter (reads the report), embargoed', user(5), embargoed, 'none'],
    ['VMT member, embargoed', user(2, { roles: ['vmt'] }), embargoed, 'none'],
    ['security core, embargoed', user(4, { roles: ['security_core'] }), embargoed, 'core'],
    ['security core, dismissed flag', user(4, { roles: ['security_core'] }), note({ state: 'dismissed' }), 'core'],
    ['subscribed core reviewer of a concerned project, embargoed', user(7, { projects: [[1, 'core_reviewer']] }), embargoed, 'reviewer'],
    ['subscribed coresec of a concerned project, embargoed', user(7, { projects: [[1, 'coresec']] }), embargoed, 'reviewer'],
    ['subscribed core reviewer, embargoed flag (not claimed)', user(7, { projects: [[1, 'core_reviewer']] }), { ...embargoed, state: 'flagged' }, 'none'],
    ['core reviewer of a concerned project, not subscribed', user(8, { projects: [[1, 'core_reviewer']] }), embargoed, 'none'],
    ['subscribed lead (not a reviewer role), embargoed', user(7, { projects: [[1, 'lead']] }), embargoed, 'none'],
    ['subscribed core reviewer of another project', user(7, { projects: [[2, 'core_reviewer']] }), embargoed, 'none'],
    ['security core read token, embargoed', user(4, { roles: ['security_core'], scopes: ['read'] }), embargoed, 'core'],
    ['token without scopes, published', user(4, { roles: ['security_core'], scopes: [] }), note({ state: 'published' }), 'reader'],
  ];
  it.each(cases)('%s', (_name, actor, facts, expected) => {
    expect(noteAccess(actor, facts)).toBe(expected);
  });

  it('derived permissions follow the access level and the token', () => {
    const author = user(3);
    expect(canAuthor(author, 'member', note())).toBe(true);
    expect(canAuthor(user(9), 'member', note())).toBe(false);
    expect(canAuthor(user(4, { roles: ['security_core'] }), 'core', note())).toBe(true);
    expect(canAuthor(user(3, { scopes: ['read'] }), 'member', note())).toBe(false);
    expect(canClaim(user(7), 'reviewer')).toBe(false);
    expect(canVote(user(7), 'reviewer')).toBe(true);
    expect(canVote(user(7, { scopes: ['read'] }), 'reviewer')).toBe(false);
    expect((['core', 'member', 'reviewer', 'reader', 'none'] as const).map((a) => [canReadNote(a), canSeeWork(a)])).toEqual([
      [true, true],
      [true, true],
      [true, true],
      [true, false],
      [false, false],
    ]);
  });
});

describe.each(testDialects())('note lists agree with noteAccess on %s', (dialect) => {
  let t: TestApp;
  const actors: [string, Actor][] = [['anonymous', { kind: 'anonymous' }]];
  const refs: string[] = [];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const team = await setUpNotesTeam(t);
    const outsider = await makeUser(t, { username: 'outsider', totp: false });
    await setProjectMember(t.system, 'nova', outsider.user.id, 'core_reviewer', true);
    const vmt = await userScope(t, team.vmt);
    const core = await userScope(t, team.core[0]!);
    const plain = await userScope(t, team.plain);
    const reports = [];
    for (let i = 0; i < 2; i++) {
      const { report: r } = await receiveReport(t.system, { title: `private ${i}`, description: 'x', projects: ['nova'], email: 'f@example.net' }, [], 'web');
      await setClass(vmt, r.ref, 'C1');
      await subscribe(vmt, r.ref, { username: team.novaCore.user.username, level: 'reviewer', reason: 'review' });
      reports.push(r.ref);
    }
    const flags = [
      await flagNote(plain, { title: 'public flag', reason: '', projects: ['nova'] }),
      await flagNote(plain, { title: 'public draft', reason: '', projects: ['nova'] }),
      await flagNote(plain, { title: 'dismissed flag', reason: '', projects: ['glance'] }),
      await flagNote(vmt, { report: reports[0]!, title: 'embargoed flag', reason: '', projects: ['nova'] }),
      await flagNote(vmt, { report: reports[1]!, title: 'embargoed draft, later disclosed', reason: '', projects: ['nova'] }),
    ];
    await claimNote(plain, flags[1]!.ref);
    await dismissFlag(core, flags[2]!.ref, 'not needed');
    await claimNote(core, flags[4]!.ref);
    refs.push(...flags.map((f) => f.ref));
    // One more embargoed draft that stays embargoed.
    const { report: r3 } = await receiveReport(t.system, { title: 'private 3', description: 'x', projects: ['nova', 'glance'], email: 'f@example.net' }, [], 'web');
    await setClass(vmt, r3.ref, 'D');
    await subscribe(vmt, r3.ref, { username: team.novaCore.user.username, level: 'reviewer', reason: 'review' });
    const third = await flagNote(vmt, { report: r3.ref, title: 'embargoed draft', reason: '', projects: ['glance'] });
    await claimNote(core, third.ref);
    refs.push(third.ref);
    await makePublic(vmt, reports[1]!, 'disclosed');
    const people: Record<string, TestUser> = { plain: team.plain, vmt: team.vmt, core: team.core[1]!, novaCore: team.novaCore, glanceCore: team.glanceCore, outsider };
    for (const [name, u] of Object.entries(people)) actors.push([name, (await userScope(t, u)).actor]);
    const tokenUser = await t.ctx.storage.db.selectFrom('users').selectAll().where('id', '=', team.core[1]!.user.id).executeTakeFirstOrThrow();
    actors.push(['core read token', await buildUserActor(t.ctx.storage.db, t.ctx.config, tokenUser, { kind: 'token', scopes: ['read'] })]);
  });
  afterAll(async () => t.close());

  it('for every actor and note, the SQL filters say what noteAccess says', async () => {
    const db = t.ctx.storage.db;
    for (const [name, actor] of actors) {
      const workable = new Set((await db.selectFrom('notes').select('ref').where(workableNotes(actor)).execute()).map((r) => r.ref));
      const readable = new Set((await db.selectFrom('notes').select('ref').where(readableNotes(actor)).execute()).map((r) => r.ref));
      for (const ref of refs) {
        const loaded = await loadNote(db, { ref });
        const access = noteAccess(actor, loaded!.facts);
        expect(workable.has(ref), `${name} works on ${loaded!.row.flag_title}`).toBe(canSeeWork(access));
        expect(readable.has(ref), `${name} reads ${loaded!.row.flag_title}`).toBe(canReadNote(access));
      }
    }
  });
});
