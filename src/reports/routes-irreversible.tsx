// The irreversible steps on a report — make public, publish files of an opened report — each behind a
// confirmation page with a reason, and the coordinator's choice of the reporter's files to publish (issue 13
// item 11; DESIGN.md §5). Ending the embargo early (or disclosing now, when a disclosure is scheduled) is the
// disclosure domain's step, on the same pieces (disclosure/routes-leak.tsx).
import { Type } from '@sinclair/typebox';
import { TextList } from '../http/schemas.js';
import type { AppContext, Scope } from '../context.js';
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


/** The report behind an irreversible step, with the files that may be published and what the step loads beside them. */
export interface IrreversibleTarget<M = undefined> {
  report: ReportForActor;
  files: PublishableFiles;
  more: M;
}
type Loaded = IrreversibleTarget;

export const refParam = { params: { ref: 'report' } } as const;
/** The ticked files (their ids); which of them may be published is checked by publishFiles. */
export const filesForm = { [PUBLISH_FILES_FIELD]: Type.Optional(TextList()) };

/**
 * Loads the report for a team member who may manage it, its publishable files and, alongside them, what
 * the step needs besides (`more`: whether a disclosure is scheduled, for the disclosure domain's steps).
 */
export async function loadIrreversible<M = undefined>(app: AppContext, scope: Scope, ref: string, what: string, more?: (reportId: number) => Promise<M>): Promise<IrreversibleTarget<M>> {
  const report = await reportForActor(scope, ref ?? '');
  requireOn(report, scope, (a) => canManage(a) && canSeeVmtOnly(a), what);
  const [files, extra] = await Promise.all([publishableFiles(app.storage.db, report.row.id), more ? more(report.row.id) : undefined]);
  return { report, files, more: extra as M };
}

export const stillPrivate = (d: IrreversibleTarget<unknown>) => {
  if (d.report.row.visibility === 'public') throw errors.conflict('The report is already public.');
};

/** The reporter's files to tick, on an opening step (`opening`) or when publishing files of an opened report. */
export const filePicker = (d: IrreversibleTarget<unknown>, opening: boolean) => (state: FormState) => <FilePicker files={d.files} state={state} opening={opening} />;

export function openingConsequences(d: IrreversibleTarget<unknown>): string[] {
  return [
    `${d.report.row.ref} becomes readable by anyone, signed in or not: its description, its comments for everyone and its timeline.`,
    'The embargo ends; the scheduled embargo deadline and warnings are cancelled.',
    'Everyone on the report (the reporter included) is told by mail.',
    'VMT-only comments and files, who was given access and why stay with the VMT. Files stay private unless you tick them below.',
  ];
}

export function irreversibleReportRoutes(app: AppContext): RouteDef[] {
  return [
    ...irreversibleRoutes<Loaded>(app, {
      url: '/reports/:ref/make-public',
      audience: 'user',
      leak: refParam,
      fields: [PUBLISH_FILES_FIELD],
      form: filesForm,
      back: (p) => `/reports/${p.ref!}`,
      prepare: (scope, p) => loadIrreversible(app, scope, p.ref!, 'make the report public'),
      view: (d): ConfirmView => (stillPrivate(d), {
        title: `Make ${d.report.row.ref} public`,
        lead: `Open “${d.report.row.title}” now, before its embargo ends.`,
        consequences: openingConsequences(d),
        button: 'Make the report public',
        reasonLabel: 'Why is it made public now?',
        reasonHint: 'Shown on the report’s timeline and kept in the audit log.',
        extra: filePicker(d, true),
      }),
      run: async (scope, p, form, reason) => {
        await makePublic(scope, p.ref!, reason, list(form, PUBLISH_FILES_FIELD));
        return { location: `/reports/${p.ref!}`, message: 'The report is public.' };
      },
    }),
    ...irreversibleRoutes<Loaded>(app, {
      url: '/reports/:ref/publish-files',
      audience: 'user',
      leak: refParam,
      fields: [PUBLISH_FILES_FIELD],
      form: filesForm,
      back: (p) => `/reports/${p.ref!}#attachments`,
      prepare: (scope, p) => loadIrreversible(app, scope, p.ref!, 'publish files'),
      view: (d): ConfirmView => {
        if (d.report.row.visibility !== 'public') throw errors.conflict('The report is still private: pick the files when you make it public.');
        return {
          title: `Publish files of ${d.report.row.ref}`,
          lead: 'The report is public; its files are not, until you pick them.',
          consequences: ['Anyone can download the files you tick, from the public report page.', 'The file names are shown on the report’s timeline.'],
          button: 'Publish the ticked files',
          reasonLabel: 'Why are these files published?',
          reasonHint: 'Kept in the audit log.',
          extra: filePicker(d, false),
        };
      },
      run: async (scope, p, form, reason) => {
        const n = await publishFiles(scope, p.ref!, list(form, PUBLISH_FILES_FIELD), reason);
        return { location: `/reports/${p.ref!}#attachments`, message: `${n} file${n === 1 ? '' : 's'} published.` };
      },
    }),
  ];
}
