// The first run's pages (issue 15): the checklist, its card on admin pages, and the instance settings
// with the test mail.
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Button, CsrfField, ErrorSummary, formValue, Time, TextField, type FormState } from '../web/components.js';
import type { PageContext } from '../web/layout.js';
import type { Config } from '../config/config.js';
import type { Checklist, ChecklistStep } from './checklist.js';
import type { effectiveSettings, SettingKey } from './settings.js';
import type { TestMailStatus } from './test-mail.js';

export function ChecklistPage({ ctx, list }: { ctx: PageContext; list: Checklist }): SafeHtml {
  return (
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
  );
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

export interface SettingsPageData {
  settings: ReturnType<typeof effectiveSettings>;
  testMail: TestMailStatus | null;
  /** The signed-in admin's own address, offered as the test mail's recipient. */
  ownEmail: string | undefined;
  config: Pick<Config, 'smtpUrl' | 'mailFrom'>;
}

export function SettingsPage({ ctx, d, state }: { ctx: PageContext; d: SettingsPageData; state?: FormState | undefined }): SafeHtml {
  const { settings, testMail, ownEmail } = d;
  const values: Record<string, unknown> = Object.fromEntries(settings.map((s) => [s.field.key, s.source === 'stored' ? s.value : '']));
  const formState: FormState = { issues: state?.issues ?? [], values: { ...values, ...(state?.values ?? {}) } };
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
  return (
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
          Goes through the outbox like every other mail{d.config.smtpUrl ? ' (over SMTP_URL)' : ' (no SMTP_URL: written as an .eml file to DATA_DIR/outbox)'}, from {d.config.mailFrom}.
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
