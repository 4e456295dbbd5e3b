// The leak matrix for security notes (DESIGN.md §5): an embargoed note under review (kind 'note') and an
// unclaimed embargoed flag (kind 'note_flag'), across anonymous, a plain account, the VMT member who flagged
// it, the reporter, an admin, a nova core reviewer subscribed to the report (reviews the note), one who is
// not, a subscribed coresec of a project the note does not concern, security core (with and without its
// second factor) and security core's read-only API token — on every registered page and API route, in the
// queue, index, feed and API lists, and in the mail queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp, type TestUser } from '../testing/harness.js';
import { probeLeaks, type LeakRole } from '../testing/leak-matrix.js';
import { testDialects } from '../testing/databases.js';
import type { CatalogueEntry } from '../http/route.js';
import { createApiToken } from '../accounts/api-tokens.js';
import { setProjectMember } from '../projects/projects.js';
import { receiveReport } from '../reports/intake.js';
import { setClass } from '../reports/triage.js';
import { subscribe } from '../reports/ladder.js';
import { claimNote, flagNote } from './flagging.js';
import { saveRevision } from './revisions.js';
import { submitForReview } from './review.js';
import { completeNote, setUpNotesTeam, userScope, type NotesTeam } from './testing/fixtures.js';

const NOTE_MARKER = 'NOTE-TITLE-MARKER-8w';
const SUMMARY_MARKER = 'NOTE-SUMMARY-MARKER-4p';
const FLAG_MARKER = 'FLAG-REASON-MARKER-6t';

describe.each(testDialects())('leak matrix (security notes) on %s', (dialect) => {
  let t: TestApp;
  let team: NotesTeam;
  let roles: LeakRole[];
  let flagRef = '';

  beforeAll(async () => {
    t = await createTestApp(dialect, { announceLists: ['announce@lists.example.org'] });
    team = await setUpNotesTeam(t);
    const extra: Record<string, TestUser> = {
      reporter: await makeUser(t, { username: 'reporter', totp: false }),
      admin: await makeUser(t, { username: 'admin', roles: ['admin'] }),
      novaOutsider: await makeUser(t, { username: 'novaoutsider', totp: false }),
      glanceCoresec: await makeUser(t, { username: 'glancecoresec', totp: false }),
      dormantCore: await makeUser(t, { username: 'dormantcore', roles: ['security_core'], totp: false }),
    };
    await setProjectMember(t.system, 'nova', extra.novaOutsider!.user.id, 'core_reviewer', true);
    await setProjectMember(t.system, 'glance', extra.glanceCoresec!.user.id, 'coresec', true);
    const vmt = await userScope(t, team.vmt);
    const reporter = await userScope(t, extra.reporter!);
    const report = await receiveReport(reporter, { title: 'Private report for a note', description: 'details', projects: ['nova', 'glance'], email: 'reporter@example.org' }, [], 'web');
    const other = await receiveReport(reporter, { title: 'Another private report', description: 'details', projects: ['nova'], email: 'reporter@example.org' }, [], 'web');
    for (const r of [report.report.ref, other.report.ref]) await setClass(vmt, r, 'B1');
    await subscribe(vmt, report.report.ref, { username: team.novaCore.user.username, level: 'reviewer', reason: 'review the note' });
    await subscribe(vmt, report.report.ref, { username: 'glancecoresec', level: 'coresec', reason: 'fix development' });
    // The note under review concerns nova only; the unclaimed flag waits on the other report.
    const flagged = await flagNote(vmt, { report: report.report.ref, title: NOTE_MARKER, reason: 'from the report', projects: ['nova'] });
    const core1 = await userScope(t, team.core[0]!);
    await claimNote(core1, flagged.ref);
    await saveRevision(core1, 'OSSN-0001', completeNote(1, { title: `Metadata proxy trusts forged headers ${NOTE_MARKER}`, summary: `Forged headers ${SUMMARY_MARKER} reach the proxy.` }));
    await submitForReview(core1, 'OSSN-0001');
    flagRef = (await flagNote(vmt, { report: other.report.ref, title: 'Second wanted note', reason: FLAG_MARKER, projects: ['nova'] })).ref;
    const coreToken = await createApiToken(t.system, team.core[0]!.user.id, { name: 'read', scopes: ['read'] });
    roles = [{ name: 'anonymous', client: null }];
    const people: Record<string, TestUser> = { plain: team.plain, vmt: team.vmt, core: team.core[1]!, novaReviewer: team.novaCore, glanceCore: team.glanceCore, ...extra };
    for (const [name, u] of Object.entries(people)) roles.push({ name, client: await signedInClient(t, u) });
    roles.push({ name: 'core-read-token', client: null, bearer: coreToken.token });
  });
  afterAll(async () => t.close());

  const noteReaders = ['core', 'novaReviewer', 'core-read-token'];
  const flagReaders = ['core', 'core-read-token'];
  // Security core's read token may read everything security core reads; a write through it is refused
  // with 403 on an object it can see, which confirms nothing.
  const allows = (readers: string[]) => (role: string) => readers.includes(role);

  it('every route naming a note or a flag declares it', () => {
    const kinds = new Set(t.catalogue.flatMap((r: CatalogueEntry) => Object.values(r.leak.params ?? {})));
    expect(kinds.has('note')).toBe(true);
    expect(kinds.has('note_flag')).toBe(true);
  });

  it('an embargoed note in review: security core and the subscribed nova core reviewer; everyone else 404', async () => {
    for (const marker of [NOTE_MARKER, SUMMARY_MARKER]) {
      const v = await probeLeaks(t, roles, {
        kind: 'note',
        paramValue: 'OSSN-0001',
        marker,
        allowed: allows(noteReaders),
        // The edit form and the publish confirmation are security core's (a reviewer gets 403 on a note they can read).
        mustShow: (route) => route.method === 'GET' && route.url !== '/notes/:noteId/edit' && route.url !== '/notes/:noteId/publish',
      });
      expect(v).toEqual([]);
    }
  });

  it('an unclaimed embargoed flag: security core only', async () => {
    const v = await probeLeaks(t, roles, { kind: 'note_flag', paramValue: flagRef, marker: FLAG_MARKER, allowed: allows(flagReaders) });
    expect(v).toEqual([]);
  });

  it('lists, feed and search-like pages never show the embargoed note to others', async () => {
    for (const role of roles) {
      const get = (url: string, accept = 'text/html') =>
        role.bearer ? t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${role.bearer}`, accept } }) : (role.client ?? new TestClient(t)).get(url, accept);
      const bodies = [(await get('/notes')).body, (await get('/feeds/notes.atom')).body, (await get('/api/v1/notes', 'application/json')).body, (await get('/notes/queue')).body, (await get('/api/v1/notes/queue', 'application/json')).body, (await get('/')).body];
      const shows = bodies.some((b) => b.includes(NOTE_MARKER));
      expect(shows, role.name).toBe(noteReaders.includes(role.name));
      // Index, feed and the home page's latest notes are the public site: published notes only, whoever asks.
      expect(bodies[0]!.includes(NOTE_MARKER) || bodies[1]!.includes(NOTE_MARKER) || bodies[2]!.includes(NOTE_MARKER) || bodies[5]!.includes(NOTE_MARKER), role.name).toBe(false);
    }
  });

  it('no mail carries the embargoed note', async () => {
    const mails = await t.ctx.storage.db.selectFrom('jobs').select('payload').where('kind', '=', 'mail.send').execute();
    for (const m of mails) for (const marker of [NOTE_MARKER, SUMMARY_MARKER, FLAG_MARKER]) expect(m.payload).not.toContain(marker);
  });
});
