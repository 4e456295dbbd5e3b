// The coordinator's actions on the report page, grouped by what they are doing now (issue 15 item 7):
// triage, access, embargo, disclosure. The group that matches the report's state is open and first, the
// others are folded (details/summary, no JavaScript). Irreversible steps sit apart at the end; opening the
// report and ending the embargo go through their confirmation pages (routes-irreversible.tsx, DESIGN.md §5).
import type { SafeHtml } from '../web/jsx.js';
import type { PageContext } from '../web/layout.js';
import { Badge, Button, CsrfField, Select, TextField, Time } from '../web/components.js';
import { describeRemaining } from '../calendar/calendar.js';
import type { ReportState } from '../storage/tables.js';
import { classOutcome, reportClasses, transitions } from './triage.js';
import { ExtentCard } from './extent-card.js';
import { currentGroup, groupOrder, type ActionGroup } from './report-focus.js';
import type { ReportPageData } from './report-page-data.js';


/** States that close the report for good: offered apart, with the irreversible steps. */
const CLOSING: ReadonlySet<ReportState> = new Set(['invalid', 'wont_fix']);
const stateText = (s: ReportState) => s.replace('_', ' ');

export function ActionForm(props: { ctx: PageContext; action: string; children?: unknown; inline?: boolean }): SafeHtml {
  return (
    <form method="post" action={props.action} class={props.inline ? 'inline' : 'stack'}>
      <CsrfField token={props.ctx.csrfToken} />
      {props.children}
    </form>
  );
}

type Props = { ctx: PageContext; d: ReportPageData };

function Group({ id, title, status, open, children }: { id: ActionGroup; title: string; status: unknown; open: boolean; children?: unknown }): SafeHtml {
  return (
    <details class={`work-group${open ? ' current' : ''}`} id={`work-${id}`} open={open}>
      <summary>
        <span class="group-title">{title}</span>
        {open ? <Badge tone="info">now</Badge> : null} <span class="group-status">{status}</span>
      </summary>
      <div class="group-body">{children}</div>
    </details>
  );
}

function TriageGroup({ ctx, d, open }: Props & { open: boolean }): SafeHtml {
  const r = d.report.row;
  const base = `/reports/${r.ref}`;
  const next = transitions[r.state].filter((s) => !CLOSING.has(s));
  const status = r.acknowledged_at ? (
    <>
      acknowledged · {r.class ? `class ${r.class}` : 'not classified'} · {stateText(r.state)}
    </>
  ) : (
    <>
      not acknowledged — due <Time iso={r.ack_deadline_at} />
    </>
  );
  return (
    <Group id="triage" title="Triage" status={status} open={open}>
      {!r.acknowledged_at ? (
        <div class="next-step">
          <ActionForm ctx={ctx} action={`${base}/acknowledge`} inline>
            <Button>Acknowledge</Button>
          </ActionForm>
          <span class="muted">The reporter is told; you become the coordinator unless someone already is.</span>
        </div>
      ) : null}
      <div class="grid">
        <ActionForm ctx={ctx} action={`${base}/class`}>
          <Select name="class" label="Class" options={reportClasses.map((c) => [c, `${c} — ${classOutcome[c].outcome}`])} selected={r.class ?? undefined} />
          <Button kind="secondary">Classify</Button>
        </ActionForm>
        {next.length ? (
          <ActionForm ctx={ctx} action={`${base}/state`}>
            <Select name="state" label="Move to state" options={next.map((s) => [s, stateText(s)])} />
            <TextField name="reason" label="Reason (shown to the reporter)" />
            <Button kind="secondary">Change state</Button>
          </ActionForm>
        ) : null}
      </div>
      {/* Rarer: acknowledging makes the coordinator, and most reports stay with the project they name. */}
      <details class="more">
        <summary>Another coordinator, another project</summary>
        <div class="grid">
          <ActionForm ctx={ctx} action={`${base}/coordinator`}>
            <TextField name="username" label="Coordinator (VMT username)" />
            <Button kind="secondary">Assign</Button>
          </ActionForm>
          {d.report.projects.length ? (
            <ActionForm ctx={ctx} action={`${base}/redirect`}>
              <Select name="from" label="Move from project" options={d.report.projects.map((p) => [p.slug, p.name])} />
              <TextField name="to" label="to project (slug)" />
              <Button kind="secondary">Move</Button>
            </ActionForm>
          ) : null}
        </div>
      </details>
    </Group>
  );
}

