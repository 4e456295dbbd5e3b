// The embargo clock (DESIGN.md §2 "Embargo rules", issue 3 item 7) through the real commands and the real
// job worker on a clock the test moves: opening at the hard end, warnings before it, extensions, early
// ends, planned disclosure. Both databases.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { enqueueJob, claimJob } from '../../jobs/queue.js';
import { EMBARGO_OPEN_JOB, openKey } from './schedule.js';
import { testDialects } from '../../testing/databases.js';
import { createTestApp, makeUser, type TestApp } from '../../testing/harness.js';
import { endEmbargoEarly, extendEmbargo, makePublic, planDisclosure } from './decisions.js';
import { acknowledge, setState } from '../triage.js';
import { subscribe } from '../ladder.js';
import { readTimeline } from '../timeline.js';
import {
  DAY,
  MINUTE,
  REPORTER_EMAIL,
  SECRET_DESCRIPTION,
  SECRET_TITLE,
  auditEvents,
  events,
  jobWorker,
  mailsAbout,
  receive,
  recipientsOf,
  refusal,
  reportRow,
  setUpTeam,
  snapshot,
  userScope,
} from '../testing/deadline-fixtures.js';

const T = Date.parse('2026-01-06T10:00:00.000Z'); // a Tuesday
const iso = (ms: number) => new Date(ms).toISOString();

