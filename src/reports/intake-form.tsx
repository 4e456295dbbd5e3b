// The public "Report a vulnerability" page and the confirmation that follows it (DESIGN.md §1, §2).
import type { SafeHtml } from '../web/jsx.js';
import { Button, Checkbox, CsrfField, ErrorSummary, formValue, TextField, Time, type FormState } from '../web/components.js';
import type { PageContext } from '../web/layout.js';
import type { Config } from '../config/config.js';
import type { ProjectRow, ReportRow } from '../storage/tables.js';
import { describeRemaining } from '../calendar/calendar.js';
import { describeBytes } from './intake-multipart.js';
import { HONEYPOT_FIELD } from './intake-input.js';


/** A project's security contact as a link when it is a web or mail address, else as text. */
export function ContactLink({ contact }: { contact: string }): SafeHtml {
  const c = contact.trim();
  if (/^https?:\/\/\S+$/i.test(c)) return <a href={c} rel="nofollow noopener noreferrer">{c}</a>;
  if (/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(c)) return <a href={`mailto:${c}`}>{c}</a>;
  return <>{c}</>;
}

function issuesFor(state: FormState | undefined, field: string): string | undefined {
  const found = state?.issues?.filter((i) => i.field === field || i.field.startsWith(field + '.')).map((i) => i.message);
  return found?.length ? found.join(' ') : undefined;
}

function checked(state: FormState | undefined, name: string, value = 'on'): boolean {
  const v = state?.values?.[name];
  return Array.isArray(v) ? v.includes(value) : v === value;
}

export interface ReportFormProps {
  ctx: PageContext;
  config: Config;
  projects: ProjectRow[];
  state?: FormState;
  /** The submission was refused: its files must be chosen again. */
  resubmit?: boolean;
  /** A project slug from the link that led here, ticked before the first submission if it takes reports. */
  chosenProject?: string | undefined;
}

