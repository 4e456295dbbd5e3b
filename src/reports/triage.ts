// Triage by the VMT (DESIGN.md §2): acknowledge, coordinator, state, class, project, duplicates, closing.
import { change, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { canManage } from '../access/report-policy.js';
import type { ReportClass, ReportState } from '../storage/tables.js';
import { reportForActor, requireOn } from './load-for-actor.js';
import { actorName, addTimelineEvent } from './timeline.js';
import { notifyReport } from './notify.js';
import { findActiveUserWithRole } from '../accounts/users.js';
import { projectsBySlugs } from '../projects/projects.js';

export const reportStates: readonly ReportState[] = ['new', 'incomplete', 'confirmed', 'triaged', 'in_progress', 'fix_committed', 'public', 'fix_released', 'invalid', 'wont_fix'];
export const reportClasses: readonly ReportClass[] = ['A', 'B1', 'B2', 'B3', 'C1', 'C2', 'D', 'E', 'Y', 'Z'];

/** What each class leads to (DESIGN.md §2, classification). */
export const classOutcome: Record<ReportClass, { outcome: 'advisory' | 'note' | 'maybe a note' | 'nothing'; meaning: string }> = {
  A: { outcome: 'advisory', meaning: 'fixable in master and all supported branches' },
  B1: { outcome: 'note', meaning: 'fixable only in master; stable branches need guidance' },
  B2: { outcome: 'note', meaning: 'no complete fix yet (design issue)' },
  B3: { outcome: 'note', meaning: 'only in experimental or debug features' },
  C1: { outcome: 'maybe a note', meaning: 'not practically exploitable' },
  C2: { outcome: 'maybe a note', meaning: 'flaw in a dependency, not in the project' },
  D: { outcome: 'maybe a note', meaning: 'bug with security implications (hardening, misleading docs, admin-only risk)' },
  E: { outcome: 'nothing', meaning: 'neither a vulnerability nor a hardening opportunity' },
  Y: { outcome: 'nothing', meaning: 'only in the development release' },
  Z: { outcome: 'nothing', meaning: 'due process failed' },
};

/**
 * Allowed state changes. `public` is reached only through the distinct "make public" action (or the
 * embargo's end), never by editing the state; public reports skip `fix_committed` (no pre-notice).
 */
export const transitions: Record<ReportState, readonly ReportState[]> = {
  new: ['incomplete', 'confirmed', 'invalid', 'wont_fix'],
  incomplete: ['new', 'confirmed', 'invalid', 'wont_fix'],
  confirmed: ['incomplete', 'triaged', 'invalid', 'wont_fix'],
  triaged: ['confirmed', 'in_progress', 'invalid', 'wont_fix'],
  in_progress: ['triaged', 'fix_committed', 'wont_fix'],
  fix_committed: ['in_progress'],
  public: ['fix_released'],
  fix_released: [],
  invalid: [],
  wont_fix: [],
};

export async function acknowledge(scope: Scope, ref: string): Promise<void> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, 'acknowledge');
  if (report.row.acknowledged_at) throw errors.conflict('This report is already acknowledged.');
  await change(scope, async ({ trx, now, audit, enqueue }) => {
    const patch: { acknowledged_at: string; updated_at: string; coordinator_id?: number } = { acknowledged_at: now.toISOString(), updated_at: now.toISOString() };
    // The first VMT member to acknowledge coordinates unless someone already does (DESIGN.md §1: exactly one once accepted).
    if (!report.row.coordinator_id && scope.actor.kind === 'user') patch.coordinator_id = scope.actor.userId;
    await trx.updateTable('reports').set(patch).where('id', '=', report.row.id).execute();
    await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'acknowledged', {});
    if (patch.coordinator_id) await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'coordinator_assigned', { coordinator: actorName(scope.actor).label });
    await notifyReport({ trx, config: scope.app.config, enqueue }, report.row, { what: 'Your report was acknowledged.', visibility: 'everyone', reporter: true, exceptUserId: actorId(scope) });
    await audit('report.acknowledged', 'report', report.row.id, { acknowledged_at: null }, patch);
  });
}

function actorId(scope: Scope): number | null {
  return scope.actor.kind === 'user' ? scope.actor.userId : null;
}

