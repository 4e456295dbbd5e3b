// Receiving a report (web form, API, and later encrypted mail). The report and everything it starts —
// embargo deadlines, the acknowledgement deadline, the team's notification — are written in one
// transaction, so an accepted report is never lost and never half-made.
import { createHash, randomBytes } from 'node:crypto';
import { renderMarkdown } from '../text/markdown.js';
import { change, type Scope } from '../context.js';
import { errors, IssueCollector } from '../errors/catalogue.js';
import { checkEmailAddress } from '../identifiers/email.js';
import { ackDeadline, embargoHardEnd } from '../calendar/calendar.js';
import { scheduleAckDeadline, scheduleEmbargo } from './embargo/schedule.js';
import { inspectKey } from '../pgp/keys.js';
import { randomToken, sha256Hex } from '../accounts/secrets.js';
import { addTimelineEvent } from './timeline.js';
import { notifyReport } from './notify.js';
import { projectsBySlugs } from '../projects/projects.js';
import type { ReportRow } from '../storage/tables.js';

export interface ReportInput {
  title: string;
  description: string;
  projects: string[];
  affectedVersions?: string;
  reproduction?: string;
  alreadyPublic?: boolean;
  exploited?: boolean;
  disclosureTerms?: string;
  creditName?: string;
  creditAffiliation?: string;
  creditWanted?: boolean;
  email: string;
  pgpKey?: string;
}

export interface AttachmentInput {
  filename: string;
  contentType: string;
  content: Buffer;
}

export const LIMITS = { title: 200, description: 50_000, text: 20_000, name: 120 };

/** Letters and digits without look-alikes; 8 of them give 40 bits, unguessable in practice behind 404s. */
function newReportRef(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return 'R-' + [...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join('');
}

export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'attachment';
  const cleaned = base.replace(/[^A-Za-z0-9._ -]/g, '_').replace(/^[.\s-]+/, '').slice(0, 120);
  return cleaned || 'attachment';
}

export async function validateReportInput(scope: Scope, input: ReportInput, attachments: AttachmentInput[]): Promise<{ projectIds: number[]; pgpKey: string | null; email: string }> {
  const issues = new IssueCollector();
  const { config, storage } = scope.app;
  const text = (field: string, value: string | undefined, max: number, required = false) => {
    const v = value ?? '';
    if (required && !v.trim()) issues.add(field, 'This is required.');
    else if (v.length > max) issues.add(field, `Use at most ${max} characters.`);
    // Control characters other than tab and line breaks (\p{Cc} minus \t \n \r).
    else if (/(?![\t\n\r])\p{Cc}/u.test(v)) issues.add(field, 'Remove control characters.');
  };
  text('title', input.title, LIMITS.title, true);
  if ((input.title ?? '').includes('\n')) issues.add('title', 'Use a single line.');
  text('description', input.description, LIMITS.description, true);
  text('affected_versions', input.affectedVersions, LIMITS.text);
  text('reproduction', input.reproduction, LIMITS.text);
  text('disclosure_terms', input.disclosureTerms, LIMITS.text);
  text('credit_name', input.creditName, LIMITS.name);
  text('credit_affiliation', input.creditAffiliation, LIMITS.name);
  const email = checkEmailAddress(input.email ?? '');
  if (!email.ok) issues.add('email', email.message);
  let pgpKey: string | null = null;
  if (input.pgpKey?.trim()) {
    try {
      const info = await inspectKey(input.pgpKey.trim(), { now: scope.app.clock.now(), field: 'pgp_key' });
      if (info.kind === 'secret') issues.add('pgp_key', 'That is a secret key. Paste your public key only, and consider the secret one exposed.');
      else if (!info.usableForEncryption.usable) issues.add('pgp_key', `We cannot encrypt to that key: ${info.usableForEncryption.message ?? info.usableForEncryption.reason ?? 'unusable'}.`);
      else pgpKey = input.pgpKey.trim();
    } catch (e) {
      issues.add('pgp_key', e instanceof Error ? `Not a usable OpenPGP public key: ${e.message}` : 'Not a usable OpenPGP public key.');
    }
  }
  const slugs = [...new Set(input.projects ?? [])];
  let projectIds: number[] = [];
  if (!slugs.length) issues.add('projects', 'Choose the affected project.');
  else {
    const rows = await projectsBySlugs(storage.db, slugs);
    for (const slug of slugs) {
      const p = rows.find((r) => r.slug === slug);
      if (!p) issues.add('projects', `Unknown project "${slug.slice(0, 60)}".`);
      else if (!p.vmt_oversees) issues.add('projects', `${p.name} handles its own vulnerability reports${p.security_contact ? `: ${p.security_contact}` : ''}.`);
    }
    projectIds = rows.filter((r) => r.vmt_oversees).map((r) => r.id);
  }
  if (attachments.length > config.maxAttachments) issues.add('attachments', `Attach at most ${config.maxAttachments} files.`);
  attachments.forEach((a, i) => {
    if (a.content.length > config.maxAttachmentBytes) issues.add(`attachments.${i}`, `${safeFilename(a.filename)} is larger than ${Math.round(config.maxAttachmentBytes / 1_048_576)} MiB.`);
    if (a.content.length === 0) issues.add(`attachments.${i}`, `${safeFilename(a.filename)} is empty.`);
  });
  issues.throwIfAny('The report could not be accepted yet: some fields need fixing.');
  return { projectIds, pgpKey, email: email.ok ? email.value : '' };
}