function AccessGroup({ ctx, d, open }: Props & { open: boolean }): SafeHtml {
  const r = d.report.row;
  const others = d.subscriptions.length;
  const status = `the VMT${r.reporter_user_id || r.reporter_token_hash ? ', the reporter' : ''}${others ? ` and ${others} more` : ' only'}`;
  return (
    <Group id="access" title="Access" status={status} open={open}>
      <ExtentCard ctx={ctx} report={d.report} subscriptions={d.subscriptions} embedded />
    </Group>
  );
}

function EmbargoGroup({ ctx, d, open }: Props & { open: boolean }): SafeHtml {
  const r = d.report.row;
  const base = `/reports/${r.ref}`;
  return (
    <Group
      id="embargo"
      title="Embargo"
      status={
        <>
          ends <Time iso={r.embargo_end_at} /> · {describeRemaining(d.now, new Date(r.embargo_end_at))}
        </>
      }
      open={open}
    >
      {d.disclosure?.state === 'scheduled' ? (
        <p>
          The pre-notice is out: move or cancel the disclosure on the <a href={`${base}/disclosure`}>disclosure page</a>, which tells the stakeholders.
        </p>
      ) : null}
      <ActionForm ctx={ctx} action={`${base}/embargo/extend`}>
        <div class="grid">
          <TextField name="end" label="New hard end (UTC)" hint="Only for unusual circumstances; the reporter is told." />
          <TextField name="reason" label="Reason" required />
        </div>
        <Button kind="secondary">Extend embargo</Button>
      </ActionForm>
    </Group>
  );
}

function DisclosureGroup({ ctx, d, open }: Props & { open: boolean }): SafeHtml {
  const r = d.report.row;
  const base = `/reports/${r.ref}`;
  const planned = d.disclosure?.discloseAt ?? r.planned_disclosure_at;
  const status =
    r.visibility === 'public' ? (
      'the report is public'
    ) : planned ? (
      <>
        planned <Time iso={planned} />
        {d.disclosure ? ` · pre-notice ${d.disclosure.state}` : ' · no pre-notice yet'}
      </>
    ) : (
      'not planned'
    );
  return (
    <Group id="disclosure" title="Disclosure" status={status} open={open}>
      {r.visibility === 'private' ? (
        d.disclosure?.state === 'scheduled' ? (
          <p>
            The pre-notice is out: move or cancel the disclosure on the <a href={`${base}/disclosure`}>disclosure page</a>, which tells the stakeholders.
          </p>
        ) : (
          <ActionForm ctx={ctx} action={`${base}/disclosure/plan`}>
            <TextField
              name="planned_at"
              label="Planned disclosure (UTC)"
              hint={`YYYY-MM-DD, optionally THH:MM; default hour from settings. Empty clears it.`}
              value={r.planned_disclosure_at ? r.planned_disclosure_at.slice(0, 16) : ''}
            />
            <Button kind="secondary">{r.planned_disclosure_at ? 'Move the planned disclosure' : 'Plan disclosure'}</Button>
          </ActionForm>
        )
      ) : null}
      <ul class="next-links">
        {r.visibility === 'private' ? (
          <li>
            <a href={`${base}/disclosure`}>Pre-notice to stakeholders</a> <span class="muted">— the planned hour, who is told and who acknowledged.</span>
          </li>
        ) : null}
        <li>
          <a href="#impact">Impact description and CVE</a> <span class="muted">— approved by the reporter and the project lead before an advisory.</span>
        </li>
        {r.class ? (
          <li>
            {classOutcome[r.class].outcome === 'advisory' ? (
              <a href={`/advisories/new?report=${r.ref}`}>Start the advisory</a>
            ) : classOutcome[r.class].outcome === 'nothing' ? (
              <span class="muted">Class {r.class} leads to no advisory or note.</span>
            ) : (
              <a href={`/notes/flag?report=${r.ref}`}>Start a security note</a>
            )}
          </li>
        ) : (
          <li class="muted">Classify the report to see what is published: an advisory, a note or nothing.</li>
        )}
      </ul>
    </Group>
  );
}

