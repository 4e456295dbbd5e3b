// The disclosure domain's irreversible steps on a report, for a leak: end the embargo early (which runs the
// scheduled disclosure at once when there is one) and disclose now. They sit on the report's confirmation
// pieces (reports/routes-irreversible.tsx) and run disclosure commands (changes.ts), so they live here,
// above reports in the domain order (ARCHITECTURE.md), under the report's URLs.
import type { AppContext, Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { list } from '../http/forms.js';
import { irreversibleRoutes, type ConfirmView } from '../http/confirm.js';
import type { RouteDef } from '../http/route.js';
import { PUBLISH_FILES_FIELD } from '../reports/attachment-consent.js';
import { filePicker, filesForm, loadIrreversible, openingConsequences, refParam, stillPrivate, type IrreversibleTarget } from '../reports/routes-irreversible.js';
import { discloseNow, endEmbargoEarlyOrDisclose } from './changes.js';
import { hasScheduledDisclosure } from './plans.js';

/** The report, its files, and whether a disclosure is scheduled for it. */
type Loaded = IrreversibleTarget<boolean> & { scheduled: boolean };

export function disclosureLeakRoutes(app: AppContext): RouteDef[] {
  const load = async (scope: Scope, ref: string): Promise<Loaded> => {
    const target = await loadIrreversible(app, scope, ref, 'end the embargo', (reportId) => hasScheduledDisclosure(app.storage.db, reportId));
    return { ...target, scheduled: target.more };
  };
  return [
    ...irreversibleRoutes<Loaded>(app, {
      url: '/reports/:ref/embargo/end',
      audience: 'user',
      leak: refParam,
      fields: [PUBLISH_FILES_FIELD],
      form: filesForm,
      back: (p) => `/reports/${p.ref!}`,
      prepare: (scope, p) => load(scope, p.ref!),
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
        extra: filePicker(d, true),
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
      prepare: (scope, p) => load(scope, p.ref!),
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
          extra: filePicker(d, true),
        };
      },
      run: async (scope, p, form, reason) => {
        await discloseNow(scope, p.ref!, reason, list(form, PUBLISH_FILES_FIELD));
        return { location: `/reports/${p.ref!}/disclosure`, message: 'The disclosure steps are running now.' };
      },
    }),
  ];
}
