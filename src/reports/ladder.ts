// The disclosure ladder (DESIGN.md §2): every widening of who may read a report is an explicit VMT action
// with a reason, written to the timeline and the audit log. Who was let in, and why, is the VMT's business
// only (DESIGN.md §5): the timeline entries are VMT-only, and the policy hides these kinds from everyone else.
import { change, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { canManage } from '../access/report-policy.js';
import type { SubscriptionLevel } from '../storage/tables.js';
import { reportForActor, requireOn } from './load-for-actor.js';
import { actorName, addTimelineEvent } from './timeline.js';
import { notifyReport } from './notify.js';
import { enqueueMail } from '../mail/outbox.js';
import { findUserByUsername } from '../accounts/users.js';
import { holdsProjectRole } from '../projects/projects.js';

export const subscriptionLevels: readonly SubscriptionLevel[] = ['lead', 'coresec', 'developer', 'reviewer', 'stakeholder'];
export const levelLabel: Record<SubscriptionLevel, string> = {
  lead: 'project lead',
  coresec: 'project security reviewer (coresec)',
  developer: 'key developer',
  reviewer: 'core reviewer',
  stakeholder: 'downstream stakeholder (read-only)',
};

export async function subscribe(scope: Scope, ref: string, input: { username: string; level: SubscriptionLevel; reason: string }): Promise<void> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, 'widen disclosure');
  if (!subscriptionLevels.includes(input.level)) throw errors.field('level', 'Choose how the person takes part.');
  const reason = (input.reason ?? '').trim();
  if (!reason) throw errors.field('reason', 'Say why this person needs to see the report; it is recorded on the timeline.');
  if (reason.length > 500) throw errors.field('reason', 'Use at most 500 characters.');
  const user = await findUserByUsername(scope.app.storage.db, input.username ?? '');
  if (!user || user.disabled_at) throw errors.field('username', 'No active account with that username.');
  if (report.subscriptions.some((s) => s.userId === user.id)) throw errors.field('username', 'Already subscribed.');
  // Coresec and leads are per project: they must hold that role on one of the report's projects.
  if (input.level === 'coresec' || input.level === 'lead') {
    const role = input.level === 'coresec' ? 'coresec' : 'lead';
    const ok = await holdsProjectRole(scope.app.storage.db, user.id, role, report.facts.projectIds);
    if (!ok) throw errors.field('level', `${user.display_name} is not ${role === 'coresec' ? 'a coresec member' : 'the lead'} of an affected project.`);
  }
  const readOnly = input.level === 'stakeholder';
  await change(scope, async ({ trx, now, audit, enqueue }) => {
    await trx
      .insertInto('report_subscriptions')
      .values({ report_id: report.row.id, user_id: user.id, level: input.level, read_only: readOnly ? 1 : 0, reason, added_by: scope.actor.kind === 'user' ? scope.actor.userId : null, added_at: now.toISOString(), removed_at: null })
      .execute();
    await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'subscribed', { user: user.display_name, level: levelLabel[input.level], read_only: readOnly, reason }, 'vmt');
    await notifyReport({ trx, config: scope.app.config, enqueue }, report.row, { what: 'You were given access to a private vulnerability report.', visibility: 'vmt', exceptUserId: null });
    // The new subscriber is told directly (the VMT-only notice above reaches the team).
    await enqueueMail(enqueue, {
      to: [user.email],
      subject: `[${scope.app.config.instanceName} ${report.row.ref}] You were given access to a private vulnerability report`,
      text: `You were subscribed to report ${report.row.ref} as ${levelLabel[input.level]}.\n\nSign in to read it:\n${scope.app.config.publicUrl}/reports/${report.row.ref}\n\nThe report is under embargo: do not share it.\n`,
      headers: { 'X-Cordon-Report': report.row.ref },
    });
    await audit('report.disclosure_widened', 'report', report.row.id, undefined, { user_id: user.id, level: input.level, read_only: readOnly, reason });
  });
}

export async function unsubscribe(scope: Scope, ref: string, subscriptionId: number): Promise<void> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, 'change subscriptions');
  const sub = report.subscriptions.find((s) => s.id === subscriptionId);
  if (!sub) throw errors.notFound('subscription');
  await change(scope, async ({ trx, now, audit }) => {
    await trx.updateTable('report_subscriptions').set({ removed_at: now.toISOString() }).where('id', '=', sub.id).execute();
    await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'unsubscribed', { user: sub.displayName }, 'vmt');
    await audit('report.disclosure_narrowed', 'report', report.row.id, { user_id: sub.userId, level: sub.level }, undefined);
  });
}
