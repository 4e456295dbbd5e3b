// Publication (DESIGN.md §2, issue 6): nothing is published without the impact approvals (the reporter
// and the project lead, from the report when one is linked) and a second VMT member's approval of the
// revision. Publishing stores the record as published, rebuilds every public output in the same
// transaction, queues the signing job and the announcement (or errata announcement) mail.
import { change, type Scope } from '../context.js';
import { AppError, errors } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import { impactApprovals } from '../reports/cve-impact.js';
import { loadReportBy } from '../reports/store.js';
import { actorName, addTimelineEvent } from '../reports/timeline.js';
import { enqueueMail } from '../mail/outbox.js';
import { pyCapitalize } from '../publication/formats/python-text.js';
import { renderNoticeText } from '../publication/formats/notice-text.js';
import { publicationProblems } from './editor-input.js';
import type { AdvisoryRecord } from '../publication/record.js';
import { advisoryForEditor, descriptionHash, listApprovals, normalizeText, pendingAuthors, recordHash, type LoadedAdvisory } from './store.js';
import { authorOf, errataCount, requireEditor, writeRevision } from './commands.js';
import { assignedCves } from '../publication/formats/advisory-facts.js';
import { advisoryFiles } from '../publication/outputs.js';
import { publishedSummaries } from './published.js';
import { summarizePublished } from '../publication/summary.js';
import { rebuildAdvisoryOutputs, siteContextFor } from '../publication/site-files.js';
import { teamPublicKey } from '../publication/signer.js';
import { PUBLICATION_SETTINGS_PATH, publicationSettingsProblems } from '../publication/settings.js';

export const SIGN_JOB = 'publication.sign';

export type ReadinessKey = 'content' | 'publication_settings' | 'cve_unique' | 'report_public' | 'impact_text' | 'impact_reporter' | 'impact_lead' | 'advisory_approval';

export interface ReadinessCheck {
  key: ReadinessKey;
  ok: boolean;
  label: string;
  detail: string;
  /** The page that fixes it. */
  href?: string;
  /** Shown as a problem but does not block publication (the output it concerns is left out). */
  warning?: boolean;
}

export interface LinkedReport {
  id: number;
  ref: string;
  title: string;
  impactText: string;
  visibility: 'private' | 'public';
  projects: string[];
}

export interface Readiness {
  checks: ReadinessCheck[];
  ready: boolean;
  report: LinkedReport | null;
  /** False when the description is the one already published (no new impact approval needed). */
  impactChanged: boolean;
}

async function linkedReport(db: Db, reportId: number | null): Promise<LinkedReport | null> {
  if (reportId === null) return null;
  const report = await loadReportBy(db, { id: reportId });
  if (!report) return null;
  const { row } = report;
  return { id: row.id, ref: row.ref, title: row.title, impactText: row.impact_text, visibility: row.visibility, projects: report.projects.map((p) => p.slug).sort() };
}

function withDate(record: AdvisoryRecord, today: string): AdvisoryRecord {
  return record.date ? record : { ...record, date: today, dateText: today };
}