function Irreversible({ ctx, d }: Props): SafeHtml {
  const r = d.report.row;
  const base = `/reports/${r.ref}`;
  const closing = transitions[r.state].filter((s) => CLOSING.has(s));
  const scrubbed = r.class === 'D' || r.class === 'E';
  if (r.visibility === 'public' && !closing.length && !scrubbed) return <></>;
  return (
    <section class="irreversible" aria-labelledby="irreversible-heading">
      <h3 id="irreversible-heading">Irreversible</h3>
      <p class="muted">These cannot be undone. Opening the report and ending the embargo ask for a reason and a confirmation first.</p>
      {r.visibility === 'private' ? (
        <div class="actions">
          <a class="btn danger" href={`${base}/make-public`}>
            Make public…
          </a>
          <a class="btn danger" href={`${base}/embargo/end`}>
            End the embargo now…
          </a>
        </div>
      ) : null}
      {closing.length ? (
        <details>
          <summary>Close the report (not a vulnerability, will not be fixed, a duplicate)</summary>
          <div class="grid">
            <ActionForm ctx={ctx} action={`${base}/state`}>
              <Select name="state" label="Close as" options={closing.map((s) => [s, stateText(s)])} />
              <TextField name="reason" label="Reason (shown to the reporter)" />
              <Button kind="danger">Close the report</Button>
            </ActionForm>
            <ActionForm ctx={ctx} action={`${base}/duplicate`}>
              <TextField name="of" label="Duplicate of (report ref)" hint="R-XXXXXXXX; closes this report." />
              <Button kind="danger">Mark duplicate</Button>
            </ActionForm>
          </div>
        </details>
      ) : null}
      {scrubbed ? (
        <details>
          <summary>Publish a scrubbed public version (not a vulnerability)</summary>
          <ActionForm ctx={ctx} action={`${base}/publish-issue`}>
            <TextField name="summary" label="Public summary" hint="Markdown. Only this and the comments you tick are published; the report stays private." multiline rows={5} required />
            {d.comments
              .filter((c) => c.visibility === 'everyone')
              .map((c) => (
                <div class="check">
                  <input type="checkbox" id={`pub-${c.id}`} name="comments" value={String(c.id)} />
                  <label for={`pub-${c.id}`}>
                    Publish the comment by {c.author} ({c.body.slice(0, 60)}
                    {c.body.length > 60 ? '…' : ''})
                  </label>
                </div>
              ))}
            <Button kind="danger">Publish public issue</Button>
          </ActionForm>
        </details>
      ) : null}
    </section>
  );
}

/** The coordinator's panel: who coordinates, then the action groups, then the irreversible steps. */
export function WorkPanel({ ctx, d }: Props): SafeHtml {
  const r = d.report.row;
  const current = currentGroup(r, d.now, d.disclosure !== null);
  // A public report has no embargo left to change.
  const groups = groupOrder(current).filter((g) => !(g === 'embargo' && r.visibility === 'public'));
  const render: Record<ActionGroup, () => SafeHtml> = {
    triage: () => <TriageGroup ctx={ctx} d={d} open={current === 'triage'} />,
    access: () => <AccessGroup ctx={ctx} d={d} open={current === 'access'} />,
    embargo: () => <EmbargoGroup ctx={ctx} d={d} open={current === 'embargo'} />,
    disclosure: () => <DisclosureGroup ctx={ctx} d={d} open={current === 'disclosure'} />,
  };
  return (
    <section class="card team-panel work-panel" aria-labelledby="work-heading">
      <h2 id="work-heading">Coordination</h2>
      <dl class="facts">
        <dt>Coordinator</dt>
        <dd>{d.coordinatorName ?? <span class="muted">nobody yet</span>}</dd>
        <dt>Acknowledged</dt>
        <dd>
          {r.acknowledged_at ? (
            <Time iso={r.acknowledged_at} />
          ) : (
            <>
              No — deadline <Time iso={r.ack_deadline_at} /> {r.escalated_at ? <Badge tone="danger">escalated</Badge> : null}
            </>
          )}
        </dd>
        <dt>Class</dt>
        <dd>{r.class ? `${r.class}: ${classOutcome[r.class].meaning} → ${classOutcome[r.class].outcome}` : <span class="muted">not classified</span>}</dd>
        <dt>Reporter</dt>
        <dd>
          {r.reporter_email} {r.reporter_pgp_key ? <Badge tone="ok">OpenPGP key</Badge> : null}
        </dd>
      </dl>
      <div class="work-groups">{groups.map((g) => render[g]())}</div>
      <Irreversible ctx={ctx} d={d} />
    </section>
  );
}
