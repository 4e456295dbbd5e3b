// Who may read and do what on a vulnerability report (DESIGN.md §1, §5). This is the only place that
// decides it; the SQL filter below must agree with `reportAccess` (a test checks every pair).
import type { ExpressionBuilder, Expression, SqlBool } from 'kysely';
import { tokenAllows, type Actor } from './actor.js';
import type { Database, ReportVisibility, SubscriptionLevel } from '../storage/tables.js';

export interface ReportFacts {
  id: number;
  visibility: ReportVisibility;
  reporterUserId: number | null;
  coordinatorId: number | null;
  projectIds: number[];
  /** Active (not removed) subscriptions. */
  subscriptions: { userId: number; level: SubscriptionLevel; readOnly: boolean }[];
}

/**
 * The widest access an actor has to one report:
 * - `vmt`: everything, including VMT-only comments;
 * - `subscriber`: read and work (comments, attachments, patches) — project leads, coresec, key developers, reviewers;
 * - `subscriber_readonly`: read, nothing else — stakeholders subscribed on request;
 * - `reporter`: their own report, without VMT-only comments;
 * - `public`: the published report, without VMT-only comments;
 * - `none`: answer 404.
 */
export type ReportAccess = 'vmt' | 'subscriber' | 'subscriber_readonly' | 'reporter' | 'public' | 'none';

export interface ReportAccessContext {
  /** The request carries the anonymous reporter's private link token for this report. */
  reporterLink?: boolean;
}

export function reportAccess(actor: Actor, report: ReportFacts, context: ReportAccessContext = {}): ReportAccess {
  if (actor.kind === 'user' && tokenAllows(actor, 'read')) {
    if (actor.roles.has('vmt')) return 'vmt';
    const sub = report.subscriptions.find((s) => s.userId === actor.userId);
    if (sub) return sub.readOnly ? 'subscriber_readonly' : 'subscriber';
    if (report.reporterUserId === actor.userId) return 'reporter';
  }
  if (context.reporterLink) return 'reporter';
  return report.visibility === 'public' ? 'public' : 'none';
}

export const canRead = (a: ReportAccess): boolean => a !== 'none';
export const canSeeVmtOnly = (a: ReportAccess): boolean => a === 'vmt';
/** Comments on a report: the team, working subscribers and the reporter. */
export const canComment = (a: ReportAccess): boolean => a === 'vmt' || a === 'subscriber' || a === 'reporter';
/** Triage, the ladder, the embargo, CVEs, publication: the VMT only. */
export const canManage = (a: ReportAccess): boolean => a === 'vmt';
/** Attach files and (later) patches: the team and working subscribers. */
export const canContribute = (a: ReportAccess): boolean => a === 'vmt' || a === 'subscriber';

/**
 * Who was let into a report, and why, is the VMT's business only, before and after opening (DESIGN.md §5;
 * issue 13 item 5). Everyone else sees at most their own subscription (how they take part), never another
 * person's, never a stakeholder, never a reason.
 */
export const canSeeDisclosureExtent = (a: ReportAccess): boolean => a === 'vmt';

export function visibleSubscriptions<S extends { userId: number }>(a: ReportAccess, actor: Actor, subscriptions: readonly S[]): S[] {
  if (canSeeDisclosureExtent(a)) return [...subscriptions];
  return actor.kind === 'user' ? subscriptions.filter((s) => s.userId === actor.userId) : [];
}

/** Timeline kinds that name who was let in or out (and why): the VMT's alone, whatever the event's visibility. */
export const EXTENT_EVENT_KINDS: readonly string[] = ['subscribed', 'unsubscribed'];
/** What a reporter gave is not public unless chosen (issue 13 item 11): the public does not see file names either. */
const PUBLIC_HIDDEN_EVENT_KINDS: readonly string[] = ['attachment'];

/** Timeline kinds this access must not see (on top of VMT-only events, which only the VMT sees). */
export function hiddenTimelineKinds(a: ReportAccess): string[] {
  if (canSeeDisclosureExtent(a)) return [];
  return a === 'public' ? [...EXTENT_EVENT_KINDS, ...PUBLIC_HIDDEN_EVENT_KINDS] : [...EXTENT_EVENT_KINDS];
}

/**
 * Which of a report's files this access sees: the VMT all; people on the report the everyone-visible ones;
 * the public (after opening) only the files the coordinator chose to publish (issue 13 item 11).
 */
export type AttachmentScope = 'all' | 'everyone' | 'published';
export function attachmentScope(a: ReportAccess): AttachmentScope {
  if (canSeeVmtOnly(a)) return 'all';
  return a === 'public' ? 'published' : 'everyone';
}

/** Whether the actor's API token (if any) allows changes. */
export function canWriteWith(actor: Actor): boolean {
  return tokenAllows(actor, 'write');
}

/**
 * Whether the actor reads every report (the VMT). Only then may a list's count come from the instance-wide
 * counters (src/reports/counts.ts): any other count depends on who asks and is counted under readableReports.
 */
export function readsEveryReport(actor: Actor): boolean {
  return actor.kind === 'user' && tokenAllows(actor, 'read') && actor.roles.has('vmt');
}