/** What still stands between the advisory's current revision and its publication. */
export async function publicationReadiness(scope: Scope, loaded: LoadedAdvisory): Promise<Readiness> {
  const app = scope.app;
  const db = app.storage.db;
  const today = app.clock.now().toISOString().slice(0, 10);
  const { row, record } = loaded;
  const checks: ReadinessCheck[] = [];
  const add = (key: ReadinessKey, ok: boolean, label: string, detail: string): void => void checks.push({ key, ok, label, detail });

  const site = await siteContextFor(app, null);
  const problems = publicationProblems(record).map((p) => p.message);
  if (!problems.length) {
    try {
      // A dry run of every builder, so that publishing cannot fail half-way on a value they refuse.
      advisoryFiles(withDate(record, today), site);
    } catch (error) {
      // Missing settings are named (with their page) by the publication_settings check below.
      const fields = error instanceof AppError ? error.fields.filter((f) => f.field !== 'vendorName' && f.field !== 'cna') : [];
      if (error instanceof AppError) problems.push(...(error.fields.length ? fields.map((f) => `${f.field}: ${f.message}`) : [error.message]));
      else throw error;
    }
  }
  add('content', problems.length === 0, 'The advisory is complete', problems.length ? problems.join(' ') : 'Title, description, products and CVE ids are filled in and every output can be built.');
  const unset = publicationSettingsProblems(site.profile, record);
  if (unset.length) {
    // DESIGN.md §3: a record lacking what a format needs says so before publishing, instead of guessing.
    // Without a CNA the CVE records are left out (a warning); a chosen CNA without a vendor blocks.
    checks.push({
      key: 'publication_settings',
      ok: false,
      label: 'The publication settings cover this advisory',
      detail: unset.map((p) => p.message).join(' '),
      href: unset[0]?.href ?? PUBLICATION_SETTINGS_PATH,
      ...(site.profile.cnaChoice === 'unset' ? { warning: true } : {}),
    });
  }

  const others = (await publishedSummaries(db)).filter((s) => s.ref !== row.ref);
  const clashes = assignedCves(record)
    .map((v) => ({ cve: v.cveId, other: others.find((s) => s.cves.some((c) => c.split(' ')[0] === v.cveId)) }))
    .filter((c) => c.other);
  add('cve_unique', clashes.length === 0, 'Each CVE id is in no other advisory', clashes.length ? clashes.map((c) => `${c.cve} is already in ${c.other?.ref}.`).join(' ') : 'No CVE id of this advisory appears in another published advisory.');

  const report = await linkedReport(db, row.report_id);
  if (report) {
    // DESIGN.md §2: the advisory is published after the embargoed disclosure opened the report, never before.
    const open = report.visibility === 'public';
    add('report_public', open, 'The report is public (the embargo is over)', open ? `Report ${report.ref} is public.` : `Report ${report.ref} is still under embargo; publish once it is opened at the disclosure.`);
  }
  const impactChanged = !loaded.published || normalizeText(loaded.published.description) !== normalizeText(record.description);
  if (impactChanged) {
    if (report) {
      const approved = await impactApprovals(scope, report.id, report.impactText);
      const same = report.impactText.trim() !== '' && normalizeText(report.impactText) === normalizeText(record.description);
      add('impact_text', same, 'The description is the impact text of the report', same ? `Same text as on report ${report.ref}.` : report.impactText.trim() ? `The description differs from the impact text on report ${report.ref}; make them the same (and have it approved there).` : `Report ${report.ref} has no impact description yet.`);
      const has = (role: 'reporter' | 'lead'): boolean => approved[role];
      add('impact_reporter', has('reporter'), 'The reporter approved the impact description', has('reporter') ? `Approved on report ${report.ref}.` : `Waiting for the reporter on report ${report.ref}.`);
      add('impact_lead', has('lead'), 'The project lead approved the impact description', has('lead') ? `Approved on report ${report.ref}.` : `Waiting for the project lead on report ${report.ref}.`);
    } else {
      const approvals = (await listApprovals(db, row.id)).filter((a) => a.text_hash === descriptionHash(record.description));
      const by = (kind: 'impact_reporter' | 'impact_lead') => approvals.find((a) => a.kind === kind);
      const r = by('impact_reporter');
      const l = by('impact_lead');
      add('impact_reporter', !!r, 'The reporter approved the impact description', r ? `Recorded by ${r.user_label}: ${r.note}` : 'Record the reporter’s approval of the current description.');
      add('impact_lead', !!l, 'The project lead approved the impact description', l ? `Recorded by ${l.user_label}: ${l.note}` : 'Record the project lead’s approval of the current description.');
    }
  }

  const approval = (await listApprovals(db, row.id)).find((a) => a.kind === 'advisory' && a.revision_number === row.current_revision && a.text_hash === recordHash(record));
  const authors = await pendingAuthors(db, row);
  const independent = approval && approval.user_id !== null && !authors.has(approval.user_id);
  add('advisory_approval', !!independent, 'A second VMT member approved this revision', independent ? `Approved by ${approval.user_label}.` : `Revision ${row.current_revision} needs the approval of a VMT member who wrote none of the changes.`);
  return { checks, ready: checks.every((c) => c.ok || c.warning === true), report, impactChanged };
}

