// Admin pages of the first run (issue 15): the instance settings with a test mail, and the first-run
// checklist. Every form posts, redirects and reloads nothing (post/redirect/get).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { SafeHtml } from '../web/jsx.js';
import type { AppContext } from '../context.js';
import { type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import type { RouteDef } from '../http/route.js';
import { formBody, keepValues, str } from '../http/forms.js';
import { redirectWithFlash, sendPage } from '../http/render.js';
import { Badge, Button, CsrfField, ErrorSummary, formValue, Time, TextField, type FormState } from '../web/components.js';
import { firstRunChecklist, type Checklist, type ChecklistStep } from './checklist.js';
import { effectiveSettings, loadStoredSettings, presentSetting, saveInstanceSettings, setChecklistDismissed, settingFields, type SettingKey } from './settings.js';
import { lastTestMail, sendTestMail, type TestMailStatus } from './test-mail.js';


const settingsBody = Type.Object(
  Object.fromEntries(settingFields.map((f) => [f.key, Type.Optional(Type.String({ maxLength: 500 }))])),
  { additionalProperties: false },
);

export function instanceRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  return [
    {
      method: 'GET',
      url: '/admin/setup',
      audience: 'admin.read',
      handler: async (req, reply) => {
        const list = await firstRunChecklist(db, app.config);
        return sendPage(app, req, reply, 'First-run checklist', (ctx) => (
          <>
            <h1>First-run checklist</h1>
            <p class="lead">
              {list.complete ? 'Everything the core flow needs is in place.' : `${list.steps.filter((s) => s.state === 'done').length} of ${list.steps.length} steps done. Each step links to the page that does it.`}
            </p>
            <div class="card">
              <StepList steps={list.steps} />
            </div>
            <div class="card">
              <h2>Who can do what alone</h2>
              <ul>
                {list.staffing.map((n) => (
                  <li>{n}</li>
                ))}
              </ul>
            </div>
            <form method="post" action="/admin/setup/dismiss" class="actions">
              <CsrfField token={ctx.csrfToken} />
              <input type="hidden" name="dismissed" value={list.dismissed ? 'false' : 'true'} />
              <Button kind="secondary">{list.dismissed ? 'Show the checklist on admin pages again' : 'Hide this checklist from admin pages'}</Button>
            </form>
          </>
        ));
      },
    },
    {
      method: 'POST',
      url: '/admin/setup/dismiss',
      audience: 'admin.write',
      handler: async (req, reply, scope) => {
        const dismissed = str(formBody(req), 'dismissed') !== 'false';
        await setChecklistDismissed(scope, dismissed);
        return redirectWithFlash(reply, dismissed ? '/admin' : '/admin/setup', 'success', dismissed ? 'The checklist is hidden; it stays at Admin → First-run checklist.' : 'The checklist shows on admin pages again.');
      },
    },
    { method: 'GET', url: '/admin/settings', audience: 'admin.read', handler: async (req, reply) => settingsPage(app, req, reply) },
    {
      method: 'POST',
      url: '/admin/settings',
      audience: 'admin.write',
      handler: async (req, reply, scope) => {
        const form = formBody(req);
        const input: Partial<Record<SettingKey, string>> = {};
        for (const f of settingFields) if (form[f.key] !== undefined) input[f.key] = str(form, f.key);
        const again = (issues: FieldIssue[], error: AppError) => settingsPage(app, req, reply, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: '/admin/settings', again }, async () => {
          await saveInstanceSettings(scope, input);
          return { to: '/admin/settings', message: 'Settings saved; they apply now.' };
        });
      },
    },
    {
      method: 'POST',
      url: '/admin/settings/test-mail',
      audience: 'admin.write',
      handler: async (req, reply, scope) => {
        const form = formBody(req);
        const again = (issues: FieldIssue[], error: AppError) => settingsPage(app, req, reply, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: '/admin/settings', again }, async () => {
          await sendTestMail(scope, str(form, 'to'));
          return { to: '/admin/settings#mail', message: 'Test mail queued. Reload this page to see whether it went out.' };
        });
      },
    },
    // JSON API
    {
      method: 'GET',
      url: '/api/v1/instance/settings',
      audience: 'admin.read',
      handler: async () => ({ settings: effectiveSettings(app.config, await loadStoredSettings(db)).map(presentSetting), test_mail: presentTestMail(await lastTestMail(db)) }),
    },
    {
      method: 'PATCH',
      url: '/api/v1/instance/settings',
      audience: 'admin.write',
      schema: { body: settingsBody },
      handler: async (req, _reply, scope) => {
        await saveInstanceSettings(scope, req.body as Partial<Record<SettingKey, string>>);
        return { settings: effectiveSettings(app.config, await loadStoredSettings(db)).map(presentSetting) };
      },
    },
    {
      method: 'POST',
      url: '/api/v1/instance/test-mail',
      audience: 'admin.write',
      schema: { body: Type.Object({ to: Type.String({ maxLength: 254 }) }, { additionalProperties: false }) },
      handler: async (req, reply, scope) => {
        await sendTestMail(scope, (req.body as { to: string }).to);
        return reply.code(202).send({ test_mail: presentTestMail(await lastTestMail(db)) });
      },
    },
    {
      method: 'GET',
      url: '/api/v1/instance/setup',
      audience: 'admin.read',
      handler: async () => {
        const list = await firstRunChecklist(db, app.config);
        return { complete: list.complete, dismissed: list.dismissed, steps: list.steps.map((s) => ({ id: s.id, state: s.state, detail: s.detail, href: s.href })), staffing: list.staffing };
      },
    },
  ];
}

