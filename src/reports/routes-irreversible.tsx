// The irreversible steps on a report — make public, end the embargo (or disclose now, when a disclosure is
// scheduled), publish files of an opened report — each behind a confirmation page with a reason, and the
// coordinator's choice of the reporter's files to publish (issue 13 item 11; DESIGN.md §5).
import { Type } from '@sinclair/typebox';
import { TextList } from '../http/schemas.js';
import type { AppContext, Scope } from '../context.js';
import type { Db } from '../storage/database.js';
import { errors } from '../errors/catalogue.js';
import { list } from '../http/forms.js';
import { irreversibleRoutes, type ConfirmView } from '../http/confirm.js';
import type { FormState } from '../web/components.js';
import type { RouteDef } from '../http/route.js';
import { canManage, canSeeVmtOnly } from '../access/report-policy.js';
import { reportForActor, requireOn, type ReportForActor } from './load-for-actor.js';
import { PUBLISH_FILES_FIELD, publishableFiles, publishFiles } from './attachment-consent.js';
import { FilePicker, type PublishableFiles } from './file-picker.js';
import { makePublic } from './embargo/decisions.js';
import { discloseNow, endEmbargoEarlyOrDisclose } from '../disclosure/changes.js';


interface Loaded {
  report: ReportForActor;
  files: PublishableFiles;
  scheduled: boolean;
}

const refParam = { params: { ref: 'report' } } as const;
/** The ticked files (their ids); which of them may be published is checked by publishFiles. */
const filesForm = { [PUBLISH_FILES_FIELD]: Type.Optional(TextList()) };

/**
 * Whether a disclosure is scheduled for the report: the disclosure domain knows (it sits above reports in
 * the domain order, so the composition passes its reader in: architecture.test.ts).
 */
export type ScheduledDisclosure = (db: Db, reportId: number) => Promise<boolean>;

async function load(app: AppContext, scheduledDisclosure: ScheduledDisclosure, scope: Scope, ref: string, what: string): Promise<Loaded> {
  const report = await reportForActor(scope, ref ?? '');
  requireOn(report, scope, (a) => canManage(a) && canSeeVmtOnly(a), what);
  const [files, scheduled] = await Promise.all([publishableFiles(app.storage.db, report.row.id), scheduledDisclosure(app.storage.db, report.row.id)]);
  return { report, files, scheduled };
}

const stillPrivate = (d: Loaded) => {
  if (d.report.row.visibility === 'public') throw errors.conflict('The report is already public.');
};

function openingConsequences(d: Loaded): string[] {
  return [
    `${d.report.row.ref} becomes readable by anyone, signed in or not: its description, its comments for everyone and its timeline.`,
    'The embargo ends; the scheduled embargo deadline and warnings are cancelled.',
    'Everyone on the report (the reporter included) is told by mail.',
    'VMT-only comments and files, who was given access and why stay with the VMT. Files stay private unless you tick them below.',
  ];
}

