// Drafting an advisory from a class A report (DESIGN.md §2: class A → advisory): the editor starts
// with what the report already holds — title, impact description, affected versions per project, CVE
// ids, the reporter's credit (if they want it) and the report's link; patches are listed as a reminder
// of the branches whose review links belong under "Fixes".
import type { Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { activeBranchesOfReport } from '../patches/store.js';
import { reportForActor } from '../reports/load-for-actor.js';
import { requireEditor } from './commands.js';
import type { AdvisoryForm } from './editor-input.js';

export interface ReportPrefill {
  report: { ref: string; title: string };
  form: Partial<AdvisoryForm>;
  /** Things the VMT member should check or add by hand. */
  hints: string[];
}

export async function prefillFromReport(scope: Scope, ref: string): Promise<ReportPrefill> {
  requireEditor(scope.actor);
  const report = await reportForActor(scope, ref);
  const row = report.row;
  if (row.class !== 'A') {
    throw errors.field('report', `Advisories are for class A reports; ${row.ref} is ${row.class ? `class ${row.class}` : 'not classified yet'}.`);
  }
  const db = scope.app.storage.db;
  const existing = await db.selectFrom('advisories').select('ref').where('report_id', '=', row.id).executeTakeFirst();
  if (existing) throw errors.conflict(`Report ${row.ref} already has the advisory ${existing.ref}.`);
  const versions = row.affected_versions.replace(/\s+/g, ' ').trim();
  const cves = report.cves.length ? report.cves : row.cve_requested_at ? ['Requested'] : [];
  const hints: string[] = [];
  if (versions) hints.push(`The report gives the affected versions as “${versions}”; write them as specifiers such as <20.2.1, >=21.0.0 <21.2.1.`);
  if (!row.impact_text.trim()) hints.push('The report has no impact description yet: draft it on the report so the reporter and the project lead can approve it.');
  const patches = await activeBranchesOfReport(db, row.id);
  if (patches.length) hints.push(`Patches on the report: ${patches.map((p) => `${p.slug} ${p.branch}`).join(', ')} — add their review links under Fixes once they are proposed publicly.`);
  const credit = row.credit_wanted === 1 && row.credit_name.trim() ? [row.credit_name.trim(), row.credit_affiliation.trim(), report.cves.join(', ')] : null;
  if (credit) while (credit.length > 1 && credit[credit.length - 1] === '') credit.pop();
  return {
    report: { ref: row.ref, title: row.title },
    hints,
    form: {
      title: row.title,
      description: row.impact_text,
      products: report.projects.map((p) => `${p.slug}: ${versions}`).join('\n'),
      cves: cves.join('\n'),
      reporters: credit ? credit.join(' | ') : '',
      issues: `${scope.app.config.publicUrl}/reports/${row.ref}`,
    },
  };
}