function presentTestMail(m: TestMailStatus | null) {
  return m ? { job_id: m.jobId, recipient: m.recipient, state: m.state, error: m.error, queued_at: m.queuedAt, sent_at: m.sentAt } : null;
}

const stateBadge: Record<ChecklistStep['state'], SafeHtml> = {
  done: <Badge tone="ok">done</Badge>,
  todo: <Badge tone="warn">to do</Badge>,
  attention: <Badge tone="danger">needs attention</Badge>,
};

export function StepList({ steps }: { steps: ChecklistStep[] }): SafeHtml {
  return (
    <ul class="checklist setup-steps">
      {steps.map((s) => (
        <li class={s.state === 'done' ? 'ok' : 'todo'} id={`step-${s.id}`}>
          <span class="mark" aria-hidden="true">{s.state === 'done' ? '✓' : '○'}</span>
          <strong>{s.title}</strong> {stateBadge[s.state]}
          <div class="muted">{s.detail}</div>
          <a href={s.href}>{s.action}</a>
        </li>
      ))}
    </ul>
  );
}

/** The checklist as a card on admin pages (and the VMT home) while it is open. */
export function SetupCard({ list }: { list: Checklist }): SafeHtml {
  if (list.complete || list.dismissed) return <></>;
  const next = list.steps.find((s) => s.state !== 'done');
  return (
    <section class="card setup-card" aria-labelledby="setup-card-title">
      <h2 id="setup-card-title">Finish setting up</h2>
      <p>
        {list.steps.filter((s) => s.state === 'done').length} of {list.steps.length} steps done.{' '}
        {next ? <>Next:{' '}<a href={next.href}>{next.title}</a>.</> : null}
      </p>
      <p>
        <a class="btn primary" href="/admin/setup">
          Open the first-run checklist
        </a>
      </p>
    </section>
  );
}

