// Triage by the VMT (DESIGN.md §2): the acknowledgement deadline on the real job worker, the report state
// machine (every from × to), classes, duplicates, coordinator, projects, the disclosure ladder, who may do
// any of it, CVEs and the impact description. Both databases.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildUserActor } from '../access/load-actor.js';
import type { Scope } from '../context.js';
import { setProjectMember } from '../projects/projects.js';
import type { ReportClass, ReportRow, ReportState } from '../storage/tables.js';
import { testDialects } from '../testing/databases.js';
import { createTestApp, makeUser, type TestApp, type TestUser } from '../testing/harness.js';
import { approveImpact, assignCve, draftImpact, impactApprovals, requestCve, type ImpactFieldsInput } from './cve-impact.js';
import { endEmbargoEarly, extendEmbargo, makePublic, planDisclosure } from './embargo/decisions.js';
import { subscribe, unsubscribe } from './ladder.js';
import { readTimeline } from './timeline.js';
import { acknowledge, assignCoordinator, classOutcome, markDuplicate, redirectProject, reportClasses, reportStates, setClass, setState, transitions } from './triage.js';
import { MINUTE, auditEvents, events, jobWorker, recipientsOf, receive, refusal, reportRow, setUpTeam, snapshot, userScope } from './testing/deadline-fixtures.js';

const ESCALATED = 'A report was not acknowledged in time and is escalated.';
const LEAD_ESCALATED = 'awaits acknowledgement';

describe.each(testDialects())('acknowledgement deadline on %s', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  async function setUp(received: string, holidays: string[] = []) {
    t = await createTestApp(dialect, { holidays });
    t.clock.set(received);
    const team = await setUpTeam(t);
    const lead = await makeUser(t);
    const otherLead = await makeUser(t);
    await setProjectMember(t.system, 'nova', lead.user.id, 'lead', true);
    await setProjectMember(t.system, 'glance', otherLead.user.id, 'lead', true);
    return { ...team, lead, report: await receive(t), worker: jobWorker(t) };
  }

  it('escalates after 3 business days to every VMT member and the project lead, once', async () => {
    const { vmt, lead, report, worker } = await setUp('2026-01-06T10:00:00.000Z'); // Tuesday
    const formerLead = await makeUser(t);
    await setProjectMember(t.system, 'nova', formerLead.user.id, 'lead', true);
    await t.ctx.storage.db.updateTable('users').set({ disabled_at: t.clock.now().toISOString() }).where('id', '=', formerLead.user.id).execute();
    expect(report.ack_deadline_at).toBe('2026-01-09T10:00:00.000Z'); // Friday
    t.clock.set(new Date(Date.parse(report.ack_deadline_at) - MINUTE));
    await worker.drain();
    expect((await reportRow(t, report.id)).escalated_at).toBeNull();

    t.clock.set(report.ack_deadline_at);
    await worker.drain();
    expect((await reportRow(t, report.id)).escalated_at).toBe(report.ack_deadline_at);
    const [escalated] = await events(t, report.id, 'escalated');
    expect(escalated?.visibility).toBe('vmt');
    expect((await readTimeline(t.ctx.storage.db, report.id, 'reporter')).map((e) => e.kind)).not.toContain('escalated');
    expect(await recipientsOf(t, report.ref, ESCALATED)).toEqual(vmt.map((u) => u.user.email).sort());
    expect(await recipientsOf(t, report.ref, LEAD_ESCALATED)).toEqual([lead.user.email]);
    expect(await auditEvents(t, report.id, 'report.escalated')).toHaveLength(1);

    const before = await snapshot(t, report.id);
    t.clock.set('2026-02-01T00:00:00.000Z');
    await worker.drain();
    expect(await snapshot(t, report.id)).toEqual(before);
  });

  it('skips the weekend, and a configured holiday', async () => {
    const fri = await setUp('2026-01-09T17:00:00.000Z');
    expect(fri.report.ack_deadline_at).toBe('2026-01-14T17:00:00.000Z'); // Mon, Tue, Wed
    await t.close();

    const { report, worker } = await setUp('2026-01-06T10:00:00.000Z', ['2026-01-08']);
    expect(report.ack_deadline_at).toBe('2026-01-12T10:00:00.000Z'); // Wed, (Thu holiday), Fri, Mon
    t.clock.set('2026-01-09T10:00:00.000Z');
    await worker.drain();
    expect((await reportRow(t, report.id)).escalated_at).toBeNull();
    t.clock.set(report.ack_deadline_at);
    await worker.drain();
    expect((await reportRow(t, report.id)).escalated_at).toBe(report.ack_deadline_at);
  });

  it('does nothing at the deadline when the report was acknowledged in time', async () => {
    const { vmt, vmtScope, report, worker } = await setUp('2026-01-06T10:00:00.000Z');
    t.clock.set('2026-01-08T09:00:00.000Z');
    await acknowledge(vmtScope, report.ref);
    expect(await reportRow(t, report.id)).toMatchObject({ acknowledged_at: '2026-01-08T09:00:00.000Z', coordinator_id: vmt[0]!.user.id });
    expect((await refusal(acknowledge(vmtScope, report.ref))).code).toBe('conflict');
    t.clock.set(report.ack_deadline_at);
    await worker.drain();
    expect((await reportRow(t, report.id)).escalated_at).toBeNull();
    expect(await events(t, report.id, 'escalated')).toHaveLength(0);
    expect(await recipientsOf(t, report.ref, ESCALATED)).toEqual([]);
    expect(await recipientsOf(t, report.ref, LEAD_ESCALATED)).toEqual([]);
    const job = await t.ctx.storage.db.selectFrom('jobs').select('status').where('dedupe_key', '=', `ack-deadline:${report.id}`).executeTakeFirstOrThrow();
    expect(job.status).toBe('done');
  });
});

