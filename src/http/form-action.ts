// The one form action (issue 16, item 3). An HTML form's POST runs its command inside `formAction`; a
// refusal is shown to the person who sent the form, everything else goes to the HTTP layer's error page.
//
// THE RULE (one, for every form): an error is shown on the form when its catalogue entry says it is a form
// refusal (`isFormRefusal`, src/errors/catalogue.ts): a problem with what was sent or with the state of an
// object the sender can already see (validation_failed, conflict, forbidden_action, precondition_failed,
// payload_too_large, rate_limited, account_locked). Every other error keeps its status: not_found and
// unauthenticated above all, so a refusal of access never turns into a message that confirms the object
// exists (DESIGN.md §5); csrf_invalid, unreadable bodies and server faults get the error page.
//
// Where it is shown: the form's page again (`again`: the problems beside their fields, what was typed kept,
// the error's own status) when the route has one; otherwise a flash on `back`, the page the form is on,
// after a 303 (post/redirect/get, so a reload posts nothing again).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, GENERIC_VALIDATION_MESSAGE, isFormRefusal, type FieldIssue } from '../errors/catalogue.js';
import type { FlashKind } from '../web/layout.js';
import { redirectWithFlash } from './render.js';
import { SCHEMA_MISMATCH_MESSAGE, schemaValidationError } from './validation-errors.js';

/** Where a form that succeeded goes, and what it says there. */
export interface FormDone {
  to: string;
  message: string;
  kind?: FlashKind;
}

export interface FormRefusalView {
  /** The page the form is on: a refusal is flashed there when the form is not shown again. */
  back: string;
  /**
   * Shows the form again with the problems (and, chosen by the caller, what was typed). Return undefined to
   * flash on `back` instead (e.g. a confirmation page shows only problems with its own fields).
   */
  again?: (issues: FieldIssue[], error: AppError) => Promise<FastifyReply> | FastifyReply | undefined;
  /** The field a refusal without field problems is shown at on the form again (default 'form'). */
  field?: string;
}

/** The error as a form refusal, or null when the HTTP layer must answer it (the rule above). */
export function formRefusal(error: unknown): AppError | null {
  return error instanceof AppError && isFormRefusal(error.code) ? error : null;
}

/**
 * One line for a flash: the error's message, then its field problems. A message that is only the generic
 * summary, or that repeats its one field's problem, is left out, so nothing is said twice.
 */
export function refusalMessage(error: AppError): string {
  const problems = error.fields.map((f) => f.message);
  const generic = error.message === GENERIC_VALIDATION_MESSAGE || error.message === SCHEMA_MISMATCH_MESSAGE || error.fields.some((f) => error.message === `${f.field}: ${f.message}`);
  return [...(problems.length && generic ? [] : [error.message]), ...problems].join(' ');
}

/**
 * Runs a form's command and answers it: a FormDone becomes a 303 with a success flash, a reply (a
 * shown-once redirect, a page) is sent as it is; a refusal is shown by the rule above. A form body that
 * failed the route's schema (attachValidation) is refused the same way, before the command runs — after
 * the handler has loaded and authorized what the URL names, so a hidden object still answers 404.
 */
export async function formAction(req: FastifyRequest, reply: FastifyReply, view: FormRefusalView, run: () => Promise<FormDone | FastifyReply>): Promise<FastifyReply> {
  try {
    if (req.validationError) throw schemaValidationError(req.validationError);
    const done = await run();
    return isDone(done) ? redirectWithFlash(reply, done.to, done.kind ?? 'success', done.message) : done;
  } catch (error) {
    const refusal = formRefusal(error);
    if (!refusal) throw error;
    if (view.again) {
      const issues = refusal.fields.length ? refusal.fields : [{ field: view.field ?? 'form', message: refusal.message }];
      // The same Retry-After the error page would send (RFC 9110 §10.2.3): a sign-in delay, a locked code.
      if (refusal.retryAfterSeconds !== undefined) void reply.header('retry-after', String(refusal.retryAfterSeconds));
      const shown = view.again(issues, refusal);
      if (shown) return shown;
      void reply.removeHeader('retry-after');
    }
    return redirectWithFlash(reply, view.back, 'error', refusalMessage(refusal));
  }
}

function isDone(value: FormDone | FastifyReply): value is FormDone {
  return typeof (value as FormDone).to === 'string' && typeof (value as FormDone).message === 'string' && !('send' in value);
}