async function settingsPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, state?: FormState, status?: number) {
  const db = app.storage.db;
  const settings = effectiveSettings(app.config, await loadStoredSettings(db));
  const testMail = await lastTestMail(db);
  const values: Record<string, unknown> = Object.fromEntries(settings.map((s) => [s.field.key, s.source === 'stored' ? s.value : '']));
  const formState: FormState = { issues: state?.issues ?? [], values: { ...values, ...(state?.values ?? {}) } };
  const ownEmail = req.actor.kind === 'user' ? (await db.selectFrom('users').select('email').where('id', '=', req.actor.userId).executeTakeFirst())?.email : undefined;
  const mailKeys = new Set<SettingKey>(['team_email', 'mail_from']);
  const field = (s: (typeof settings)[number]) =>
    s.source === 'environment' ? (
      <div class="field" id={`f-${s.field.key}`}>
        <strong>{s.field.label}</strong>
        <p>
          <code>{s.value}</code> <Badge tone="info">set by {s.field.variable} in the environment</Badge>
        </p>
        <p class="hint">Change it where the environment is set and restart; the environment wins over this page.</p>
      </div>
    ) : (
      <TextField
        name={s.field.key}
        label={s.field.label}
        state={formState}
        hint={`${s.field.hint} ${s.source === 'default' ? `Now the default, ${s.value}.` : 'Empty it to go back to the default.'}`}
      />
    );
  return sendPage(
    app,
    req,
    reply,
    'Instance settings',
    (ctx) => (
      <>
        <h1>Instance settings</h1>
        <p class="lead">
          Stored in the database and applied at once. A variable set in the environment (<code>INSTANCE_NAME</code>, <code>PUBLIC_URL</code>, <code>TEAM_EMAIL</code>, <code>MAIL_FROM</code>) wins; other app nodes and workers take a change within a minute.
        </p>
        <ErrorSummary state={formState} />
        <form method="post" action="/admin/settings" class="card stack">
          <h2>This instance</h2>
          <CsrfField token={ctx.csrfToken} />
          {settings.filter((s) => !mailKeys.has(s.field.key)).map(field)}
          <h2 id="mail">Mail</h2>
          {settings.filter((s) => mailKeys.has(s.field.key)).map(field)}
          <div class="actions">
            <Button>Save settings</Button>
          </div>
        </form>
        <form method="post" action="/admin/settings/test-mail" class="card stack" id="test-mail">
          <h2>Send a test mail</h2>
          <CsrfField token={ctx.csrfToken} />
          <p class="muted">
            Goes through the outbox like every other mail{app.config.smtpUrl ? ' (over SMTP_URL)' : ' (no SMTP_URL: written as an .eml file to DATA_DIR/outbox)'}, from {app.config.mailFrom}.
          </p>
          <TextField name="to" label="Send to" type="email" value={formValue(formState.values, 'to', ownEmail ?? '')} state={formState} required />
          <div class="actions">
            <Button kind="secondary">Send a test mail</Button>
          </div>
          <TestMailResult mail={testMail} />
        </form>
        <p>
          <a href="/admin/setup">Back to the first-run checklist</a>
        </p>
      </>
    ),
    { status },
  );
}

function TestMailResult({ mail }: { mail: TestMailStatus | null }): SafeHtml {
  if (!mail) return <p class="muted">No test mail sent yet.</p>;
  return (
    <dl class="facts test-mail-result">
      <dt>Last test mail</dt>
      <dd>
        to {mail.recipient}, queued <Time iso={mail.queuedAt} />
      </dd>
      <dt>State</dt>
      <dd>
        {mail.state === 'sent' ? <Badge tone="ok">sent</Badge> : mail.state === 'failed' ? <Badge tone="danger">failed</Badge> : <Badge tone="warn">queued</Badge>}
        {mail.sentAt ? <> <Time iso={mail.sentAt} /></> : null}
      </dd>
      {mail.error ? (
        <>
          <dt>{mail.state === 'failed' ? 'Error' : 'Last try'}</dt>
          <dd class="test-mail-error">{mail.error}</dd>
        </>
      ) : null}
    </dl>
  );
}