describe.each(testDialects())('triage on %s', (dialect) => {
  let t: TestApp;
  let vmt: Scope;
  let vmt2: TestUser;
  let coresec: TestUser;
  let lead: TestUser;
  let stranger: TestUser;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    const team = await setUpTeam(t);
    vmt = team.vmtScope;
    vmt2 = team.vmt[1]!;
    [coresec, lead, stranger] = [await makeUser(t), await makeUser(t), await makeUser(t)];
    await setProjectMember(t.system, 'nova', coresec.user.id, 'coresec', true);
    await setProjectMember(t.system, 'nova', lead.user.id, 'lead', true);
  });
  afterAll(async () => t?.close());

  const reason = (to: ReportState) => (to === 'invalid' || to === 'wont_fix' ? 'Not a vulnerability: documented behaviour.' : '');
  const paths: Record<ReportState, ReportState[]> = {
    new: [],
    incomplete: ['incomplete'],
    confirmed: ['confirmed'],
    triaged: ['confirmed', 'triaged'],
    in_progress: ['confirmed', 'triaged', 'in_progress'],
    fix_committed: ['confirmed', 'triaged', 'in_progress', 'fix_committed'],
    public: [],
    fix_released: ['fix_released'],
    invalid: ['invalid'],
    wont_fix: ['wont_fix'],
  };
  /** A fresh report brought to `state` through the real commands. */
  async function reportIn(state: ReportState): Promise<ReportRow> {
    const r = await receive(t);
    if (state === 'public' || state === 'fix_released') await makePublic(vmt, r.ref, 'Coordinated disclosure.');
    for (const s of paths[state]) await setState(vmt, r.ref, s, reason(s));
    const row = await reportRow(t, r.id);
    expect(row.state).toBe(state);
    return row;
  }

  it('follows the transitions table for every from × to, and nothing else', async () => {
    // DESIGN.md §2: `public` only through "make public"; closed and released reports are final.
    for (const from of reportStates) expect(transitions[from]).not.toContain('public');
    for (const final of ['fix_released', 'invalid', 'wont_fix'] as const) expect(transitions[final]).toEqual([]);
    for (const [a, b] of [['new', 'incomplete'], ['incomplete', 'confirmed'], ['confirmed', 'triaged'], ['triaged', 'in_progress'], ['in_progress', 'fix_committed'], ['public', 'fix_released']] as const) {
      expect(transitions[a]).toContain(b);
    }
    for (const from of reportStates) {
      const row = await reportIn(from);
      const before = await snapshot(t, row.id);
      for (const to of reportStates.filter((s) => !transitions[from].includes(s))) {
        const e = await refusal(setState(vmt, row.ref, to, 'A reason.'));
        expect(e.code, `${from} → ${to}`).toBe('validation_failed');
        expect(e.fields.map((f) => f.field)).toEqual(['state']);
        expect(e.fields[0]!.message).toContain(`${from} cannot become ${to}`);
        if (to === 'public') expect(e.fields[0]!.message).toContain('Make public');
      }
      expect((await refusal(setState(vmt, row.ref, 'bogus' as ReportState))).fields.map((f) => f.field)).toEqual(['state']);
      expect(await snapshot(t, row.id)).toEqual(before);

      for (const to of transitions[from]) {
        const fresh = await reportIn(from);
        if (reason(to)) {
          const snap = await snapshot(t, fresh.id);
          expect((await refusal(setState(vmt, fresh.ref, to, '  '))).fields.map((f) => f.field)).toEqual(['reason']);
          expect(await snapshot(t, fresh.id)).toEqual(snap);
        }
        await setState(vmt, fresh.ref, to, reason(to));
        expect((await reportRow(t, fresh.id)).state, `${from} → ${to}`).toBe(to);
        expect((await events(t, fresh.id, 'state_changed')).at(-1)?.data).toEqual({ from, to, reason: reason(to) });
        expect((await auditEvents(t, fresh.id, 'report.state_changed')).at(-1)?.after).toEqual({ state: to, reason: reason(to) });
      }
    }
  });

  it('classifies with the outcome of each class', async () => {
    const spec: Record<ReportClass, string> = { A: 'advisory', B1: 'note', B2: 'note', B3: 'note', C1: 'maybe a note', C2: 'maybe a note', D: 'maybe a note', E: 'nothing', Y: 'nothing', Z: 'nothing' };
    expect(Object.fromEntries(reportClasses.map((c) => [c, classOutcome[c].outcome]))).toEqual(spec);
    const r = await receive(t);
    for (const cls of reportClasses) {
      await setClass(vmt, r.ref, cls);
      expect((await reportRow(t, r.id)).class).toBe(cls);
      const last = (await events(t, r.id, 'class_set')).at(-1);
      expect(last).toMatchObject({ visibility: 'vmt', data: { class: cls, outcome: spec[cls] } });
    }
    expect(await auditEvents(t, r.id, 'report.classified')).toHaveLength(reportClasses.length);
    const before = await snapshot(t, r.id);
    expect((await refusal(setClass(vmt, r.ref, 'F' as ReportClass))).fields.map((f) => f.field)).toEqual(['class']);
    expect(await snapshot(t, r.id)).toEqual(before);
  });

  it('marks duplicates, assigns a VMT coordinator and redirects projects', async () => {
    const original = await receive(t);
    const dup = await receive(t);
    await markDuplicate(vmt, dup.ref, ` ${original.ref} `);
    expect(await reportRow(t, dup.id)).toMatchObject({ state: 'invalid', duplicate_of_id: original.id });
    expect((await events(t, dup.id, 'marked_duplicate'))[0]?.data).toEqual({ of: original.ref });
    const busy = await reportIn('in_progress');
    for (const [ref, of, field] of [[original.ref, original.ref, 'of'], [dup.ref, original.ref, 'of'], [busy.ref, original.ref, 'of']] as const) {
      expect((await refusal(markDuplicate(vmt, ref, of))).fields.map((f) => f.field)).toEqual([field]);
    }
    expect((await refusal(markDuplicate(vmt, original.ref, 'R-ZZZZZZZZ'))).code).toBe('not_found');

    await assignCoordinator(vmt, original.ref, vmt2.user.username.toUpperCase());
    expect((await reportRow(t, original.id)).coordinator_id).toBe(vmt2.user.id);
    // Not VMT, no such account, a disabled VMT account: none can coordinate.
    const gone = await makeUser(t, { roles: ['vmt'] });
    await t.ctx.storage.db.updateTable('users').set({ disabled_at: t.clock.now().toISOString() }).where('id', '=', gone.user.id).execute();
    const before = await snapshot(t, original.id);
    for (const who of [coresec.user.username, 'nobody-here', gone.user.username]) {
      expect((await refusal(assignCoordinator(vmt, original.ref, who))).fields.map((f) => f.field)).toEqual(['coordinator']);
    }
    expect(await snapshot(t, original.id)).toEqual(before);

    await redirectProject(vmt, original.ref, 'nova', 'glance');
    const projects = await t.ctx.storage.db.selectFrom('report_projects').innerJoin('projects', 'projects.id', 'report_projects.project_id').select('slug').where('report_id', '=', original.id).execute();
    expect(projects.map((p) => p.slug)).toEqual(['glance']);
    expect((await events(t, original.id, 'project_redirected'))[0]?.data).toEqual({ from: 'Nova', to: 'Glance' });
    expect((await auditEvents(t, original.id, 'report.project_redirected'))[0]?.after).toEqual({ project: 'glance' });
    expect((await refusal(redirectProject(vmt, original.ref, 'nova', 'glance'))).fields.map((f) => f.field)).toEqual(['from']);
    expect((await refusal(redirectProject(vmt, original.ref, 'glance', 'no-such'))).fields.map((f) => f.field)).toEqual(['to']);
  });

  it('widens disclosure only with a reason and the matching project role', async () => {
    const r = await receive(t);
    const before = await snapshot(t, r.id);
    const bad: [Parameters<typeof subscribe>[2], string][] = [
      [{ username: coresec.user.username, level: 'coresec', reason: ' ' }, 'reason'],
      [{ username: stranger.user.username, level: 'coresec', reason: 'Reviews fixes.' }, 'level'],
      [{ username: coresec.user.username, level: 'lead', reason: 'Leads.' }, 'level'],
      [{ username: 'nobody-here', level: 'developer', reason: 'Writes the fix.' }, 'username'],
      [{ username: stranger.user.username, level: 'root' as 'lead', reason: 'Why not.' }, 'level'],
    ];
    for (const [input, field] of bad) expect((await refusal(subscribe(vmt, r.ref, input))).fields.map((f) => f.field)).toEqual([field]);
    expect(await snapshot(t, r.id)).toEqual(before);

    await subscribe(vmt, r.ref, { username: coresec.user.username, level: 'coresec', reason: 'Reviews the fix.' });
    await subscribe(vmt, r.ref, { username: lead.user.username, level: 'lead', reason: 'Approves the impact.' });
    expect((await refusal(subscribe(vmt, r.ref, { username: lead.user.username, level: 'lead', reason: 'Again.' }))).fields.map((f) => f.field)).toEqual(['username']);
    expect((await events(t, r.id, 'subscribed'))[0]?.data).toMatchObject({ level: 'project security reviewer (coresec)', reason: 'Reviews the fix.' });
    expect((await auditEvents(t, r.id, 'report.disclosure_widened'))[0]?.after).toMatchObject({ user_id: coresec.user.id, level: 'coresec', reason: 'Reviews the fix.' });
    expect(await recipientsOf(t, r.ref, 'You were given access')).toContain(coresec.user.email);
  });

  it('lets only the VMT triage: 403 for a subscriber or the reporter, 404 for anyone else', async () => {
    const finder = await makeUser(t);
    const r = await receive(t, {}, await userScope(t, finder));
    const other = await receive(t);
    await subscribe(vmt, r.ref, { username: coresec.user.username, level: 'coresec', reason: 'Reviews the fix.' });
    const sub = (await t.ctx.storage.db.selectFrom('report_subscriptions').select('id').where('report_id', '=', r.id).executeTakeFirstOrThrow()).id;
    const commands: [string, (s: Scope, ref: string) => Promise<unknown>][] = [
      ['acknowledge', (s, ref) => acknowledge(s, ref)],
      ['coordinator', (s, ref) => assignCoordinator(s, ref, vmt2.user.username)],
      ['state', (s, ref) => setState(s, ref, 'confirmed')],
      ['class', (s, ref) => setClass(s, ref, 'A')],
      ['redirect', (s, ref) => redirectProject(s, ref, 'nova', 'glance')],
      ['duplicate', (s, ref) => markDuplicate(s, ref, other.ref)],
      ['subscribe', (s, ref) => subscribe(s, ref, { username: stranger.user.username, level: 'developer', reason: 'Helps.' })],
      ['unsubscribe', (s, ref) => unsubscribe(s, ref, sub)],
      ['cve request', (s, ref) => requestCve(s, ref)],
      ['cve assign', (s, ref) => assignCve(s, ref, 'CVE-2026-55555')],
      ['impact', (s, ref) => draftImpact(s, ref, impact)],
      ['make public', (s, ref) => makePublic(s, ref, 'Coordinated disclosure.')],
      ['end early', (s, ref) => endEmbargoEarly(s, ref, 'Leaked.')],
      ['extend', (s, ref) => extendEmbargo(s, ref, '2026-12-01', 'Needs time.')],
      ['plan', (s, ref) => planDisclosure(s, ref, '2026-02-03')],
    ];
    const before = await snapshot(t, r.id);
    for (const [what, run] of commands) {
      expect((await refusal(run(await userScope(t, coresec), r.ref))).status, what).toBe(403);
      expect((await refusal(run(await userScope(t, coresec), r.ref))).code, what).toBe('forbidden_action');
      expect((await refusal(run(await userScope(t, stranger), r.ref))).code, what).toBe('not_found');
      expect((await refusal(run(await userScope(t, lead), r.ref))).status, what).toBe(404);
      expect((await refusal(run(await userScope(t, finder), r.ref))).code, what).toBe('forbidden_action');
      expect((await refusal(run(t.system, r.ref))).code, what).toBe('not_found');
    }
    expect(await snapshot(t, r.id)).toEqual(before);
  });

  const impact: ImpactFieldsInput = {
    reporter: 'Jane Doe from Example Corp',
    project: 'Nova',
    action: 'creating servers with crafted metadata',
    actor: 'authenticated user',
    impact: 'exhaust disk space',
    consequence: 'a denial of service',
    mode: 'setups using the VMware driver',
  };

  it('requests a CVE once and assigns valid, unique ids', async () => {
    const r = await receive(t);
    const other = await receive(t);
    await requestCve(vmt, r.ref);
    expect((await reportRow(t, r.id)).cve_requested_at).toBe(t.clock.now().toISOString());
    expect((await refusal(requestCve(vmt, r.ref))).code).toBe('conflict');
    expect(await assignCve(vmt, r.ref, ' cve-2026-12345 ')).toBe('CVE-2026-12345');
    expect((await events(t, r.id, 'cve_assigned'))[0]?.data).toEqual({ cve: 'CVE-2026-12345' });
    const before = await snapshot(t, r.id);
    for (const [ref, id] of [[r.ref, 'CVE-26-1'], [r.ref, 'CVE-2026-012345'], [r.ref, ''], [r.ref, 'CVE-2026-12345'], [other.ref, 'CVE-2026-12345']] as const) {
      const e = await refusal(assignCve(vmt, ref, id));
      expect(e.fields.map((f) => f.field), id).toEqual(['cve']);
    }
    expect(await snapshot(t, r.id)).toEqual(before);
    expect(await t.ctx.storage.db.selectFrom('report_cves').select('cve_id').where('report_id', '=', other.id).execute()).toEqual([]);
  });

  it('drafts the impact from the template; the reporter and a subscribed lead approve; an edit makes approvals stale', async () => {
    const r = await receive(t);
    const incomplete = await refusal(draftImpact(vmt, r.ref, { ...impact, action: ' ' }));
    expect(incomplete.fields.map((f) => f.field)).toEqual(['action']);
    expect((await refusal(approveImpact(t.system, r.ref, { reporterLink: true }))).code).toBe('conflict');

    const text = await draftImpact(vmt, r.ref, impact);
    expect(text).toBe(
      'Jane Doe from Example Corp reported a vulnerability in Nova. By creating servers with crafted metadata an authenticated user may exhaust disk space resulting in a denial of service. Only setups using the VMware driver are affected.',
    );
    expect((await reportRow(t, r.id)).impact_text).toBe(text);
    const approvals = () => impactApprovals(vmt, r.id, text);
    expect(await approvals()).toEqual({ reporter: false, lead: false });

    // The lead must be subscribed to read it; the VMT and a coresec subscriber do not approve.
    expect((await refusal(approveImpact(await userScope(t, lead), r.ref))).code).toBe('not_found');
    await subscribe(vmt, r.ref, { username: lead.user.username, level: 'lead', reason: 'Approves the impact.' });
    await subscribe(vmt, r.ref, { username: coresec.user.username, level: 'coresec', reason: 'Reviews.' });
    for (const s of [vmt, await userScope(t, coresec)]) expect((await refusal(approveImpact(s, r.ref))).code).toBe('forbidden_action');

    expect(await approveImpact(t.system, r.ref, { reporterLink: true })).toBe('reporter');
    // An approval is a change: a read-only API token of the lead may not give it.
    const readOnly = await buildUserActor(t.ctx.storage.db, t.ctx.config, lead.user, { kind: 'token', scopes: ['read'] });
    expect((await refusal(approveImpact({ app: t.ctx, actor: readOnly, requestId: 'token' }, r.ref))).code).toBe('forbidden_action');
    expect(await approvals()).toEqual({ reporter: true, lead: false });
    expect(await approveImpact(await userScope(t, lead), r.ref)).toBe('lead');
    expect(await approvals()).toEqual({ reporter: true, lead: true });
    expect((await events(t, r.id, 'impact_approved')).map((e) => e.data.role)).toEqual(['reporter', 'lead']);

    const edited = await draftImpact(vmt, r.ref, { ...impact, consequence: 'an outage of the compute service' });
    expect(edited).not.toBe(text);
    expect(await impactApprovals(vmt, r.id, edited)).toEqual({ reporter: false, lead: false });
    await approveImpact(t.system, r.ref, { reporterLink: true });
    expect(await impactApprovals(vmt, r.id, edited)).toEqual({ reporter: true, lead: false });
  });
});