describe.each(testDialects())('embargo clock on %s', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  async function setUp(overrides: Parameters<typeof createTestApp>[1] = {}) {
    t = await createTestApp(dialect, overrides);
    t.clock.set(iso(T));
    const team = await setUpTeam(t);
    const dev = await makeUser(t);
    return { ...team, dev, worker: jobWorker(t) };
  }

  it('opens the report at the hard end, exactly once, after warnings at 14, 7 and 1 days', async () => {
    const { vmt, vmtScope, dev, worker } = await setUp();
    const report = await receive(t);
    await subscribe(vmtScope, report.ref, { username: dev.user.username, level: 'developer', reason: 'Writes the fix.' });
    await acknowledge(vmtScope, report.ref);

    const end = T + 90 * DAY;
    expect(t.ctx.config.embargoMaxDays).toBe(90);
    expect(report.embargo_end_at).toBe(iso(end));
    expect(report.received_at).toBe(iso(T));

    // Each warning fires at its moment, not a minute before, and once however often the worker runs.
    for (const [i, days] of [14, 7, 1].entries()) {
      t.clock.set(iso(end - days * DAY - MINUTE));
      await worker.drain();
      expect((await events(t, report.id, 'embargo_warning')).map((e) => e.data.days)).toEqual([14, 7, 1].slice(0, i));
      t.clock.set(iso(end - days * DAY));
      await worker.drain();
      await worker.drain();
      expect((await events(t, report.id, 'embargo_warning')).map((e) => e.data.days)).toEqual([14, 7, 1].slice(0, i + 1));
      const subject = `The embargo ends in ${days} day${days === 1 ? '' : 's'}.`;
      expect(await recipientsOf(t, report.ref, subject)).toEqual([dev.user.email, ...vmt.map((u) => u.user.email)].sort());
    }
    expect(await auditEvents(t, report.id, 'embargo.warning_sent')).toHaveLength(3);

    // A minute before the end nothing opens.
    t.clock.set(iso(end - MINUTE));
    await worker.drain();
    expect((await reportRow(t, report.id)).visibility).toBe('private');
    expect(await events(t, report.id, 'opened_at_embargo_end')).toHaveLength(0);

    t.clock.set(iso(end));
    await worker.drain();
    const opened = await reportRow(t, report.id);
    expect(opened).toMatchObject({ visibility: 'public', state: 'public', public_at: iso(end) });
    const timeline = await events(t, report.id, 'opened_at_embargo_end');
    expect(timeline).toHaveLength(1);
    expect(timeline[0]).toMatchObject({ visibility: 'everyone', actor_id: null, at: iso(end) });
    const audit = await auditEvents(t, report.id, 'report.opened_at_embargo_end');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: null, actor_label: 'system' });
    expect(audit[0]!.after).toMatchObject({ visibility: 'public', state: 'public' });

    // The VMT, the subscriber and the (anonymous) reporter are told, in mails that carry nothing private.
    expect(await recipientsOf(t, report.ref, 'The report is now public.')).toEqual([REPORTER_EMAIL, dev.user.email, ...vmt.map((u) => u.user.email)].sort());
    const mails = await mailsAbout(t, report.ref);
    expect(mails.length).toBeGreaterThan(10);
    for (const m of mails) {
      for (const secret of [SECRET_TITLE, SECRET_DESCRIPTION, 'TITLE-MARKER-7f3a', 'DESCRIPTION-MARKER-91bc']) {
        expect(m.subject).not.toContain(secret);
        expect(m.text).not.toContain(secret);
      }
      expect(m.status).toBe('done');
    }
    // The worker really delivered them (the default outbox writes .eml files).
    const outbox = path.join(t.ctx.config.dataDir, 'outbox');
    expect(existsSync(outbox) && readdirSync(outbox).filter((f) => f.endsWith('.eml')).length).toBeGreaterThanOrEqual(mails.length);

    // Running the worker again, even much later, does nothing more.
    const before = await snapshot(t, report.id);
    t.clock.set(iso(end + 30 * DAY));
    expect(await worker.drain()).toBe(0);
    expect(await snapshot(t, report.id)).toEqual(before);
    const openJob = await t.ctx.storage.db.selectFrom('jobs').selectAll().where('dedupe_key', '=', openKey(report.id, 1)).executeTakeFirstOrThrow();
    expect(openJob).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('an extension moves the end, cancels the old opening and tells the reporter', async () => {
    const { vmtScope, worker } = await setUp();
    const report = await receive(t);
    // A second report whose v1 opening job a slow worker has already claimed when the VMT extends.
    const claimedReport = await receive(t, { title: 'Second report' });
    const oldEnd = T + 90 * DAY;
    const claimed = await claimJob(t.ctx.storage, new Date(oldEnd), 'slow-worker', 3_600_000, [EMBARGO_OPEN_JOB]);
    expect(claimed?.dedupe_key).toBe(openKey(report.id, 1));
    const claimedToo = await claimJob(t.ctx.storage, new Date(oldEnd), 'slow-worker', 3_600_000, [EMBARGO_OPEN_JOB]);
    expect(claimedToo?.dedupe_key).toBe(openKey(claimedReport.id, 1));
    // Give the first report back to the queue, so its v1 job is the "queued, gets cancelled" case.
    await t.ctx.storage.db.updateTable('jobs').set({ status: 'queued', locked_by: null, locked_until: null }).where('id', '=', claimed!.id).execute();

    t.clock.set(iso(T + 10 * DAY));
    const newEnd = '2026-05-20T15:00:00.000Z';
    const reason = 'The fix needs a coordinated release with a dependency.';
    await extendEmbargo(vmtScope, report.ref, '2026-05-20T15:00', `  ${reason}  `);
    await extendEmbargo(vmtScope, claimedReport.ref, '2026-05-20T15:00', reason);
    for (const r of [report, claimedReport]) {
      expect(await reportRow(t, r.id)).toMatchObject({ embargo_end_at: newEnd, embargo_version: 2, visibility: 'private' });
      const v2 = await t.ctx.storage.db.selectFrom('jobs').selectAll().where('dedupe_key', '=', openKey(r.id, 2)).executeTakeFirstOrThrow();
      expect(v2).toMatchObject({ status: 'queued', run_at: newEnd });
      const [extended] = await events(t, r.id, 'embargo_extended');
      expect(extended?.data).toEqual({ end: newEnd, reason });
      const [audit] = await auditEvents(t, r.id, 'embargo.extended');
      expect(audit?.after).toEqual({ embargo_end_at: newEnd, reason });
      expect(JSON.parse(audit!.before_json!)).toEqual({ embargo_end_at: iso(oldEnd) });
      expect(audit?.actor_label).toBe(vmtScope.actor.kind === 'user' ? vmtScope.actor.username : '');
      expect(await recipientsOf(t, r.ref, 'The embargo end date changed.')).toContain(REPORTER_EMAIL);
    }
    const v1Status = async (id: number) =>
      (await t.ctx.storage.db.selectFrom('jobs').select('status').where('kind', '=', EMBARGO_OPEN_JOB).where('payload', '=', JSON.stringify({ reportId: id, version: 1 })).execute()).map((j) => j.status);
    expect(await v1Status(report.id)).toEqual(['cancelled']);
    expect(await v1Status(claimedReport.id)).toEqual(['running']);

    // A stale job for version 1 queued by hand (as if left over from before the extension).
    await enqueueJob(t.ctx.storage.db, t.clock.now(), EMBARGO_OPEN_JOB, { reportId: report.id, version: 1 }, { runAt: new Date(oldEnd) });
    // The claimed stale job finally runs: it sees the version moved on and does nothing.
    await worker.execute(claimedToo!);
    t.clock.set(iso(oldEnd));
    await worker.drain();
    expect(await v1Status(report.id)).toEqual(['cancelled', 'done']);
    expect(await v1Status(claimedReport.id)).toEqual(['done']);
    for (const r of [report, claimedReport]) {
      expect((await reportRow(t, r.id)).visibility).toBe('private');
      expect(await events(t, r.id, 'opened_at_embargo_end')).toHaveLength(0);
    }

    t.clock.set(iso(Date.parse(newEnd) - MINUTE));
    await worker.drain();
    expect((await reportRow(t, report.id)).visibility).toBe('private');
    // Warnings came from the new version only, one per distance.
    expect((await events(t, report.id, 'embargo_warning')).map((e) => e.data.days)).toEqual([14, 7, 1]);
    t.clock.set(newEnd);
    await worker.drain();
    for (const r of [report, claimedReport]) {
      expect(await reportRow(t, r.id)).toMatchObject({ visibility: 'public', public_at: newEnd });
      expect(await events(t, r.id, 'opened_at_embargo_end')).toHaveLength(1);
      expect(await auditEvents(t, r.id, 'report.opened_at_embargo_end')).toHaveLength(1);
    }
  });

  it('refuses bad extensions with a clear error and changes nothing', async () => {
    const { vmtScope, dev } = await setUp();
    const report = await receive(t);
    await subscribe(vmtScope, report.ref, { username: dev.user.username, level: 'developer', reason: 'Writes the fix.' });
    const before = await snapshot(t, report.id);
    const cases: [string, string, string][] = [
      ['2026-03-01', 'Earlier than the end.', 'end'],
      [report.embargo_end_at, 'The same moment as the end.', 'end'],
      ['2026-06-01', '', 'reason'],
      ['2026-06-01', '   ', 'reason'],
      ['next tuesday', 'Garbage.', 'end'],
      ['', 'Empty.', 'end'],
      ['2026-06-31', 'No such day (rolls over to 1 July if parsed loosely).', 'end'],
      ['2026-06-01T25:00', 'No such hour.', 'end'],
      ['2026-06-01 15:00', 'Space instead of T.', 'end'],
      ['99999-01-01', 'Five-digit year.', 'end'],
    ];
    for (const [end, reason, field] of cases) {
      const e = await refusal(extendEmbargo(vmtScope, report.ref, end, reason));
      expect(e.code, `${end} / ${reason}`).toBe('validation_failed');
      expect(e.fields.map((f) => f.field), `${end} / ${reason}`).toEqual([field]);
      expect(e.fields[0]!.message.length).toBeGreaterThan(10);
    }
    // Only the VMT may extend: a subscribed developer gets a 403 on a report they can read.
    const forbidden = await refusal(extendEmbargo(await userScope(t, dev), report.ref, '2026-06-01', 'Please.'));
    expect(forbidden).toMatchObject({ code: 'forbidden_action', status: 403 });
    expect(await snapshot(t, report.id)).toEqual(before);
  });

  it('reads a time without a zone as UTC, whatever the server’s time zone', async () => {
    const { vmtScope } = await setUp();
    const report = await receive(t);
    const saved = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      await extendEmbargo(vmtScope, report.ref, '2026-05-20T15:00', 'Coordinated release.');
      await planDisclosure(vmtScope, report.ref, '2026-05-19T14:30');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
    expect(await reportRow(t, report.id)).toMatchObject({ embargo_end_at: '2026-05-20T15:00:00.000Z', planned_disclosure_at: '2026-05-19T14:30:00.000Z' });
  });

  it('ends the embargo early on a leak; the scheduled opening then does nothing', async () => {
    const { vmt, vmtScope, worker } = await setUp();
    const report = await receive(t);
    const end = T + 90 * DAY;

    const before = await snapshot(t, report.id);
    const noReason = await refusal(endEmbargoEarly(vmtScope, report.ref, '  '));
    expect(noReason.fields.map((f) => f.field)).toEqual(['reason']);
    expect(await snapshot(t, report.id)).toEqual(before);

    // The opening job was already claimed by a slow worker before the leak: it must not open twice.
    const stale = await claimJob(t.ctx.storage, new Date(end), 'slow-worker', 3_600_000, [EMBARGO_OPEN_JOB]);
    expect(JSON.parse(stale!.payload)).toEqual({ reportId: report.id, version: 1 });

    t.clock.set(iso(T + 20 * DAY));
    await endEmbargoEarly(vmtScope, report.ref, 'The exploit was posted to a public mailing list.');
    expect(await reportRow(t, report.id)).toMatchObject({ visibility: 'public', state: 'public', public_at: iso(T + 20 * DAY) });
    expect((await events(t, report.id, 'embargo_ended_early'))[0]?.data).toEqual({ reason: 'The exploit was posted to a public mailing list.' });
    expect(await auditEvents(t, report.id, 'embargo.ended_early')).toHaveLength(1);
    // Queued warnings are cancelled with the opening.
    const warnings = await t.ctx.storage.db.selectFrom('jobs').select('status').where('kind', '=', 'embargo.warn').where('payload', 'like', `{"reportId":${report.id},%`).execute();
    expect(warnings.map((w) => w.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    // The reporter and the other VMT member hear of it; the VMT member who acted does not mail themself.
    expect(await recipientsOf(t, report.ref, 'The report is now public.')).toEqual([REPORTER_EMAIL, vmt[1]!.user.email].sort());
    expect((await refusal(endEmbargoEarly(vmtScope, report.ref, 'Again.'))).code).toBe('conflict');

    await worker.execute(stale!);
    t.clock.set(iso(end + DAY));
    await worker.drain();
    expect(await events(t, report.id, 'opened_at_embargo_end')).toHaveLength(0);
    expect(await events(t, report.id, 'embargo_warning')).toHaveLength(0);
    expect(await auditEvents(t, report.id, 'report.opened_at_embargo_end')).toHaveLength(0);
    expect(await auditEvents(t, report.id, 'embargo.ended_early')).toHaveLength(1);
    expect((await reportRow(t, report.id)).public_at).toBe(iso(T + 20 * DAY));
  });

  it('makePublic opens at once and the embargo end later does nothing; a closed report keeps its state', async () => {
    const { vmtScope, worker } = await setUp();
    const opened = await receive(t);
    const closed = await receive(t, { title: 'Not really a bug' });
    const closedByVmt = await receive(t, { title: 'Hardening idea' });
    await setState(vmtScope, closed.ref, 'invalid', 'Works as designed.');
    await setState(vmtScope, closedByVmt.ref, 'wont_fix', 'Accepted risk, documented.');

    t.clock.set(iso(T + 5 * DAY));
    await makePublic(vmtScope, opened.ref, 'Coordinated disclosure.');
    await makePublic(vmtScope, closedByVmt.ref, 'Nothing sensitive in it.');
    expect(await reportRow(t, opened.id)).toMatchObject({ visibility: 'public', state: 'public', public_at: iso(T + 5 * DAY) });
    expect(await reportRow(t, closedByVmt.id)).toMatchObject({ visibility: 'public', state: 'wont_fix' });
    expect(await events(t, opened.id, 'made_public')).toHaveLength(1);
    expect(await auditEvents(t, opened.id, 'report.made_public')).toHaveLength(1);
    expect((await refusal(makePublic(vmtScope, opened.ref, 'Again.'))).code).toBe('conflict');

    t.clock.set(iso(T + 91 * DAY)); // the worker was down at the end: it opens as soon as it runs
    await worker.drain();
    // The report closed as invalid opens at its end but stays invalid.
    expect(await reportRow(t, closed.id)).toMatchObject({ visibility: 'public', state: 'invalid', public_at: iso(T + 91 * DAY) });
    expect(await events(t, closed.id, 'opened_at_embargo_end')).toHaveLength(1);
    for (const r of [opened, closedByVmt]) {
      expect(await events(t, r.id, 'opened_at_embargo_end')).toHaveLength(0);
      expect(await auditEvents(t, r.id, 'report.opened_at_embargo_end')).toHaveLength(0);
      expect((await reportRow(t, r.id)).public_at).toBe(iso(T + 5 * DAY));
    }
    expect(await events(t, opened.id, 'made_public')).toHaveLength(1);
  });

  it('plans the disclosure at the configured hour, never after the hard end', async () => {
    const { vmtScope } = await setUp();
    const report = await receive(t); // hard end 2026-04-06T10:00Z
    expect(t.ctx.config.disclosureHourUtc).toBe(15);

    await planDisclosure(vmtScope, report.ref, '2026-03-10');
    expect((await reportRow(t, report.id)).planned_disclosure_at).toBe('2026-03-10T15:00:00.000Z');
    expect((await events(t, report.id, 'disclosure_planned'))[0]?.data).toEqual({ at: '2026-03-10T15:00:00.000Z' });
    expect((await auditEvents(t, report.id, 'report.disclosure_planned'))[0]?.after).toEqual({ planned_disclosure_at: '2026-03-10T15:00:00.000Z' });
    await planDisclosure(vmtScope, report.ref, '2026-04-06T09:30');
    expect((await reportRow(t, report.id)).planned_disclosure_at).toBe('2026-04-06T09:30:00.000Z');

    const before = await snapshot(t, report.id);
    // The end's own day at the default hour (15:00) is already past the end (10:00).
    for (const bad of ['2026-04-06', '2026-04-07T09:00', '2026-02-30', 'soon', '2026-3-10']) {
      const e = await refusal(planDisclosure(vmtScope, report.ref, bad));
      expect(e.fields.map((f) => f.field), bad).toEqual(['planned_at']);
    }
    expect(await snapshot(t, report.id)).toEqual(before);

    await planDisclosure(vmtScope, report.ref, null);
    expect((await reportRow(t, report.id)).planned_disclosure_at).toBeNull();
  });

  it('takes the default disclosure hour from the configuration', async () => {
    const { vmtScope } = await setUp({ disclosureHourUtc: 9 });
    const report = await receive(t);
    await planDisclosure(vmtScope, report.ref, '2026-03-10');
    expect((await reportRow(t, report.id)).planned_disclosure_at).toBe('2026-03-10T09:00:00.000Z');
    // The same day now fits before the end (10:00).
    await planDisclosure(vmtScope, report.ref, '2026-04-06');
    expect((await reportRow(t, report.id)).planned_disclosure_at).toBe('2026-04-06T09:00:00.000Z');
  });

  it('skips warnings that come due only after the end (the worker was down)', async () => {
    const { worker } = await setUp();
    const report = await receive(t);
    t.clock.set(iso(T + 90 * DAY));
    await worker.drain();
    const visible = (await readTimeline(t.ctx.storage.db, report.id, 'reporter')).map((e) => e.kind);
    expect(visible).toEqual(['received', 'opened_at_embargo_end']);
  });

  it('shows the warnings and the opening to the reporter; the escalation stays VMT-only', async () => {
    const { worker } = await setUp();
    const report = await receive(t);
    for (const day of [76, 83, 89, 90]) {
      t.clock.set(iso(T + day * DAY));
      await worker.drain();
    }
    const visible = (await readTimeline(t.ctx.storage.db, report.id, 'reporter')).map((e) => e.kind);
    expect(visible).toEqual(['received', 'embargo_warning', 'embargo_warning', 'embargo_warning', 'opened_at_embargo_end']);
    const all = (await readTimeline(t.ctx.storage.db, report.id, 'vmt')).map((e) => e.kind);
    expect(all).toContain('escalated');
  });
});
