// Building blocks of the report list and the triage queue pages: rows, badges, filters and paging.
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Select, Time } from '../web/components.js';
import { daysLeft } from '../calendar/calendar.js';
import type { FieldIssue } from '../errors/catalogue.js';
import type { ReportState } from '../storage/tables.js';
import type { ReportListRow } from './queue-present.js';
import { listQueryString, PAGE_SIZE, type ReportListValues } from './queue-query.js';
import { classOutcome, reportClasses, reportStates } from './triage.js';


type Tone = 'ok' | 'warn' | 'danger' | 'muted' | 'info';

export function stateLabel(state: ReportState): string {
  return state.replace(/_/g, ' ');
}

const stateTone: Record<ReportState, Tone> = {
  new: 'info',
  incomplete: 'warn',
  confirmed: 'info',
  triaged: 'info',
  in_progress: 'info',
  fix_committed: 'info',
  public: 'ok',
  fix_released: 'ok',
  invalid: 'muted',
  wont_fix: 'muted',
};

export function StateBadge({ state }: { state: ReportState }): SafeHtml {
  return <Badge tone={stateTone[state]}>{stateLabel(state)}</Badge>;
}

/** "9 days left", coloured by urgency; "ended" once past. */
export function DaysLeftBadge({ end, now }: { end: string; now: Date }): SafeHtml {
  const left = daysLeft(now, end);
  if (new Date(end).getTime() <= now.getTime()) return <Badge tone="danger">ended</Badge>;
  const text = left === 0 ? 'less than a day left' : `${left} ${left === 1 ? 'day' : 'days'} left`;
  return <Badge tone={left < 7 ? 'danger' : left < 14 ? 'warn' : 'muted'}>{text}</Badge>;
}

export function EmbargoCell({ row, now }: { row: ReportListRow; now: Date }): SafeHtml {
  const r = row.item;
  if (r.visibility === 'public') {
    return (
      <>
        <Badge tone="ok">public</Badge> {r.public_at ? <span class="muted">since <Time iso={r.public_at} /></span> : null}
      </>
    );
  }
  return (
    <>
      <Time iso={r.embargo_end_at} /> <DaysLeftBadge end={r.embargo_end_at} now={now} />
    </>
  );
}

/** A UTC day for dense tables, the full time in the tooltip; deadlines use the full <Time> (DESIGN.md §2). */
export function DayOnly({ iso }: { iso: string }): SafeHtml {
  return <Time iso={iso} day />;
}

export function ReportTitleCell({ row }: { row: ReportListRow }): SafeHtml {
  const r = row.item;
  return (
    <>
      <a href={`/reports/${r.ref}`}>{r.title}</a>
      <div class="muted">
        <code>{r.ref}</code>
        {row.cves.length ? <> · {row.cves.join(', ')}</> : null}
        {r.visibility === 'private' ? <> · <Badge tone="warn">private</Badge></> : null}
      </div>
    </>
  );
}

export function ProjectsCell({ row }: { row: ReportListRow }): SafeHtml {
  if (!row.projects.length) return <span class="muted">—</span>;
  return (
    <>
      {row.projects.map((p, i) => (
        <>
          {i > 0 ? ', ' : ''}
          <a href={`/projects/${p.slug}`}>{p.name}</a>
        </>
      ))}
    </>
  );
}

export function CoordinatorCell({ row }: { row: ReportListRow }): SafeHtml {
  const r = row.item;
  return r.coordinator_name ? <span title={r.coordinator_username ?? ''}>{r.coordinator_name}</span> : <span class="muted">nobody yet</span>;
}

export function ClassCell({ row }: { row: ReportListRow }): SafeHtml {
  const c = row.item.class;
  return c ? <abbr title={`${classOutcome[c].meaning} (${classOutcome[c].outcome})`}>{c}</abbr> : <span class="muted">—</span>;
}

