// The first draft of a claimed note: the OSSN template's sections, with Contacts / References filled in
// as real notes write it (author, the note's own URL, the original bug, the mailing list, CVE if any).
import type { Config } from '../config/config.js';
import type { NoteReportLink, RevisionBody } from './store.js';

export function noteUrl(config: Config, publicId: string): string {
  return `${config.publicUrl}/notes/${publicId}`;
}

/** Where the original report can be read once the note is public: the report, or its public issue. */
export function reportUrl(config: Config, report: NoteReportLink): string {
  return report.visibility === 'private' && report.publicSummary ? `${config.publicUrl}/issues/${report.ref}` : `${config.publicUrl}/reports/${report.ref}`;
}

export function firstRevisionBody(
  config: Config,
  input: { publicId: string; authorName: string; report: NoteReportLink | null; cves: string[] },
): RevisionBody {
  const contacts = [
    `Author: ${input.authorName}`,
    `This OSSN : ${noteUrl(config, input.publicId)}`,
    `Original report : ${input.report ? reportUrl(config, input.report) : 'none'}`,
    `Mailing List : ${config.announceLists.length ? config.announceLists.join(', ') : 'none'}`,
    `CVE: ${input.cves.length ? input.cves.join(', ') : 'none'}`,
  ].join('\n');
  return {
    summary: null,
    affected: null,
    discussion: null,
    recommendedActions: null,
    credits: null,
    contacts,
    sectionLayout: [],
  };
}
