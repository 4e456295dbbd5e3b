// Composing and sending the downstream pre-notice (issue 7 item 1, DESIGN.md §2 and §3 "Emails"): one
// signed mail per recipient, the `[vs] ` encrypted variant for lists that want encryption, per-recipient
// state and an acknowledgement link. Everything is checked before anything is queued, and the plan, the
// mails, the report's planned disclosure and its state change are one transaction: nothing half-sent.
import { change, type Scope } from '../context.js';
import { AppError, errors, type FieldIssue } from '../errors/catalogue.js';
import { randomToken, sha256Hex } from '../accounts/secrets.js';
import { currentTeamKey, TEAM_KEY_PAGE } from '../keys/team-keys.js';
import { placeholderAddressIssues } from '../config/placeholder-addresses.js';
import { enqueueMail } from '../mail/outbox.js';
import type { QueuedAttachment } from '../mail/compose.js';
import { loadReportPatches } from '../patches/loaders.js';
import { seriesDownloadFor, type Download } from '../patches/loaders.js';
import { approvedRecordOfReport } from '../advisories/store.js';
import { transitions } from '../reports/triage.js';
import { actorName, addTimelineEvent } from '../reports/timeline.js';
import { setPlannedDisclosure, setReportState } from '../reports/store-writes.js';
import { scheduleRun } from './run.js';
import { planPreNotice, requireOverrideReason, type PreNoticePlan, type PreNoticeRecipient } from './planner.js';
import { randomBytes } from 'node:crypto';

export const VS_PREFIX = '[vs] ';

export interface SendPreNoticeInput {
  at?: string;
  reason?: string;
}

export interface PreNoticeContent {
  subject: string;
  /** The body without the per-recipient acknowledgement line. */
  body: string;
  patches: Download[];
}

/** Sends the pre-notice; returns how many recipients it was queued for. VMT only (canManage). */
export async function sendPreNotice(scope: Scope, ref: string, input: SendPreNoticeInput = {}): Promise<{ planId: number; recipients: number }> {
  const plan = await planPreNotice(scope, ref, input.at ? { at: input.at } : {});
  const reason = requireOverrideReason(plan.warnings, input.reason);
  if (plan.report.row.visibility === 'public') throw errors.conflict('The report is already public: there is nothing to pre-notify.');
  if (!(await currentTeamKey(scope.app.storage.db))) {
    throw errors.preconditionFailed(`The pre-notice must be signed, and this instance has no team key yet: an admin generates or imports one at ${TEAM_KEY_PAGE}.`);
  }
  // Every problem at once (addresses, recipients and patches), so the coordinator fixes them in one go.
  const issues = [...placeholderAddressIssues(scope.app.config), ...recipientIssues(plan.recipients)];
  let content: PreNoticeContent | null = null;
  try {
    content = await composePreNotice(scope, plan);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error;
    issues.push(...error.fields);
  }
  if (issues.length || !content) throw errors.validation(issues, 'The pre-notice cannot go out as it is; nothing was sent.');
  const mail = content;
  const report = plan.report;
  return change(scope, async ({ trx, now, audit, enqueue }) => {
    const existing = await trx.selectFrom('disclosure_plans').selectAll().where('report_id', '=', report.row.id).executeTakeFirst();
    if (existing?.state === 'scheduled') throw errors.conflict('A pre-notice was already sent for this report; move or cancel that disclosure instead.');
    const values = {
      state: 'scheduled' as const,
      disclose_at: plan.at.toISOString(),
      override_reason: reason,
      warnings_json: JSON.stringify(plan.warnings.map((w) => w.code)),
      created_by: scope.actor.kind === 'user' ? scope.actor.userId : null,
      updated_at: now.toISOString(),
    };
    let planId: number;
    let version = 1;
    if (existing) {
      planId = existing.id;
      version = existing.version + 1;
      await trx.updateTable('disclosure_plans').set({ ...values, version }).where('id', '=', existing.id).execute();
      await trx.deleteFrom('prenotice_recipients').where('plan_id', '=', existing.id).execute();
      await trx.deleteFrom('disclosure_steps').where('plan_id', '=', existing.id).execute();
    } else {
      const row = await trx.insertInto('disclosure_plans').values({ report_id: report.row.id, version, created_at: now.toISOString(), ...values }).returning('id').executeTakeFirstOrThrow();
      planId = row.id;
    }
    await scheduleRun(trx, now, { id: planId, version, disclose_at: plan.at.toISOString() });
    for (const r of plan.recipients) {
      const token = randomToken(24);
      const encrypted = r.wantsEncryption;
      const messageId = `<${randomBytes(12).toString('hex')}@cordon>`;
      await trx
        .insertInto('prenotice_recipients')
        .values({ plan_id: planId, contact_id: r.contactId, org_name: r.orgName, name: r.name, email: r.email, variant: encrypted ? 'encrypted' : 'signed', message_id: messageId, state: 'queued', ack_token_hash: sha256Hex(token), queued_at: now.toISOString(), acknowledged_at: null })
        .execute();
      const body = `${mail.body}\n${ackLine(scope, token)}${patchList(mail.patches)}`;
      await enqueueMail(enqueue, {
        to: [r.email],
        messageId,
        headers: { 'X-Cordon-Report': report.row.ref },
        // Inside the encrypted part for the `[vs] ` variant (compose.ts treats them as private with privateBody).
        attachments: patchAttachments(mail.patches),
        ...(encrypted
          ? { subject: `${VS_PREFIX}${mail.subject}`, text: 'This pre-notice is encrypted to your OpenPGP key.\n', privateBody: body }
          : { subject: mail.subject, text: body }),
      });
    }
    await setPlannedDisclosure(trx, report.row.id, plan.at.toISOString(), now);
    if (report.row.state !== 'fix_committed' && transitions[report.row.state].includes('fix_committed')) {
      await setReportState(trx, report.row.id, 'fix_committed');
      await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'state_changed', { from: report.row.state, to: 'fix_committed', reason: 'Pre-notice sent.' });
    }
    await addTimelineEvent(trx, report.row.id, now, actorName(scope.actor), 'prenotice_sent', { at: plan.at.toISOString(), recipients: plan.recipients.length }, 'vmt');
    await audit('disclosure.prenotice_sent', 'report', report.row.id, { planned_disclosure_at: report.row.planned_disclosure_at }, { planned_disclosure_at: plan.at.toISOString(), recipients: plan.recipients.map((r) => r.email), override_reason: reason });
    return { planId, recipients: plan.recipients.length };
  });
}

