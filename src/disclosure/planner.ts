// Planning a downstream pre-notice (DESIGN.md §2 "Embargo rules", issue 7 item 1): who gets it (contacts of
// the stakeholder organisations that follow the report's projects), when the disclosure should be (5–10
// disclosure business days ahead at the configured hour), and what is wrong with a chosen moment.
import { canManage } from '../access/report-policy.js';
import type { Scope } from '../context.js';
import {
  checkDisclosureTime,
  proposeDisclosureDate,
  toUtcDate,
  type DisclosureWarning,
} from '../calendar/calendar.js';
import { errors } from '../errors/catalogue.js';
import { summariseKey } from '../keys/public-keys.js';
import { reportForActor, requireOn, type ReportForActor } from '../reports/load-for-actor.js';
import type { StakeholderContactKind } from '../storage/tables.js';
import { contactsFollowingProjects } from '../stakeholders/stakeholders.js';

export interface PreNoticeRecipient {
  contactId: number;
  orgId: number;
  orgName: string;
  kind: StakeholderContactKind;
  name: string;
  email: string;
  wantsEncryption: boolean;
  /** Fingerprint of the stored key when it can be used for encryption today. */
  keyFingerprint: string | null;
  /** Why encryption to this recipient is impossible (no key, expired, revoked…); null when it is fine or not wanted. */
  encryptionProblem: string | null;
}

export interface PreNoticePlan {
  report: ReportForActor;
  recipients: PreNoticeRecipient[];
  /** The proposed moment and the allowed window (DESIGN.md §2: 5–10 disclosure business days at the hour). */
  proposed: Date;
  earliest: Date;
  latest: Date;
  hardEnd: Date;
  /** The moment the plan is about: the chosen one, or the proposal when none was chosen. */
  at: Date;
  /** Rule breaches of `at`; the coordinator may go ahead with a recorded reason. */
  warnings: DisclosureWarning[];
}

export interface PlanOptions {
  /** A chosen disclosure moment (ISO-8601 with zone, or YYYY-MM-DD = at the configured hour UTC). */
  at?: string;
}

/** The pre-notice plan for a report; VMT only (canManage), 404 when the report is hidden. */
export async function planPreNotice(scope: Scope, ref: string, options: PlanOptions = {}): Promise<PreNoticePlan> {
  const report = await reportForActor(scope, ref);
  requireOn(report, scope, canManage, 'plan the pre-notice');
  const { config, clock } = scope.app;
  const now = clock.now();
  const hardEnd = new Date(report.row.embargo_end_at);
  const proposal = proposeDisclosureDate(now, { hourUtc: config.disclosureHourUtc, holidays: config.holidays, hardEnd });
  const at = options.at ? parseChosenMoment(options.at, config.disclosureHourUtc) : proposal.proposed;
  const warnings = options.at
    ? checkDisclosureTime(at, now, config.holidays, { hardEnd, preNotice: true })
    : proposal.warnings;
  const recipients = await recipientsFor(scope, report.projects.map((p) => p.id), now);
  return { report, recipients, proposed: proposal.proposed, earliest: proposal.earliest, latest: proposal.latest, hardEnd, at, warnings };
}

/** A bare day means the configured disclosure hour that day, in UTC. */
export function parseChosenMoment(raw: string, hourUtc: number): Date {
  const text = raw.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return toUtcDate(`${text}T${String(hourUtc).padStart(2, '0')}:00:00Z`, 'at');
  // A form's datetime-local value has no zone: it is taken as UTC, as the form says.
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(text)) return toUtcDate(`${text}:00Z`, 'at');
  return toUtcDate(text, 'at');
}

/**
 * Refuses a moment with warnings unless the coordinator gave a reason (issue 7 "Bad input": warn, allow
 * with a reason). Returns the reason that will be recorded, or '' when the moment follows every rule.
 */
export function requireOverrideReason(warnings: readonly DisclosureWarning[], reason: string | undefined): string {
  const text = (reason ?? '').trim();
  if (!warnings.length) return text;
  if (!text) {
    throw errors.validation(
      [{ field: 'reason', message: `This time breaks the disclosure rules (${warnings.map((w) => w.message).join(' ')}) Give a reason to go ahead anyway.` }],
      'The disclosure time needs a reason.',
    );
  }
  if (text.length > 1000) throw errors.field('reason', 'Use at most 1000 characters.');
  return text;
}

async function recipientsFor(scope: Scope, projectIds: number[], now: Date): Promise<PreNoticeRecipient[]> {
  if (!projectIds.length) return [];
  const rows = await contactsFollowingProjects(scope.app.storage.db, projectIds);
  const seen = new Set<string>();
  const out: PreNoticeRecipient[] = [];
  for (const row of rows) {
    // One mail per address even if two organisations share a list.
    const address = row.email.toLowerCase();
    if (seen.has(address)) continue;
    seen.add(address);
    const wantsEncryption = Number(row.wants_encryption) === 1;
    let keyFingerprint: string | null = null;
    let encryptionProblem: string | null = null;
    if (row.pgp_public_key) {
      const summary = await summariseKey(row.pgp_public_key, now);
      if (summary.fingerprint && summary.usableForEncryption) keyFingerprint = summary.fingerprint;
      else encryptionProblem = summary.problem ?? 'the key cannot be used for encryption';
    } else if (wantsEncryption) {
      encryptionProblem = 'no OpenPGP key is on file';
    }
    out.push({
      contactId: row.id,
      orgId: row.org_id,
      orgName: row.org_name,
      kind: row.kind,
      name: row.name,
      email: row.email,
      wantsEncryption,
      keyFingerprint,
      encryptionProblem: wantsEncryption ? encryptionProblem : null,
    });
  }
  return out;
}