/** The report list's table. The class and coordinator columns are for the VMT only. */
export function ReportListTable({ rows, now, triage }: { rows: ReportListRow[]; now: Date; triage: boolean }): SafeHtml {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Report</th>
          <th scope="col">Projects</th>
          <th scope="col">State</th>
          {triage ? <th scope="col">Class</th> : null}
          <th scope="col">Received</th>
          <th scope="col">Embargo</th>
          {triage ? <th scope="col">Coordinator</th> : null}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr>
            <td>
              <ReportTitleCell row={row} />
            </td>
            <td>
              <ProjectsCell row={row} />
            </td>
            <td>
              <StateBadge state={row.item.state} />
            </td>
            {triage ? (
              <td>
                <ClassCell row={row} />
              </td>
            ) : null}
            <td>
              <DayOnly iso={row.item.received_at} />
            </td>
            <td>
              <EmbargoCell row={row} now={now} />
            </td>
            {triage ? (
              <td>
                <CoordinatorCell row={row} />
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface FilterFormProps {
  action: string;
  values: ReportListValues;
  issues: FieldIssue[];
  projects: { slug: string; name: string }[];
  /** Which filters to offer. */
  show: { search?: boolean; state?: boolean; class?: boolean; visibility?: boolean };
  submitLabel?: string;
}

/**
 * Most projects offered as a menu; more are filtered by typing the slug (a large host's 1,000 projects made
 * every list and queue page carry a 1,013-option menu, issue 17).
 */
export const PROJECT_MENU_MAX = 100;

function ProjectSlugField({ value, issue }: { value: string; issue: string | undefined }): SafeHtml {
  const describedBy = ['f-project-hint', issue ? 'f-project-error' : ''].filter(Boolean).join(' ');
  return (
    <div class={`field${issue ? ' has-error' : ''}`}>
      <label for="f-project">Project</label>
      <p class="hint" id="f-project-hint">
        The project’s short name, as in its address (e.g. nova); empty for all projects.
      </p>
      {issue ? <p class="field-error" id="f-project-error">{issue}</p> : null}
      <input id="f-project" name="project" type="text" value={value} autocomplete="off" aria-invalid={issue ? 'true' : undefined} aria-describedby={describedBy} />
    </div>
  );
}

/** A GET form, so filtered lists are plain links that can be bookmarked and work without JavaScript. */
export function FilterForm(p: FilterFormProps): SafeHtml {
  const issue = (field: string) => p.issues.filter((i) => i.field === field).map((i) => i.message).join(' ') || undefined;
  const qIssue = issue('q');
  const state = { issues: p.issues };
  return (
    <form method="get" action={p.action} class="card" role="search" aria-label="Filter reports">
      <div class="grid">
        {p.show.search ? (
          <div class={`field${qIssue ? ' has-error' : ''}`}>
            <label for="f-q">Search</label>
            {qIssue ? <p class="field-error" id="f-q-error">{qIssue}</p> : null}
            <input id="f-q" name="q" type="search" value={p.values.q} placeholder="e.g. token revocation, CVE-2026-1234" aria-invalid={qIssue ? 'true' : undefined} aria-describedby={qIssue ? 'f-q-error' : undefined} />
          </div>
        ) : null}
        {p.show.state ? <Select name="state" label="State" selected={p.values.state[0] ?? ''} state={state} options={[['', 'Any state'], ...reportStates.map((s): [string, string] => [s, stateLabel(s)])]} /> : null}
        {p.show.class ? (
          <Select
            name="class"
            label="Class"
            selected={p.values.class[0] ?? ''}
            state={state}
            options={[['', 'Any class'], ...reportClasses.map((c): [string, string] => [c, `${c} — ${classOutcome[c].outcome}`]), ['unclassified', 'Not classified yet']]}
          />
        ) : null}
        {p.projects.length > PROJECT_MENU_MAX ? (
          <ProjectSlugField value={p.values.project} issue={issue('project')} />
        ) : (
          <Select name="project" label="Project" selected={p.values.project} state={state} options={[['', 'All projects'], ...p.projects.map((x): [string, string] => [x.slug, x.name])]} />
        )}
        {p.show.visibility ? <Select name="visibility" label="Visibility" selected={p.values.visibility} state={state} options={[['', 'Private and public'], ['private', 'Private (under embargo)'], ['public', 'Public']]} /> : null}
      </div>
      <div class="actions">
        <button type="submit" class="btn primary">
          {p.submitLabel ?? 'Show reports'}
        </button>
        <a href={p.action}>Clear filters</a>
      </div>
    </form>
  );
}

/**
 * "Showing 51–100 of 123" with Newer / Older links that keep the filters. With `next` (the cursor of the
 * last row shown) "Older" is a keyset link, so a deep page does not skip every row before it.
 */
export function Pager({ action, values, page, total, shown, capped = false, next }: { action: string; values: ReportListValues; page: number; total: number; shown: number; capped?: boolean; next?: string }): SafeHtml {
  const first = (page - 1) * PAGE_SIZE + 1;
  // A capped count ("1,000+") does not say where the matches end: a full page means there may be more.
  const hasOlder = capped ? shown === PAGE_SIZE : page * PAGE_SIZE < total;
  const of = capped ? `${total.toLocaleString('en')}+` : String(total);
  return (
    <nav class="pager" aria-label="Pages">
      {page > 1 ? (
        <a href={`${action}${listQueryString(values, page - 1)}`} rel="prev">
          ← Newer
        </a>
      ) : null}
      <span class="muted">{shown ? `Showing ${first}–${first + shown - 1} of ${of}` : capped ? `Page ${page}` : `Page ${page} of ${Math.max(1, Math.ceil(total / PAGE_SIZE))}`}</span>
      {hasOlder ? (
        <a href={`${action}${listQueryString(values, page + 1, next)}`} rel="next">
          Older →
        </a>
      ) : null}
    </nav>
  );
}
