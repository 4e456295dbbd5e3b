// The VMT's page for one advisory: where it stands, what publication still needs (approvals), the
// actions, the notice text preview, revisions and approvals.
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Button, CsrfField, ErrorSummary, Select, TextField, Time, type FormState } from '../web/components.js';
import { errataCount } from './commands.js';
import type { PageContext } from '../web/layout.js';
import type { AdvisoryApprovalRow, AdvisoryRevisionRow, AdvisoryRow } from './tables.js';
import type { LoadedAdvisory } from './store.js';
import type { Readiness } from './publish.js';
import type { FieldDiff } from './diff.js';
import type { Approver, Approvers } from './approvers.js';


export function statusBadge(row: Pick<AdvisoryRow, 'status' | 'published_at'>): SafeHtml {
  if (row.status === 'published') return <Badge tone="ok">published</Badge>;
  const pending = row.published_at ? <Badge tone="info">published; changes pending</Badge> : null;
  return (
    <>
      {row.status === 'approved' ? <Badge tone="ok">approved</Badge> : <Badge tone="warn">draft</Badge>} {pending}
    </>
  );
}

export interface ManageView {
  ctx: PageContext;
  loaded: LoadedAdvisory;
  readiness: Readiness;
  revisions: Omit<AdvisoryRevisionRow, 'record_json'>[];
  approvals: AdvisoryApprovalRow[];
  notice: string;
  /** Whether the viewer wrote any revision since the last publication (and so may not approve it). */
  viewerIsAuthor: boolean;
  announceLists: string[];
  /** Per pending approval: who gives it and whether the viewer may (issue 15 item 5). */
  approvers: Approvers;
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** Under a pending approval: who gives it, whether the viewer can and why, and their button for an impact approval. */
function ApproverNote({ a, ref, csrf }: { a: Approver; ref: string; csrf: string }): SafeHtml {
  return (
    <div class="approver">
      <p class="hint">Who approves: {a.whoCan}</p>
      <p class="hint">{a.viewer.may ? <strong>You can: {lowerFirst(a.viewer.why)}</strong> : <>You cannot: {lowerFirst(a.viewer.why)}</>}</p>
      {a.impactRole && a.version ? (
        <form method="post" action={`/advisories/${ref}/impact-approve`} class="inline-form">
          <CsrfField token={csrf} />
          <input type="hidden" name="role" value={a.impactRole} />
          <input type="hidden" name="version" value={a.version} />
          <Button kind="secondary">{`Approve the impact description as the ${a.impactRole === 'lead' ? 'project lead' : 'reporter'}`}</Button>
        </form>
      ) : null}
    </div>
  );
}

function Checklist({ readiness, approvers, ref, csrf }: { readiness: Readiness; approvers: Approvers; ref: string; csrf: string }): SafeHtml {
  return (
    <ul class="checklist">
      {readiness.checks.map((c) => {
        const a = approvers[c.key];
        return (
          <li class={c.ok ? 'ok' : 'todo'}>
            <span class="mark" aria-hidden="true">{c.ok ? '✓' : c.warning ? '!' : '•'}</span> <strong>{c.label}</strong>
            <span class="visually-hidden">{c.ok ? ' (done)' : c.warning ? ' (does not block publication)' : ' (not yet)'}</span>
            <div class="muted">
              {c.detail}
              {c.href ? <> <a href={c.href}>Open the publication settings</a>.</> : null}
            </div>
            {!c.ok && a ? <ApproverNote a={a} ref={ref} csrf={csrf} /> : null}
          </li>
        );
      })}
      {!readiness.impactChanged ? (
        <li class="ok">
          <span class="mark" aria-hidden="true">✓</span> <strong>The impact description is the one already published</strong>
          <div class="muted">No new impact approval is needed.</div>
        </li>
      ) : null}
    </ul>
  );
}

export function ManagePage(v: ManageView): SafeHtml {
  const { row, record, published } = v.loaded;
  const ref = row.ref;
  const csrf = v.ctx.csrfToken;
  const contentOk = v.readiness.checks.find((c) => c.key === 'content')?.ok ?? false;
  const needsImpactRecord = v.readiness.report === null && v.readiness.impactChanged && v.readiness.checks.some((c) => (c.key === 'impact_reporter' || c.key === 'impact_lead') && !c.ok);
  return (
    <>
      <p class="crumbs">
        <a href="/advisories/drafts">Advisories in progress</a>
      </p>
      <h1>
        {ref}: {record.title || <span class="muted">untitled</span>}
      </h1>
      <p class="badges">
        {statusBadge(row)} <span class="muted">revision {row.current_revision}</span>
        {published ? (
          <>
            {' '}
            · <a href={`/advisories/${ref}`}>public page</a>
          </>
        ) : null}
        {v.readiness.report ? (
          <>
            {' '}
            · report <a href={`/reports/${v.readiness.report.ref}`}>{v.readiness.report.ref}</a>
          </>
        ) : null}
      </p>
      <div class="actions">
        <a class="btn secondary" href={`/advisories/${ref}/edit`}>
          Edit
        </a>
        {published ? (
          <a class="btn secondary" href={`/advisories/${ref}/errata`}>
            Add an erratum
          </a>
        ) : null}
        <a class="btn secondary" href={`/advisories/${ref}/revisions`}>
          Changes
        </a>
      </div>

      <div class="adv-panels">
        <section class="card">
          <h2>{row.status === 'published' ? 'Published' : 'Before publication'}</h2>
          {row.status === 'published' ? (
            <p>
              Revision {row.published_revision} is public since <Time iso={row.last_published_at} />. Edits or an erratum make a new revision that needs approval again.
            </p>
          ) : (
            <>
              <Checklist readiness={v.readiness} approvers={v.approvers} ref={ref} csrf={csrf} />
              {row.status === 'draft' && contentOk && !v.viewerIsAuthor ? (
                <form method="post" action={`/advisories/${ref}/approve`} class="inline-form">
                  <CsrfField token={csrf} />
                  <input type="hidden" name="revision" value={String(row.current_revision)} />
                  <Button kind="secondary">Approve revision {row.current_revision}</Button>
                </form>
              ) : null}
              {v.readiness.ready ? (
<div class="inline-form">
                  <a class="btn primary" href={`/advisories/${ref}/publish`}>
                    {published ? 'Publish the new revision…' : 'Publish…'}
                  </a>
                  <p class="hint">
                    {v.announceLists.length
                      ? `${published ? 'An erratum is announced' : 'The advisory is announced'} to ${v.announceLists.join(', ')}.`
                      : 'ANNOUNCE_LISTS is empty: no announcement mail is sent.'}
                  </p>
                </div>
              ) : null}
            </>
          )}
        </section>
        {needsImpactRecord ? (
          <section class="card">
            <h2>Record an impact approval</h2>
            <p class="hint">This advisory has no report, so record here that the reporter or the project lead approved the current description, and how.</p>
            <form method="post" action={`/advisories/${ref}/impact-approvals`} class="stack">
              <CsrfField token={csrf} />
              <Select name="role" label="Who approved" options={[['reporter', 'The reporter'], ['lead', 'The project lead']]} />
              <TextField name="note" label="How and when" hint="e.g. by encrypted mail on 2026-05-02" />
              <Button kind="secondary">Record approval</Button>
            </form>
          </section>
        ) : null}
      </div>

      <section class="card">
        <h2>Notice text</h2>
        <p class="hint">The announcement body and the .txt file, exactly as it will be published{record.date ? '' : ' (the date is set on publication)'}.</p>
        <pre class="notice">{v.notice}</pre>
      </section>

      <section class="card">
        <h2>Revisions</h2>
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>What</th>
              <th>By</th>
              <th>When</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {v.revisions.map((r) => (
              <tr>
                <td>{r.number}</td>
                <td>
                  {r.summary} {r.number === row.published_revision ? <Badge tone="ok">published</Badge> : null}
                </td>
                <td>{r.author_label}</td>
                <td>
                  <Time iso={r.created_at} />
                </td>
                <td>{r.number > 1 ? <a href={`/advisories/${ref}/revisions?from=${r.number - 1}&to=${r.number}`}>changes</a> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {v.approvals.length ? (
        <section class="card">
          <h2>Approvals</h2>
          <ul>
            {v.approvals.map((a) => (
              <li>
                {a.kind === 'advisory' ? `Revision ${a.revision_number} approved` : a.kind === 'impact_reporter' ? 'Reporter’s approval of the description recorded' : 'Project lead’s approval of the description recorded'} by {a.user_label}
                {a.note ? `: ${a.note}` : ''} — <Time iso={a.approved_at} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

export function DiffView({ diffs }: { diffs: FieldDiff[] }): SafeHtml {
  if (!diffs.length) return <p class="empty">The two revisions are the same.</p>;
  return (
    <>
      {diffs.map((d) => (
        <section class="card">
          <h2>{d.label}</h2>
          <pre class="adv-diff">
            {d.lines.map((l) => (
              <span class={`line-${l.op}`}>
                {l.op === 'add' ? '+ ' : l.op === 'del' ? '- ' : '  '}
                {l.text}
                {'\n'}
              </span>
            ))}
          </pre>
        </section>
      ))}
    </>
  );
}

/** The erratum form of a published advisory (or the note that a draft gets none). */
export function ErrataPage({ ctx, loaded, state }: { ctx: PageContext; loaded: LoadedAdvisory; state: FormState | null }): SafeHtml {
  const ref = loaded.row.ref;
  const pending = errataCount(loaded.record) > errataCount(loaded.published);
  const values = state?.values ?? { errata: loaded.record.errata?.text ?? '' };
  return (
    <>
      <p class="crumbs">
        <a href={`/advisories/${ref}/manage`}>{ref}</a>
      </p>
      <h1>Erratum for {ref}</h1>
      <p class="lead">
        {loaded.published
          ? pending
            ? 'An erratum is waiting for approval; saving rewrites its text.'
            : `This adds “Errata ${errataCount(loaded.record) + 1}” to the history (the original date stays). After a second VMT member approves, publishing re-publishes every file and sends the errata announcement.`
          : 'Only published advisories get errata; edit the draft instead.'}
      </p>
      <form method="post" action={`/advisories/${ref}/errata`} class="stack">
        <CsrfField token={ctx.csrfToken} />
        <input type="hidden" name="revision" value={String(loaded.row.current_revision)} />
        <ErrorSummary state={state ?? {}} />
        <TextField name="errata" label="Errata text" multiline rows={6} state={{ values, issues: state?.issues ?? [] }} hint="What was wrong or missing, and what changed (e.g. an additional patch, a CVE assigned later)." />
        <Button>Save erratum</Button>
      </form>
    </>
  );
}

/** What changed between two revisions (`shown` is the later one, when it exists). */
export function RevisionsPage({ loaded, revisions, from, to, shown, diffs }: { loaded: LoadedAdvisory; revisions: Omit<AdvisoryRevisionRow, 'record_json'>[]; from: number; to: number; shown: Pick<AdvisoryRevisionRow, 'summary' | 'author_label'> | null; diffs: FieldDiff[] }): SafeHtml {
  const ref = loaded.row.ref;
  return (
    <>
      <p class="crumbs">
        <a href={`/advisories/${ref}/manage`}>{ref}</a>
      </p>
      <h1>
        Changes to {ref} {statusBadge(loaded.row)}
      </h1>
      <form method="get" action={`/advisories/${ref}/revisions`} class="inline-form">
        <label for="f-from">From revision</label>{' '}
        <select id="f-from" name="from">
          {revisions.map((r) => (
            <option value={String(r.number)} selected={r.number === from}>{`${r.number}: ${r.summary}`}</option>
          ))}
        </select>{' '}
        <label for="f-to">to</label>{' '}
        <select id="f-to" name="to">
          {revisions.map((r) => (
            <option value={String(r.number)} selected={r.number === to}>{`${r.number}: ${r.summary}`}</option>
          ))}
        </select>{' '}
        <button type="submit" class="btn secondary">Compare</button>
      </form>
      <p class="lead">
        Revision {from} → revision {to}
        {shown ? ` (${shown.summary}, by ${shown.author_label})` : ''}
      </p>
      <DiffView diffs={diffs} />
    </>
  );
}