/** No recipients, or recipients that want encryption but whose key cannot be used (issue 7: refuse, tell). */
function recipientIssues(recipients: readonly PreNoticeRecipient[]): FieldIssue[] {
  if (!recipients.length) return [{ field: 'recipients', message: 'No stakeholder follows this report’s projects: add organisations under Stakeholders first.' }];
  return recipients
    .filter((r) => r.wantsEncryption && r.encryptionProblem)
    .map((r) => ({ field: `recipients.${r.email}`, message: `${r.orgName} / ${r.name} <${r.email}> wants encrypted mail but ${(r.encryptionProblem ?? '').replace(/\.+$/, '')}: update their key before sending.` }));
}

/** Subject, body and patches; blocks when a branch with patches is not ready (the reasons say why). */
export async function composePreNotice(scope: Scope, plan: PreNoticePlan): Promise<PreNoticeContent> {
  const { report } = plan;
  const ref = report.row.ref;
  const patches = await loadReportPatches(scope, ref);
  const withPatches = patches.rows.filter((row) => row.readiness.state !== 'no_patches');
  const notReady = withPatches.filter((row) => row.readiness.state === 'not_ready');
  if (notReady.length) {
    throw errors.validation(
      notReady.map((row) => ({ field: `patches.${row.target.key}`, message: `${row.target.projectName} ${row.target.branch}: ${row.readiness.reasons.join(' ')}` })),
      'Some patches are not ready for the pre-notice; nothing was sent.',
    );
  }
  if (!withPatches.length) throw errors.field('patches', 'There is no pre-approved patch yet: the pre-notice carries the patches.');
  const downloads: Download[] = [];
  for (const row of withPatches) downloads.push(await seriesDownloadFor(scope, ref, row.target.key));

  const advisory = await approvedRecordOfReport(scope.app.storage.db, report.row.id);
  const product = report.projects.map((p) => p.name).join(', ') || scope.app.config.instanceName;
  const cves = report.cves.length ? report.cves.join(', ') : 'CVE pending';
  const title = advisory?.title || report.row.title;
  const description = (advisory?.description || report.row.impact_text || report.row.description).trim();
  const at = plan.at.toISOString();
  const body =
    `This is an advance warning of a vulnerability discovered in ${product}, to give you, as downstream\n` +
    'stakeholders, a chance to coordinate the release of fixes and reduce the vulnerability window.\n' +
    'Please treat the following information as confidential until the proposed public disclosure date.\n\n' +
    `${title}\n\n${description}\n\n` +
    `Proposed public disclosure date/time:\n${at.slice(0, 10)}, ${at.slice(11, 13)}${at.slice(14, 16)}UTC\n` +
    'Please do not make the issue public (or release public patches) before this coordinated embargo date.\n\n' +
    `CVE: ${cves}\n` +
    `Private report: ${scope.app.config.publicUrl}/reports/${ref}\n`;
  return { subject: `[pre-OSSA] Vulnerability in ${product} (${cves})`, body, patches: downloads };
}

function ackLine(scope: Scope, token: string): string {
  return `Please acknowledge receipt by opening this link:\n${scope.app.config.publicUrl}/disclosure/ack/${token}\n`;
}

/** The patches travel as attachments, one mbox per branch ready for `git am`; the body lists their names. */
function patchList(patches: readonly Download[]): string {
  return `\nAttached patches (apply with \`git am\`):\n${patches.map((p) => `  ${p.fileName}\n`).join('')}`;
}

/** Each series under its file name (the naming rule of src/patches/downloads.ts). */
export function patchAttachments(patches: readonly Download[]): QueuedAttachment[] {
  return patches.map((p) => ({ filename: p.fileName, content: p.body.endsWith('\n') ? p.body : `${p.body}\n`, contentType: 'text/x-patch' }));
}
