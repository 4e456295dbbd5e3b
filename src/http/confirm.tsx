// Irreversible steps (make public, end an embargo, disclose now, publish) take a confirmation with a reason
// (DESIGN.md §5; issue 13 item 11). Each gets a GET page that says what will happen and asks for the reason,
// and a POST that is refused — with a clear error, changing nothing — unless it carries `confirm` and a
// reason. Plain forms: it works without JavaScript. The JSON API asks for `confirm: true` and `reason`.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import type { SafeHtml } from '../web/jsx.js';
import type { PageContext } from '../web/layout.js';
import { Button, CsrfField, ErrorSummary, TextField, type FormState } from '../web/components.js';
import type { AppContext, Scope } from '../context.js';
import { IssueCollector, type AppError, type FieldIssue } from '../errors/catalogue.js';
import type { UserActor } from '../access/actor.js';
import { formBody, keepValues, str, type FormBody } from './forms.js';
import { sendPage } from './render.js';
import { formAction } from './form-action.js';
import { route, type Audience, type LeakSpec, type RouteDef } from './route.js';
import { FormFields, Params, Text } from './schemas.js';


export const MAX_REASON = 2000;

/** JSON body fields of an irreversible API call; optional in the schema so that a missing one gets the clear error below. */
export const confirmFields = {
  confirm: Type.Optional(Type.Boolean({ description: 'Must be true: the step cannot be undone.' })),
  reason: Type.Optional(Type.String({ maxLength: MAX_REASON, description: 'Why; recorded on the timeline and in the audit event.' })),
};
export const ConfirmBody = Type.Object(confirmFields, { additionalProperties: false });

/** The reason of a confirmed irreversible step, or a validation error naming `confirm` and/or `reason`. */
export function requireConfirmation(confirmed: boolean, reason: unknown): string {
  const issues = new IssueCollector();
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (!confirmed) issues.add('confirm', 'This step cannot be undone: tick the box to confirm it.');
  if (!text) issues.add('reason', 'Give the reason; it is recorded on the timeline and in the audit log.');
  else if (text.length > MAX_REASON) issues.add('reason', `Use at most ${MAX_REASON} characters.`);
  issues.throwIfAny('This step cannot be undone: confirm it and give a reason.');
  return text;
}

/** What the confirmation page says. */
export interface ConfirmView {
  title: string;
  /** One sentence: what this step does. */
  lead: string;
  /** What will happen, one line each. */
  consequences: string[];
  button: string;
  reasonLabel: string;
  reasonHint?: string;
  /** More fields (e.g. which files to publish). */
  extra?: (state: FormState) => SafeHtml;
}

export function ConfirmPage({ ctx, action, back, view, state }: { ctx: PageContext; action: string; back: string; view: ConfirmView; state?: FormState }): SafeHtml {
  const confirmError = state?.issues?.find((i) => i.field === 'confirm');
  return (
    <>
      <h1>{view.title}</h1>
      <p class="lead">{view.lead}</p>
      <ErrorSummary state={state} />
      <div class="card confirm-step">
        <h2>What will happen</h2>
        <ul>
          {view.consequences.map((c) => (
            <li>{c}</li>
          ))}
        </ul>
        <p>
          <strong>This cannot be undone.</strong>
        </p>
      </div>
      <form method="post" action={action} class="stack">
        <CsrfField token={ctx.csrfToken} />
        <TextField name="reason" label={view.reasonLabel} hint={view.reasonHint} multiline rows={3} required state={state} />
        {view.extra ? view.extra(state ?? {}) : null}
        <div class={`check${confirmError ? ' has-error' : ''}`} id="f-confirm">
          <input type="checkbox" id="f-confirm-yes" name="confirm" value="yes" required aria-invalid={confirmError ? 'true' : undefined} />
          <label for="f-confirm-yes">I understand that this cannot be undone.</label>
        </div>
        {confirmError ? <p class="field-error">{confirmError.message}</p> : null}
        <div class="actions">
          <Button kind="danger">{view.button}</Button>
          <a href={back}>Cancel</a>
        </div>
      </form>
    </>
  );
}

export interface IrreversibleStep<T> {
  /** e.g. `/reports/:ref/make-public`: GET shows the confirmation, POST does it. */
  url: string;
  audience: Exclude<Audience, 'public'>;
  leak: LeakSpec;
  /** Load and authorize (404 for what the actor may not see, 403 for what they may not do). */
  prepare(scope: Scope & { actor: UserActor }, params: Record<string, string>): Promise<T>;
  view(data: T, params: Record<string, string>): ConfirmView;
  /** The object's page: "Cancel" goes there, and a refusal that is not about the form is flashed there. */
  back(params: Record<string, string>): string;
  /** The form's own fields besides confirm and reason: a validation error naming only these shows the page again. */
  fields?: string[];
  /** Do it; returns where to go and what to say. */
  /** Schemas of own fields that are not one text each (by default every field in `fields` is text). */
  form?: Record<string, TSchema>;
  run(scope: Scope & { actor: UserActor }, params: Record<string, string>, form: FormBody, reason: string): Promise<{ location: string; message: string }>;
}

export function irreversibleRoutes<T>(app: AppContext, step: IrreversibleStep<T>): RouteDef[] {
  const show = async (req: FastifyRequest, reply: FastifyReply, data: T, params: Record<string, string>, state?: FormState, status?: number) => {
    const view = step.view(data, params);
    const action = req.url.split('?')[0]!;
    return sendPage(app, req, reply, view.title, (ctx) => <ConfirmPage ctx={ctx} action={action} back={step.back(params)} view={view} state={state} />, { status });
  };
  // The URL's parameters, and the form: the confirmation, the reason and the step's own fields, all text
  // (the step checks what they say; a refusal of the schema shows the confirmation again, formAction).
  const names = [...step.url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
  const params = Params(...names);
  const body = FormFields({
    confirm: Type.Optional(Text(10)),
    reason: Type.Optional(Text()),
    ...Object.fromEntries((step.fields ?? []).map((f) => [f, Type.Optional(Text(200_000))])),
    // A field that is not one text (a list of picked files) declares its own schema.
    ...step.form,
  });
  return [
    route({
      method: 'GET',
      url: step.url,
      audience: step.audience,
      leak: step.leak,
      schema: { params },
      handler: async (req, reply, scope) => show(req, reply, await step.prepare(scope, req.params), req.params),
    }),
    route({
      method: 'POST',
      url: step.url,
      audience: step.audience,
      leak: step.leak,
      form: true,
      schema: { params, body },
      handler: async (req, reply, scope) => {
        const params = req.params;
        // Load first: what the actor may not read answers 404 before the form is looked at.
        const data = await step.prepare(scope, params);
        const form = formBody(req);
        // The form needs fixing: the confirmation again, with the errors. The object's state refuses (not
        // approved yet, already public…): said on the object's page (form-action.ts).
        const own = new Set(['confirm', 'reason', ...(step.fields ?? [])]);
        const again = (issues: FieldIssue[], error: AppError) =>
          error.code === 'validation_failed' && error.fields.length && error.fields.every((f) => own.has(f.field)) ? show(req, reply, data, params, { values: keepValues(form), issues }, error.status) : undefined;
        return formAction(req, reply, { back: step.back(params), again }, async () => {
          const reason = requireConfirmation(str(form, 'confirm') === 'yes', str(form, 'reason'));
          const done = await step.run(scope, params, form, reason);
          return { to: done.location, message: done.message };
        });
      },
    }),
  ];
}
