// Retrying a failed mail from the page that shows it (report, disclosure, stakeholder): the VMT for mail
// about a report it manages, admins for any mail (src/mail/failed-mail.ts decides, 404 otherwise).
import type { AppContext } from '../context.js';
import { Type } from '@sinclair/typebox';
import { route, type RouteDef } from '../http/route.js';
import { FormFields, Params, Text } from '../http/schemas.js';
import { redirectWithFlash, safeNext } from '../http/render.js';
import { retryDeadMail, type ReportAccessByRef } from './failed-mail.js';

/** `reportAccessByRef`: reports/load-for-actor.ts, wired in http/routes-index.ts. */
export function failedMailRoutes(_app: AppContext, reportAccessByRef: ReportAccessByRef): RouteDef[] {
  return [
    route({
      method: 'POST',
      url: '/mail/failed/:jobId/retry',
      audience: 'mail.retry',
      leak: { params: { jobId: 'job' } },
      schema: { params: Params('jobId'), body: FormFields({ back: Type.Optional(Text(2_000)) }) },
      handler: async (req, reply, scope) => {
        const { recipient } = await retryDeadMail(scope, Number(req.params.jobId), reportAccessByRef);
        // Back to the page the button was on; only a same-site path (no open redirect).
        return redirectWithFlash(reply, safeNext(req.body.back), 'success', `The mail to ${recipient} is queued again.`);
      },
    }),
  ];
}
