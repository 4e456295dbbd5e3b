// The disclosure hour (issue 7 item 2): nothing opens before the hour; at the hour the job runs each step
// once, each on the report's timeline; a crash injected after any step resumes at the next step without
// repeating one; a moved plan's old job does nothing. Both databases, the real job worker.
import { afterEach, describe, expect, it } from 'vitest';
import { insertScheduledPlan } from './testing/plans.js';
import { testDialects } from '../testing/databases.js';
import { createTestApp, signedInClient, type TestApp } from '../testing/harness.js';
import { events, jobWorker, receive, refusal, reportRow, setUpTeam } from '../reports/testing/deadline-fixtures.js';
import { DISCLOSURE_STEPS, runDisclosureSteps } from './run.js';
import type { DisclosureStep } from './tables.js';
import { discloseNow, endEmbargoEarlyOrDisclose } from './changes.js';
import { classAReport, completeForm, makeCast, scopeOf as advisoryScope } from '../advisories/testing/advisories.js';
import { approveAdvisory, createAdvisory } from '../advisories/commands.js';

const AT = '2026-01-20T15:00:00.000Z';

describe.each(testDialects())('the disclosure hour on %s', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  async function setUp() {
    t = await createTestApp(dialect);
    const team = await setUpTeam(t);
    const report = await receive(t);
    const plan = await insertScheduledPlan(t, report.id, AT, team.vmt[0]!.user.id);
    return { report, plan, team };
  }
  const stepsOf = async (planId: number) => (await t.ctx.storage.db.selectFrom('disclosure_steps').select('step').where('plan_id', '=', planId).orderBy('id').execute()).map((s) => s.step);
  const planState = async (planId: number) => (await t.ctx.storage.db.selectFrom('disclosure_plans').select('state').where('id', '=', planId).executeTakeFirstOrThrow()).state;

  it('opens nothing before the hour, then runs every step exactly once at the hour', async () => {
    const { report, plan, team } = await setUp();
    const worker = jobWorker(t);
    t.clock.set('2026-01-20T14:59:00.000Z');
    await worker.drain();
    expect((await reportRow(t, report.id)).visibility).toBe('private');
    expect(await stepsOf(plan.id)).toEqual([]);
    t.clock.set(AT);
    await worker.drain();
    expect(await stepsOf(plan.id)).toEqual([...DISCLOSURE_STEPS]);
    expect(await planState(plan.id)).toBe('done');
    const row = await reportRow(t, report.id);
    expect(row.visibility).toBe('public');
    expect(row.public_at).toBe(AT);
    expect(await events(t, report.id, 'made_public')).toHaveLength(1);
    // Issue 15: once open, the disclosure page says when the embargo ended, not "N days left".
    const page = (await (await signedInClient(t, team.vmt[0]!)).get(`/reports/${row.ref}/disclosure`)).body;
    expect(page).toContain('Embargo ended on');
    expect(page).not.toMatch(/\d+ days? left/);
    const timeline = (await events(t, report.id, 'disclosure_step')).map((e) => e.data.step);
    expect(timeline).toEqual([...DISCLOSURE_STEPS]);
    // Running again (a second worker, a retried job) changes nothing.
    expect(await runDisclosureSteps(t.ctx, { planId: plan.id, version: plan.version })).toEqual([]);
    await worker.drain();
    expect(await stepsOf(plan.id)).toEqual([...DISCLOSURE_STEPS]);
  });

  it.each(DISCLOSURE_STEPS.slice(0, -1))('resumes after a crash injected after %s, repeating no step', async (crashAfter: DisclosureStep) => {
    const { report, plan } = await setUp();
    t.clock.set(AT);
    const crash = () => {
      throw new Error('injected crash');
    };
    await expect(runDisclosureSteps(t.ctx, { planId: plan.id, version: 1 }, { afterStep: (s) => (s === crashAfter ? crash() : undefined) })).rejects.toThrow('injected crash');
    const index = DISCLOSURE_STEPS.indexOf(crashAfter);
    expect(await stepsOf(plan.id)).toEqual(DISCLOSURE_STEPS.slice(0, index + 1));
    expect((await reportRow(t, report.id)).visibility).toBe('public');
    // The job (still queued at the hour) picks up where the crash left off.
    await jobWorker(t).drain();
    expect(await stepsOf(plan.id)).toEqual([...DISCLOSURE_STEPS]);
    expect(await events(t, report.id, 'made_public')).toHaveLength(1);
    expect(await planState(plan.id)).toBe('done');
  });

  it('ignores the job of an older plan version (the plan was moved)', async () => {
    const { report, plan } = await setUp();
    await t.ctx.storage.db.updateTable('disclosure_plans').set({ version: 2 }).where('id', '=', plan.id).execute();
    t.clock.set(AT);
    await jobWorker(t).drain();
    expect(await stepsOf(plan.id)).toEqual([]);
    expect((await reportRow(t, report.id)).visibility).toBe('private');
    expect(await planState(plan.id)).toBe('scheduled');
  });

  it('a leak runs the disclosure steps at once, not at the hour', async () => {
    t = await createTestApp(dialect);
    const team = await setUpTeam(t);
    const report = await receive(t);
    const plan = await insertScheduledPlan(t, report.id, AT, team.vmt[0]!.user.id);
    expect((await refusal(discloseNow(team.vmtScope, report.ref, ''))).fields[0]?.field).toBe('reason');
    // "End the embargo early" on the report page takes the disclosure path when a plan is scheduled.
    expect(await endEmbargoEarlyOrDisclose(team.vmtScope, report.ref, 'The fix was pushed to a public review by mistake.')).toBe('disclosing');
    expect((await reportRow(t, report.id)).visibility).toBe('public');
    await jobWorker(t).drain();
    expect(await stepsOf(plan.id)).toEqual([...DISCLOSURE_STEPS]);
    expect((await reportRow(t, report.id)).public_at).toBe(t.clock.now().toISOString());
    expect(await events(t, report.id, 'embargo_ended_early')).toHaveLength(1);
    expect(await events(t, report.id, 'made_public')).toHaveLength(0);
    expect((await events(t, report.id, 'disclosure_step')).map((e) => e.data.detail)[0]).toBe('Report was already public.');
    // Without a scheduled disclosure, ending the embargo only opens the report.
    const other = await receive(t);
    expect(await endEmbargoEarlyOrDisclose(team.vmtScope, other.ref, 'Leaked on a mailing list.')).toBe('opened');
    expect((await reportRow(t, other.id)).visibility).toBe('public');
  });

  it('runs a disclosure planned after the hard end when the embargo opens the report at that end', async () => {
    t = await createTestApp(dialect);
    const team = await setUpTeam(t);
    const report = await receive(t);
    const late = new Date(new Date(report.embargo_end_at).getTime() + 7 * 86_400_000).toISOString();
    const plan = await insertScheduledPlan(t, report.id, late, team.vmt[0]!.user.id);
    t.clock.set(new Date(new Date(report.embargo_end_at).getTime() + 60_000));
    await jobWorker(t).drain();
    expect(await events(t, report.id, 'opened_at_embargo_end')).toHaveLength(1);
    expect(await stepsOf(plan.id)).toEqual([...DISCLOSURE_STEPS]);
    expect(await planState(plan.id)).toBe('done');
    expect((await events(t, report.id, 'disclosure_step')).map((e) => e.data.detail)[0]).toBe('Report was already public.');
    const moved = (await events(t, report.id, 'disclosure_planned')).at(-1);
    expect(moved?.data).toMatchObject({ moved_from: late, notified: false });
  });

  it('publishes the approved advisory at the hour, announcing it once, even after a crash right after publishing', async () => {
    t = await createTestApp(dialect, { announceLists: ['announce@lists.example.org'] });
    const cast = await makeCast(t);
    const { ref, impact } = await classAReport(t, cast);
    const vmt = await advisoryScope(t, cast.vmt);
    const advisory = await createAdvisory(vmt, completeForm({ description: impact }), { reportRef: ref });
    await approveAdvisory(await advisoryScope(t, cast.vmt2), advisory, 1);
    const report = await t.ctx.storage.db.selectFrom('reports').select('id').where('ref', '=', ref).executeTakeFirstOrThrow();
    const plan = await insertScheduledPlan(t, report.id, AT, cast.vmt.user.id);
    t.clock.set(AT);
    // A crash right after the advisory is published and its step recorded; the job resumes at the next step.
    await expect(runDisclosureSteps(t.ctx, { planId: plan.id, version: 1 }, { afterStep: (s) => { if (s === 'publish_advisory') throw new Error('injected crash'); } })).rejects.toThrow('injected crash');
    await jobWorker(t).drain();
    expect(await stepsOf(plan.id)).toEqual([...DISCLOSURE_STEPS]);
    const adv = await t.ctx.storage.db.selectFrom('advisories').select(['status', 'published_at']).where('ref', '=', advisory).executeTakeFirstOrThrow();
    expect(adv.status).toBe('published');
    const announcements = (await t.ctx.storage.db.selectFrom('jobs').select('payload').where('kind', '=', 'mail.send').execute()).filter((j) => String(j.payload).includes(`[${advisory}]`));
    expect(announcements).toHaveLength(1);
    expect((await events(t, report.id, 'disclosure_step')).map((e) => e.data.detail)).toContain(`Published ${advisory}; announcement queued.`);
  });
});