export function ReportFormPage({ ctx, config, projects, state, resubmit, chosenProject }: ReportFormProps): SafeHtml {
  const overseen = projects.filter((p) => p.vmt_oversees);
  const elsewhere = projects.filter((p) => !p.vmt_oversees);
  const user = ctx.actor.kind === 'user' ? ctx.actor : null;
  const projectsError = issuesFor(state, 'projects');
  const attachmentsError = issuesFor(state, 'attachments');
  const honeypotError = issuesFor(state, HONEYPOT_FIELD);
  const formError = issuesFor(state, 'form');
  // Before the first submission, prefill what we know; afterwards, only what was typed.
  const preset = overseen.length === 1 ? overseen[0]!.slug : overseen.find((p) => p.slug === chosenProject)?.slug;
  const values = state?.values ?? { email: user?.email ?? '', credit_name: user?.displayName ?? '', ...(preset ? { projects: preset } : {}) };
  const formState: FormState = { values, issues: state?.issues ?? [] };
  return (
    <>
      <h1>Report a vulnerability</h1>
      <p class="lead">
        Tell the vulnerability management team privately about a security problem. Only the team reads a new report; nothing is published until a fix is ready or the
        embargo ends.
      </p>
      <div class="card intake-promises">
        <ul>
          <li>We acknowledge every report within {config.ackBusinessDays} business days.</li>
          <li>
            An embargo of at most {config.embargoMaxDays} days starts when we receive the report; your own disclosure terms win over ours.
          </li>
          <li>
            {user ? (
              <>
                You are signed in as <strong>{user.displayName}</strong>: the report will be linked to your account.
              </>
            ) : (
              <>
                You need no account. After sending you get a private link to follow the report, or <a href="/login?next=%2Freport">sign in</a> first to keep it in your
                account.
              </>
            )}
          </li>
        </ul>
      </div>
      {resubmit ? (
        <div class="flash error" role="alert">
          The report was not sent yet. Everything you typed is kept below; attached files are not kept, so choose them again before sending.
        </div>
      ) : null}
      <ErrorSummary state={formState} />
      {formError ? <p class="field-error">{formError}</p> : null}
      <form method="post" action="/report" enctype="multipart/form-data" class="intake">
        <CsrfField token={ctx.csrfToken} />
        <section class="card" aria-labelledby="intake-what">
          <h2 id="intake-what">The vulnerability</h2>
          <TextField name="title" label="Title" hint="One line that says what is wrong, e.g. “Token leak in the image upload API”." required state={formState} />
          <TextField name="description" label="Description" hint="What is the problem and what can an attacker do? Markdown is supported." required multiline rows={10} state={formState} />
          <fieldset id="f-projects" class={projectsError ? 'has-error' : undefined} aria-describedby={projectsError ? 'f-projects-error' : undefined}>
            <legend>
              Affected project{overseen.length === 1 ? '' : 's'}
              <span class="req" aria-hidden="true"> *</span>
            </legend>
            {projectsError ? <p class="field-error" id="f-projects-error">{projectsError}</p> : null}
            {overseen.length ? (
              <div class="project-choices">
                {overseen.map((p) => (
                  <Checkbox name="projects" value={p.slug} label={p.name} checked={checked(formState, 'projects', p.slug)} />
                ))}
              </div>
            ) : (
              <p class="muted">No project accepts reports here yet.</p>
            )}
            {elsewhere.length ? (
              <div class="elsewhere">
                <p class="hint">These projects handle their own vulnerability reports; please contact them directly:</p>
                <ul>
                  {elsewhere.map((p) => (
                    <li>
                      <strong>{p.name}</strong>
                      {p.security_contact ? (
                        <>
                          {' — '}
                          <ContactLink contact={p.security_contact} />
                        </>
                      ) : (
                        <span class="muted"> — see the project’s own documentation</span>
                      )}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
          </fieldset>
          <TextField name="affected_versions" label="Affected versions" hint="Releases, branches or commits you know to be affected." multiline rows={2} state={formState} />
          <TextField name="reproduction" label="How to reproduce" hint="Steps, configuration, proof-of-concept. Markdown is supported." multiline rows={6} state={formState} />
        </section>
        <section class="card" aria-labelledby="intake-disclosure">
          <h2 id="intake-disclosure">Disclosure</h2>
          <Checkbox name="already_public" label="This vulnerability is already public" checked={checked(formState, 'already_public')} hint="(e.g. posted on a public tracker or list)" />
          <Checkbox name="exploited" label="It is being exploited" checked={checked(formState, 'exploited')} hint="(you have seen attacks using it)" />
          <TextField
            name="disclosure_terms"
            label="Your disclosure terms"
            hint="If you plan to publish on a date of your own, or have other conditions, say so; we follow them."
            multiline
            rows={3}
            state={formState}
          />
        </section>
        <section class="card" aria-labelledby="intake-credit">
          <h2 id="intake-credit">Credit</h2>
          <p class="hint">Advisories credit the people who report vulnerabilities. Tell us how, or stay anonymous.</p>
          <div class="grid">
            <TextField name="credit_name" label="Name to credit" hint="Required unless you choose to stay anonymous." marked autocomplete="name" state={formState} />
            <TextField name="credit_affiliation" label="Affiliation (optional)" autocomplete="organization" state={formState} />
          </div>
          <Checkbox name="stay_anonymous" label="Stay anonymous: do not credit me" checked={checked(formState, 'stay_anonymous')} />
        </section>
        <section class="card" aria-labelledby="intake-contact">
          <h2 id="intake-contact">Contact</h2>
          <TextField name="email" label="Email address" type="email" autocomplete="email" hint="We write to you here about the report. It is never published." required state={formState} />
          <TextField
            name="pgp_key"
            label="OpenPGP public key"
            hint="Optional. Paste your ASCII-armoured public key (gpg --armor --export-options export-minimal --export you@example.org) so the team can write to you encrypted. Never paste a secret key."
            multiline
            rows={5}
            state={formState}
          />
          <div class={`field honeypot${honeypotError ? ' has-error shown' : ''}`}>
            <label for={`f-${HONEYPOT_FIELD}`}>Leave this field empty</label>
            {honeypotError ? <p class="field-error" id={`f-${HONEYPOT_FIELD}-error`}>{honeypotError}</p> : null}
            <input id={`f-${HONEYPOT_FIELD}`} name={HONEYPOT_FIELD} type="text" value={formValue(values, HONEYPOT_FIELD)} tabindex="-1" autocomplete="off" />
          </div>
        </section>
        <section class="card" aria-labelledby="intake-files">
          <h2 id="intake-files">Attachments</h2>
          <div class={`field${attachmentsError ? ' has-error' : ''}`}>
            <label for="f-attachments">Files</label>
            <p class="hint" id="f-attachments-hint">
              Optional: proof-of-concept code, logs, screenshots. At most {config.maxAttachments} files of up to {describeBytes(config.maxAttachmentBytes)} each.
              {resubmit ? <strong> Choose your files again: they are not kept after an error.</strong> : null}
            </p>
            {attachmentsError ? <p class="field-error" id="f-attachments-error">{attachmentsError}</p> : null}
            <input id="f-attachments" name="attachments" type="file" multiple aria-describedby={attachmentsError ? 'f-attachments-hint f-attachments-error' : 'f-attachments-hint'} />
          </div>
        </section>
        <div class="actions">
          <Button>Send the report privately</Button>
          <span class="muted">Only the vulnerability management team will see it.</span>
        </div>
      </form>
    </>
  );
}

export interface ReceivedProps {
  ctx: PageContext;
  report: ReportRow;
  /** The private link, for reporters without an account (null: the report is linked to the account). */
  followUrl: string | null;
  now: Date;
}

export function ReportReceivedPage({ ctx, report, followUrl, now }: ReceivedProps): SafeHtml {
  const signedIn = followUrl === null;
  return (
    <>
      <h1>Thank you: report received</h1>
      <p class="lead">
        Your report is filed as <strong>{report.ref}</strong> and is private to the vulnerability management team.
      </p>
      {signedIn ? (
        <div class="card">
          <h2>Follow your report</h2>
          <p>The report is linked to your account. Read replies, add comments and files at:</p>
          <p>
            <a class="btn primary" href={`/reports/${report.ref}`}>
              Open report {report.ref}
            </a>
          </p>
        </div>
      ) : (
        <div class="card private-link">
          <h2>Your private link</h2>
          <p>
            <strong>Keep this link; it is the only way back without an account.</strong> It is shown only once. Anyone who has it can read the report and write on it,
            so keep it to yourself.
          </p>
          <p class="secret">
            <a href={new URL(followUrl).pathname}>{followUrl}</a>
          </p>
          <p class="hint">Bookmark it or store it in your password manager. Mail we send you never contains it.</p>
        </div>
      )}
      <div class="card">
        <h2>What happens next</h2>
        <dl class="facts">
          <dt>Reference</dt>
          <dd>
            <code>{report.ref}</code>
          </dd>
          <dt>Received</dt>
          <dd>
            <Time iso={report.received_at} />
          </dd>
          <dt>Acknowledgement by</dt>
          <dd>
            <Time iso={report.ack_deadline_at} />
          </dd>
          <dt>Embargo ends at the latest</dt>
          <dd>
            <Time iso={report.embargo_end_at} zone={ctx.actor.kind === 'user' ? ctx.actor.timeZone : 'UTC'} />, {describeRemaining(now, new Date(report.embargo_end_at))}
          </dd>
        </dl>
        <p>
          We write to <strong>{report.reporter_email}</strong> when something happens. For your protection that mail names only the report’s reference, never its
          contents.
        </p>
      </div>
    </>
  );
}

/** The confirmation after its one view (a reload, another tab): the report is filed once; the link is not shown again. */
export function ReportAlreadyShownPage({ ctx }: { ctx: PageContext }): SafeHtml {
  return (
    <>
      <h1>Report received</h1>
      <p class="lead">This confirmation was already shown. Your report was filed once; reloading this page does not file it again.</p>
      <div class="card">
        <h2>Your private link</h2>
        <p>
          For your protection the private link is shown only once, on the first view of this page, and never again. If you kept it, use it to follow your report.
          {ctx.actor.kind === 'user' ? (
            <>
              {' '}
              Reports you filed while signed in are under <a href="/reports">your reports</a>.
            </>
          ) : null}
        </p>
        <p>
          If you did not keep it, <a href="/contact">contact the security team</a> from the address you gave in the report: they can reach you there.
        </p>
      </div>
      <p>
        <a href="/report">Report another vulnerability</a>
      </p>
    </>
  );
}