export function irreversibleReportRoutes(app: AppContext, scheduledDisclosure: ScheduledDisclosure): RouteDef[] {
  const picker = (d: Loaded, opening: boolean) => (state: FormState) => <FilePicker files={d.files} state={state} opening={opening} />;
  return [
    ...irreversibleRoutes<Loaded>(app, {
      url: '/reports/:ref/make-public',
      audience: 'user',
      leak: refParam,
      fields: [PUBLISH_FILES_FIELD],
      form: filesForm,
      back: (p) => `/reports/${p.ref!}`,
      prepare: (scope, p) => load(app, scheduledDisclosure, scope, p.ref!, 'make the report public'),
      view: (d): ConfirmView => (stillPrivate(d), {
        title: `Make ${d.report.row.ref} public`,
        lead: `Open “${d.report.row.title}” now, before its embargo ends.`,
        consequences: openingConsequences(d),
        button: 'Make the report public',
        reasonLabel: 'Why is it made public now?',
        reasonHint: 'Shown on the report’s timeline and kept in the audit log.',
        extra: picker(d, true),
      }),
      run: async (scope, p, form, reason) => {
        await makePublic(scope, p.ref!, reason, list(form, PUBLISH_FILES_FIELD));
        return { location: `/reports/${p.ref!}`, message: 'The report is public.' };
      },
    }),
    ...irreversibleRoutes<Loaded>(app, {
      url: '/reports/:ref/embargo/end',
      audience: 'user',
      leak: refParam,
      fields: [PUBLISH_FILES_FIELD],
      form: filesForm,
      back: (p) => `/reports/${p.ref!}`,
      prepare: (scope, p) => load(app, scheduledDisclosure, scope, p.ref!, 'end the embargo'),
      view: (d): ConfirmView => (stillPrivate(d), {
        title: `End the embargo of ${d.report.row.ref}`,
        lead: `For a leak: the embargo of “${d.report.row.title}” ends now and the report opens.`,
        consequences: [
          ...openingConsequences(d),
          ...(d.scheduled ? ['The scheduled disclosure runs at once: the approved advisory is published, announced and the public site rebuilt.'] : []),
        ],
        button: 'End the embargo now',
        reasonLabel: 'What leaked?',
        reasonHint: 'Shown on the report’s timeline and kept in the audit log.',
        extra: picker(d, true),
      }),
      run: async (scope, p, form, reason) => {
        const how = await endEmbargoEarlyOrDisclose(scope, p.ref!, reason, list(form, PUBLISH_FILES_FIELD));
        const message = how === 'disclosing' ? 'The embargo has ended; the report is public and the disclosure steps (advisory, announcement, site) are running now.' : 'The embargo has ended; the report is public.';
        return { location: `/reports/${p.ref!}`, message };
      },
    }),
    ...irreversibleRoutes<Loaded>(app, {
      url: '/reports/:ref/disclosure/now',
      audience: 'user',
      leak: refParam,
      fields: [PUBLISH_FILES_FIELD],
      form: filesForm,
      back: (p) => `/reports/${p.ref!}/disclosure`,
      prepare: (scope, p) => load(app, scheduledDisclosure, scope, p.ref!, 'end the embargo'),
      view: (d): ConfirmView => {
        stillPrivate(d);
        if (!d.scheduled) throw errors.conflict('No disclosure is scheduled for this report.');
        return {
          title: `Disclose ${d.report.row.ref} now`,
          lead: 'For a leak: run the scheduled disclosure at once instead of at the planned hour.',
          consequences: [...openingConsequences(d), 'The approved advisory is published and announced, and the public site is rebuilt, now.'],
          button: 'Disclose now',
          reasonLabel: 'What leaked?',
          reasonHint: 'Shown on the report’s timeline and kept in the audit log.',
          extra: picker(d, true),
        };
      },
      run: async (scope, p, form, reason) => {
        await discloseNow(scope, p.ref!, reason, list(form, PUBLISH_FILES_FIELD));
        return { location: `/reports/${p.ref!}/disclosure`, message: 'The disclosure steps are running now.' };
      },
    }),
    ...irreversibleRoutes<Loaded>(app, {
      url: '/reports/:ref/publish-files',
      audience: 'user',
      leak: refParam,
      fields: [PUBLISH_FILES_FIELD],
      form: filesForm,
      back: (p) => `/reports/${p.ref!}#attachments`,
      prepare: (scope, p) => load(app, scheduledDisclosure, scope, p.ref!, 'publish files'),
      view: (d): ConfirmView => {
        if (d.report.row.visibility !== 'public') throw errors.conflict('The report is still private: pick the files when you make it public.');
        return {
          title: `Publish files of ${d.report.row.ref}`,
          lead: 'The report is public; its files are not, until you pick them.',
          consequences: ['Anyone can download the files you tick, from the public report page.', 'The file names are shown on the report’s timeline.'],
          button: 'Publish the ticked files',
          reasonLabel: 'Why are these files published?',
          reasonHint: 'Kept in the audit log.',
          extra: picker(d, false),
        };
      },
      run: async (scope, p, form, reason) => {
        const n = await publishFiles(scope, p.ref!, list(form, PUBLISH_FILES_FIELD), reason);
        return { location: `/reports/${p.ref!}#attachments`, message: `${n} file${n === 1 ? '' : 's'} published.` };
      },
    }),
  ];
}