export async function assignCoordinator(scope: Scope, ref: string, username: string): Promise<void> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, 'assign a coordinator');
  // A disabled account cannot act, so it cannot coordinate (the ladder refuses disabled users too).
  const user = await findActiveUserWithRole(scope.app.storage.db, username, 'vmt');
  if (!user) throw errors.field('coordinator', 'The coordinator must be an active VMT member.');
  await change(scope, async ({ trx, now, audit }) => {
    await trx.updateTable('reports').set({ coordinator_id: user.id, updated_at: now.toISOString() }).where('id', '=', report.row.id).execute();
    await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'coordinator_assigned', { coordinator: user.display_name });
    await audit('report.coordinator_assigned', 'report', report.row.id, { coordinator_id: report.row.coordinator_id }, { coordinator_id: user.id });
  });
}

export async function setState(scope: Scope, ref: string, to: ReportState, reason = ''): Promise<void> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, 'change the state');
  if (!reportStates.includes(to)) throw errors.field('state', 'Unknown state.');
  const from = report.row.state;
  if (!transitions[from].includes(to)) {
    throw errors.field('state', `A report that is ${from} cannot become ${to}${to === 'public' ? ' this way: use “Make public”' : ''}. Allowed: ${transitions[from].join(', ') || 'none'}.`);
  }
  if ((to === 'invalid' || to === 'wont_fix') && !reason.trim()) throw errors.field('reason', 'Say why the report is closed; the reporter sees it.');
  await change(scope, async ({ trx, now, audit, enqueue }) => {
    const r = await trx.updateTable('reports').set({ state: to, updated_at: now.toISOString() }).where('id', '=', report.row.id).where('state', '=', from).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw errors.conflict('The report changed meanwhile; reload and try again.');
    await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'state_changed', { from, to, reason: reason.trim() });
    await notifyReport({ trx, config: scope.app.config, enqueue }, report.row, { what: `The report is now ${to.replace('_', ' ')}.`, visibility: 'everyone', reporter: true, exceptUserId: actorId(scope) });
    await audit('report.state_changed', 'report', report.row.id, { state: from }, { state: to, reason: reason.trim() });
  });
}

export async function setClass(scope: Scope, ref: string, cls: ReportClass): Promise<void> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, 'classify');
  if (!reportClasses.includes(cls)) throw errors.field('class', `Use one of ${reportClasses.join(', ')}.`);
  await change(scope, async ({ trx, now, audit }) => {
    await trx.updateTable('reports').set({ class: cls, updated_at: now.toISOString() }).where('id', '=', report.row.id).execute();
    await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'class_set', { class: cls, outcome: classOutcome[cls].outcome }, 'vmt');
    await audit('report.classified', 'report', report.row.id, { class: report.row.class }, { class: cls });
  });
}

export async function redirectProject(scope: Scope, ref: string, fromSlug: string, toSlug: string): Promise<void> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, 'move');
  const [target] = await projectsBySlugs(scope.app.storage.db, [toSlug]);
  if (!target) throw errors.field('to', 'Unknown project.');
  const from = report.projects.find((p) => p.slug === fromSlug);
  if (!from) throw errors.field('from', 'The report is not filed against that project.');
  await change(scope, async ({ trx, now, audit }) => {
    await trx.deleteFrom('report_projects').where('report_id', '=', report.row.id).where('project_id', '=', from.id).execute();
    await trx.insertInto('report_projects').values({ report_id: report.row.id, project_id: target.id }).onConflict((oc) => oc.columns(['report_id', 'project_id']).doNothing()).execute();
    await trx.updateTable('reports').set({ updated_at: now.toISOString() }).where('id', '=', report.row.id).execute();
    await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'project_redirected', { from: from.name, to: target.name });
    await audit('report.project_redirected', 'report', report.row.id, { project: fromSlug }, { project: toSlug });
  });
}

export async function markDuplicate(scope: Scope, ref: string, ofRef: string): Promise<void> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, 'mark as duplicate');
  const original = await reportForActor(scope, ofRef.trim());
  if (original.row.id === report.row.id) throw errors.field('of', 'A report cannot duplicate itself.');
  if (!transitions[report.row.state].includes('invalid')) throw errors.field('of', `A ${report.row.state} report cannot be closed as a duplicate.`);
  await change(scope, async ({ trx, now, audit }) => {
    await trx.updateTable('reports').set({ duplicate_of_id: original.row.id, state: 'invalid', updated_at: now.toISOString() }).where('id', '=', report.row.id).execute();
    await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'marked_duplicate', { of: original.row.ref });
    await audit('report.marked_duplicate', 'report', report.row.id, { state: report.row.state }, { state: 'invalid', duplicate_of: original.row.ref });
  });
}