export interface ReceivedReport {
  report: ReportRow;
  /** The anonymous reporter's private link token (shown once). */
  reporterToken: string;
}

export async function receiveReport(scope: Scope, input: ReportInput, attachments: AttachmentInput[], source: 'web' | 'api' | 'email'): Promise<ReceivedReport> {
  const { projectIds, pgpKey, email } = await validateReportInput(scope, input, attachments);
  const { config } = scope.app;
  const reporterToken = randomToken(32);
  const reporterUserId = scope.actor.kind === 'user' ? scope.actor.userId : null;
  const report = await change(scope, async ({ trx, now, audit, enqueue }) => {
    const at = now.toISOString();
    const alreadyPublic = !!input.alreadyPublic;
    const row = await trx
      .insertInto('reports')
      .values({
        ref: newReportRef(),
        title: input.title.trim(),
        description: input.description,
        description_html: renderMarkdown(input.description),
        affected_versions: input.affectedVersions ?? '',
        reproduction: input.reproduction ?? '',
        reproduction_html: renderMarkdown(input.reproduction ?? ''),
        already_public: alreadyPublic ? 1 : 0,
        exploited: input.exploited ? 1 : 0,
        disclosure_terms: input.disclosureTerms ?? '',
        credit_name: input.creditName ?? '',
        credit_affiliation: input.creditAffiliation ?? '',
        credit_wanted: input.creditWanted === false ? 0 : 1,
        reporter_user_id: reporterUserId,
        reporter_email: email,
        reporter_pgp_key: pgpKey,
        reporter_token_hash: sha256Hex(reporterToken),
        source,
        state: 'new',
        class: null,
        // Every report is private and security-flagged on creation, even one said to be public already:
        // the VMT decides to open it (a distinct, audited action).
        visibility: 'private',
        coordinator_id: null,
        received_at: at,
        acknowledged_at: null,
        ack_deadline_at: ackDeadline(now, config.ackBusinessDays, config.holidays).toISOString(),
        escalated_at: null,
        embargo_end_at: embargoHardEnd(now, config.embargoMaxDays).toISOString(),
        embargo_version: 1,
        planned_disclosure_at: null,
        public_at: null,
        duplicate_of_id: null,
        impact_text: '',
        impact_fields: '{}',
        cve_requested_at: null,
        cve_requested_by: null,
        public_summary: null,
        created_at: at,
        updated_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    for (const pid of projectIds) await trx.insertInto('report_projects').values({ report_id: row.id, project_id: pid }).execute();
    for (const a of attachments) {
      await trx
        .insertInto('report_attachments')
        .values({
          report_id: row.id,
          comment_id: null,
          filename: safeFilename(a.filename),
          content_type: 'application/octet-stream',
          size: a.content.length,
          sha256: createHash('sha256').update(a.content).digest('hex'),
          content: a.content,
          visibility: 'everyone',
          uploaded_by: reporterUserId,
          uploaded_label: 'reporter',
          created_at: at,
        })
        .execute();
    }
    await addTimelineEvent(trx, row.id, now, { id: reporterUserId, label: 'reporter' }, 'received', { source, already_public: alreadyPublic, exploited: !!input.exploited, attachments: attachments.length });
    await scheduleEmbargo(trx, now, row);
    await scheduleAckDeadline(trx, now, row);
    await notifyReport({ trx, config, enqueue }, row, { what: 'A new vulnerability report was received.', visibility: 'vmt' });
    await audit('report.received', 'report', row.id, undefined, { ref: row.ref, source, projects: projectIds, attachments: attachments.length });
    return row;
  });
  if (!report) throw errors.internal();
  return { report, reporterToken };
}