/** `[OSSA-2026-001] Nova: Title (CVE-2026-1234)` (DESIGN.md §3), with ` ERRATA N` for an errata announcement. */
export function announcementSubject(record: AdvisoryRecord, errata = 0): string {
  const products = [...new Set(record.affectedProducts.map((p) => pyCapitalize(p.product.trim())))].join(', ');
  const cves = assignedCves(record).map((v) => v.cveId).join(', ');
  const subject = `[${record.id}] ${products}: ${record.title}${cves ? ` (${cves})` : ''}${errata ? ` ERRATA ${errata}` : ''}`;
  return subject.replace(/\s+/g, ' ').trim();
}

/**
 * Publishes (or re-publishes, after an edit or erratum) the advisory's current revision. A person publishing
 * gives a reason (confirmation page or API, issue 13 item 11), kept in the audit event and on the report's
 * timeline; the scheduled disclosure publishes without one (the VMT confirmed the plan).
 */
export async function publishAdvisory(scope: Scope, ref: string, expectedRevision?: number, reason?: string): Promise<{ revision: number; announced: 'announcement' | 'errata' | null }> {
  requireEditor(scope.actor);
  const db = scope.app.storage.db;
  const loaded = await advisoryForEditor(db, scope.actor, ref);
  if (expectedRevision !== undefined && expectedRevision !== loaded.row.current_revision) throw errors.conflict(`The advisory changed since you opened it (revision ${loaded.row.current_revision} is current). Reload it and look again.`);
  if (loaded.row.status === 'published') throw errors.conflict(`${ref} is already published as it is.`);
  const readiness = await publicationReadiness(scope, loaded);
  if (!readiness.ready) {
    const missing = readiness.checks.filter((c) => !c.ok && c.warning !== true);
    // The message stays short (it is shown as a flash); the fields carry the details.
    throw errors.validation(missing.map((c) => ({ field: c.key, message: `${c.label}: ${c.detail}` })), `${ref} cannot be published yet. Still open: ${missing.map((c) => c.label.toLowerCase()).join(', ')}.`);
  }
  const teamKey = await teamPublicKey(db);
  return change(scope, async ({ trx, now, audit, enqueue }) => {
    const site = await siteContextFor(scope.app, teamKey, trx);
    let record = loaded.record;
    let revision = loaded.row.current_revision;
    if (!record.date) {
      // The advisory date is its publication day (DESIGN.md §3 `:Date:`), set when it is first published.
      record = withDate(record, now.toISOString().slice(0, 10));
      revision = await writeRevision(trx, loaded, record, 'published', `Published; date set to ${record.date}`, authorOf(scope), now, 'published');
    }
    const at = now.toISOString();
    const updated = await trx
      .updateTable('advisories')
      .set({
        status: 'published',
        published_json: JSON.stringify(record),
        published_revision: revision,
        published_summary: JSON.stringify(summarizePublished(record, readiness.report?.projects ?? [])),
        published_at: loaded.row.published_at ?? at,
        last_published_at: at,
        updated_at: at,
      })
      .where('id', '=', loaded.row.id)
      .where('current_revision', '=', revision)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw errors.conflict('The advisory changed while it was being published. Reload it and look again.');
    await rebuildAdvisoryOutputs(trx, now, site, ref);
    await enqueue(SIGN_JOB, { reason: `published ${ref}` });
    const before = errataCount(loaded.published);
    const after = errataCount(record);
    const announced = loaded.published === null ? 'announcement' : after > before ? 'errata' : null;
    const lists = scope.app.config.announceLists;
    if (announced && lists.length) {
      // Plain text notice; signing of announcement mail is the mail work's (issue 4).
      await enqueueMail(enqueue, { to: lists, subject: announcementSubject(record, announced === 'errata' ? after : 0), text: renderNoticeText(record) });
    }
    const why = reason?.trim() ?? '';
    if (loaded.row.report_id !== null) await addTimelineEvent(trx, loaded.row.report_id, now, actorName(scope.actor, 'disclosure'), 'advisory_published', { advisory: ref, revision, reason: why });
    await audit(loaded.published ? 'advisory.republished' : 'advisory.published', 'advisory', ref, loaded.published ? { revision: loaded.row.published_revision } : undefined, { revision, announced, ...(why ? { reason: why } : {}) });
    return { revision, announced };
  });
}