/**
 * SQL condition for "reports this actor may read", for lists, counts and search. Must match reportAccess.
 * (The anonymous reporter's link shows one report only and never lists.)
 * For a page newest first: public first, so the test stops there for most rows, and the subscription as
 * a probe of the `(user_id, report_id)` index for the rest. Measured (issue 17, bench/README.md): a
 * subscription id set (`id IN (…)`) here made SQLite read every public report and sort them (MULTI-INDEX
 * OR) instead of walking `reports_received` backwards and stopping at the page — 25 ms against 0.07 ms.
 */
export function readableReports(actor: Actor): (eb: ExpressionBuilder<Database, 'reports'>) => Expression<SqlBool> {
  return (eb) => {
    if (actor.kind !== 'user' || !tokenAllows(actor, 'read')) return eb('reports.visibility', '=', 'public');
    if (readsEveryReport(actor)) return eb.lit(true);
    return eb.or([eb('reports.visibility', '=', 'public'), readableByTakingPart(eb, actor.userId)]);
  };
}

/** The reports a user reads because they take part: their active subscriptions and the reports they filed. */
function readableByTakingPart(eb: ExpressionBuilder<Database, 'reports'>, userId: number): Expression<SqlBool> {
  return eb.or([
    eb('reports.reporter_user_id', '=', userId),
    eb.exists(
      eb
        .selectFrom('report_subscriptions')
        .select('report_subscriptions.report_id')
        .whereRef('report_subscriptions.report_id', '=', 'reports.id')
        .where('report_subscriptions.user_id', '=', userId)
        .where('report_subscriptions.removed_at', 'is', null),
    ),
  ]);
}

/**
 * The same rule as readableReports, cut into parts no report is in twice, so a count is the sum of one
 * count per part and each reads its own index instead of testing every report against the whole rule
 * (issue 17): the VMT: every report; anyone else: the public reports (counted from the visibility index
 * alone) and the private reports they take part in (only the private reports are probed — a few percent
 * of an instance, whose embargoes all end).
 */
export function readableReportParts(actor: Actor): ((eb: ExpressionBuilder<Database, 'reports'>) => Expression<SqlBool>)[] {
  if (actor.kind !== 'user' || !tokenAllows(actor, 'read')) return [(eb) => eb('reports.visibility', '=', 'public')];
  if (readsEveryReport(actor)) return [(eb) => eb.lit(true)];
  const userId = actor.userId;
  return [(eb) => eb('reports.visibility', '=', 'public'), (eb) => eb.and([eb('reports.visibility', '=', 'private'), readableByTakingPart(eb, userId)])];
}

/**
 * A name for the set of reports an actor reads (readableReports): two actors with the same key read exactly
 * the same reports, so a cache of lists may share an entry between them (reports/list-cache.ts). Anyone
 * who reads public reports only shares "public"; everyone who reads every report shares "every"; any other
 * user reads by their own subscriptions and reports, so the key is theirs alone.
 */
export function readScopeKey(actor: Actor): string {
  if (actor.kind !== 'user' || !tokenAllows(actor, 'read')) return 'public';
  if (readsEveryReport(actor)) return 'every';
  return `user:${actor.userId}`;
}

/** The two approvals of an impact description (DESIGN.md §1–2: the reporter, and the project lead). */
export type ImpactApproverRole = 'reporter' | 'lead';
export const IMPACT_APPROVER_ROLES: readonly ImpactApproverRole[] = ['reporter', 'lead'];

export interface ApproverVerdict {
  may: boolean;
  /** In plain words, for the page and for the refusal. */
  why: string;
}

/**
 * Whether this actor may give one impact approval. Both rules are about a role, not about a second person
 * (issue 15 item 5): whoever holds the role approves, and each role a person holds counts on its own — a VMT
 * member who leads the project approves as the lead; whoever holds the reporter's private link approves as
 * the reporter. A lead must be working on the report (the VMT, or subscribed), not just reading it once public.
 */
export function impactApprover(actor: Actor, report: ReportFacts, access: ReportAccess, role: ImpactApproverRole, context: ReportAccessContext = {}): ApproverVerdict {
  if (!canRead(access)) return { may: false, why: 'You cannot read this report.' };
  if (!tokenAllows(actor, 'write')) return { may: false, why: 'This API token may only read.' };
  const userId = actor.kind === 'user' ? actor.userId : null;
  if (role === 'reporter') {
    if (context.reporterLink) return { may: true, why: 'You hold the reporter’s private link.' };
    if (access === 'reporter' || (userId !== null && report.reporterUserId === userId)) return { may: true, why: 'You filed this report.' };
    return { may: false, why: 'Only the person who filed the report gives this approval, from their private link or their account.' };
  }
  const leads = actor.kind === 'user' && report.projectIds.some((id) => actor.projectRoles.get(id)?.has('lead'));
  if (!leads) return { may: false, why: 'Only a lead of an affected project gives this approval.' };
  if (access === 'vmt') return { may: true, why: 'You lead an affected project (being in the VMT as well does not stop you: each role counts on its own).' };
  if (access === 'subscriber') return { may: true, why: 'You lead an affected project and work on this report.' };
  return { may: false, why: 'You lead an affected project, but you are not working on this report: the VMT subscribes you first.' };
}
