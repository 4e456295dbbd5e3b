// Helpers for the embargo, deadline and triage tests: a project with a VMT, scopes for users, the real job
// worker on the test clock, and readers for what the commands leave behind (timeline, audit, queued mail).
import { buildUserActor } from '../../access/load-actor.js';
import type { Scope } from '../../context.js';
import { AppError } from '../../errors/catalogue.js';
import { buildJobRegistry } from '../../jobs/registry.js';
import { Worker } from '../../jobs/worker.js';
import { MAIL_JOB, type OutgoingMail } from '../../mail/outbox.js';
import { createProject } from '../../projects/projects.js';
import type { JobRow } from '../../storage/tables.js';
import { makeUser, type TestApp, type TestUser } from '../../testing/harness.js';
import { receiveReport, type ReportInput } from '../intake.js';

/** The actor a signed-in user (second factor passed) gets, fresh from the database. */
export async function userScope(t: TestApp, u: TestUser): Promise<Scope> {
  const user = await t.ctx.storage.db.selectFrom('users').selectAll().where('id', '=', u.user.id).executeTakeFirstOrThrow();
  const actor = await buildUserActor(t.ctx.storage.db, t.ctx.config, user, { kind: 'session', mfaPassed: true });
  return { app: t.ctx, actor, requestId: `test-${u.user.username}` };
}

export interface Team {
  vmt: TestUser[];
  vmtScope: Scope;
}

/** One VMT-overseen project `nova` (and `glance`), and two VMT members. */
export async function setUpTeam(t: TestApp): Promise<Team> {
  await createProject(t.system, { slug: 'nova', name: 'Nova' });
  await createProject(t.system, { slug: 'glance', name: 'Glance' });
  const vmt = [await makeUser(t, { roles: ['vmt'] }), await makeUser(t, { roles: ['vmt'] })];
  return { vmt, vmtScope: await userScope(t, vmt[0]!) };
}

export const SECRET_TITLE = 'Heap overflow in nova-api metadata handler (TITLE-MARKER-7f3a)';
export const SECRET_DESCRIPTION = 'Sending a crafted X-Instance-ID header overflows a buffer. DESCRIPTION-MARKER-91bc';
export const REPORTER_EMAIL = 'finder@example.net';

export function reportInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return { title: SECRET_TITLE, description: SECRET_DESCRIPTION, projects: ['nova'], email: REPORTER_EMAIL, ...overrides };
}

/** A report received now (test clock) from an anonymous reporter. */
export async function receive(t: TestApp, overrides: Partial<ReportInput> = {}, scope: Scope = t.system) {
  const { report } = await receiveReport(scope, reportInput(overrides), [], 'web');
  return report;
}

export function jobWorker(t: TestApp): Worker {
  return new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry: buildJobRegistry(t.ctx), workerId: 'test-worker' });
}

export async function reportRow(t: TestApp, id: number) {
  return t.ctx.storage.db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export async function events(t: TestApp, reportId: number, kind?: string) {
  let q = t.ctx.storage.db.selectFrom('report_events').selectAll().where('report_id', '=', reportId).orderBy('id');
  if (kind) q = q.where('kind', '=', kind);
  return (await q.execute()).map((e) => ({ ...e, data: JSON.parse(e.data) as Record<string, unknown> }));
}

export async function auditEvents(t: TestApp, reportId: number, action?: string) {
  let q = t.ctx.storage.db.selectFrom('audit_events').selectAll().where('target_type', '=', 'report').where('target_id', '=', String(reportId)).orderBy('id');
  if (action) q = q.where('action', '=', action);
  return (await q.execute()).map((e) => ({ ...e, after: e.after_json ? (JSON.parse(e.after_json) as Record<string, unknown>) : null }));
}

export interface QueuedMail extends OutgoingMail {
  jobId: number;
  status: JobRow['status'];
}

/** Every mail queued about one report (by its X-Cordon-Report header), oldest first. */
export async function mailsAbout(t: TestApp, ref: string): Promise<QueuedMail[]> {
  const rows = await t.ctx.storage.db.selectFrom('jobs').select(['id', 'payload', 'status']).where('kind', '=', MAIL_JOB).orderBy('id').execute();
  return rows
    .map((r) => ({ ...(JSON.parse(r.payload) as OutgoingMail), jobId: r.id, status: r.status }))
    .filter((m) => m.headers?.['X-Cordon-Report'] === ref);
}

/** Recipients of the mails about `ref` whose subject contains `subjectPart`, sorted. */
export async function recipientsOf(t: TestApp, ref: string, subjectPart: string): Promise<string[]> {
  return (await mailsAbout(t, ref))
    .filter((m) => m.subject.includes(subjectPart))
    .flatMap((m) => m.to)
    .sort();
}

/** Everything a refused command must leave untouched: the report, its jobs, its timeline and the audit log. */
export async function snapshot(t: TestApp, reportId: number) {
  const db = t.ctx.storage.db;
  const [report, jobs, timeline, audit, subscriptions, cves, approvals] = await Promise.all([
    reportRow(t, reportId),
    db.selectFrom('jobs').select(['id', 'kind', 'status', 'run_at', 'dedupe_key', 'payload']).orderBy('id').execute(),
    db.selectFrom('report_events').select('id').where('report_id', '=', reportId).execute(),
    db.selectFrom('audit_events').select('id').execute(),
    db.selectFrom('report_subscriptions').selectAll().where('report_id', '=', reportId).orderBy('id').execute(),
    db.selectFrom('report_cves').selectAll().where('report_id', '=', reportId).orderBy('cve_id').execute(),
    db.selectFrom('report_approvals').selectAll().where('report_id', '=', reportId).orderBy('id').execute(),
  ]);
  return { report, jobs, timeline: timeline.length, audit: audit.length, subscriptions, cves, approvals };
}

/** The AppError a command fails with (any other failure, or success, fails the test). */
export async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected the command to be refused, but it succeeded');
}

export const DAY = 86_400_000;
export const MINUTE = 60_000;
