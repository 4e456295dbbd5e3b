// The VMT triage queue page (`/vmt`): what needs acknowledging, which embargoes end soon, what is in
// progress per project, and how the open reports are classified (DESIGN.md §2).
import type { SafeHtml } from '../web/jsx.js';
import { Badge, EmptyState, ErrorSummary, Time } from '../web/components.js';
import type { FieldIssue } from '../errors/catalogue.js';
import { DAY_MS } from '../calendar/calendar.js';
import { EMBARGO_SOON_DAYS, groupByProject, SECTION_LIMIT, type RowsAndTotal, type TriageQueue } from './queue-data.js';
import type { ReportListRow } from './queue-present.js';
import { listQueryString, type ClassFilterValue, type ReportListValues } from './queue-query.js';
import { ClassCell, CoordinatorCell, EmbargoCell, FilterForm, ProjectsCell, ReportTitleCell, StateBadge } from './queue-views.js';
import { classOutcome, reportClasses } from './triage.js';


/** The acknowledgement deadline (ACK_BUSINESS_DAYS business days after reception): escalated, overdue, or time left. */
function AckDeadlineCell({ row, now }: { row: ReportListRow; now: Date }): SafeHtml {
  const r = row.item;
  const msLeft = new Date(r.ack_deadline_at).getTime() - now.getTime();
  let badge: SafeHtml;
  if (r.escalated_at) badge = <Badge tone="danger">escalated</Badge>;
  else if (msLeft <= 0) badge = <Badge tone="danger">overdue</Badge>;
  else if (msLeft < DAY_MS) badge = <Badge tone="warn">due within a day</Badge>;
  else {
    const days = Math.floor(msLeft / DAY_MS);
    badge = <Badge tone="muted">{`${days} ${days === 1 ? 'day' : 'days'} left`}</Badge>;
  }
  return (
    <>
      <Time iso={r.ack_deadline_at} /> {badge}
    </>
  );
}

function MoreNote({ section, href }: { section: RowsAndTotal; href: string }): SafeHtml {
  if (section.total <= section.rows.length) return <></>;
  return (
    <p class="hint">
      Showing the first {section.rows.length} of {section.total}. <a href={href}>See them all in the report list</a>.
    </p>
  );
}

/** A column of a queue table: its heading and how a row fills its cell. */
type Column = [heading: string, cell: (row: ReportListRow) => SafeHtml];

function ReportTable({ rows, columns }: { rows: ReportListRow[]; columns: Column[] }): SafeHtml {
  return (
    <table>
      <thead>
        <tr>
          {columns.map(([heading]) => (
            <th scope="col">{heading}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr>
            {columns.map(([, cell]) => (
              <td>{cell(row)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Stat({ value, label, href }: { value: number; label: string; href: string }): SafeHtml {
  return (
    <div class="card">
      <div class="stat">{value}</div>
      <a href={href}>{label}</a>
    </div>
  );
}

export interface TriageQueuePageProps {
  queue: TriageQueue;
  now: Date;
  values: ReportListValues;
  issues: FieldIssue[];
  projects: { slug: string; name: string }[];
}

export function TriageQueuePage({ queue, now, values, issues, projects }: TriageQueuePageProps): SafeHtml {
  const { unacknowledged, embargoSoon, inProgress } = queue;
  const escalated = unacknowledged.rows.filter((r) => r.item.escalated_at).length;
  const filterValues: ReportListValues = { q: '', state: [], class: issues.length ? [] : values.class, project: issues.length ? '' : values.project, visibility: '' };
  const listLink = (extra: Partial<ReportListValues> = {}) => `/reports${listQueryString({ ...filterValues, ...extra }, 1)}`;
  const groups = groupByProject(inProgress.rows, filterValues.project || undefined);
  const title: Column = ['Report', (row) => <ReportTitleCell row={row} />];
  const projectsCol: Column = ['Projects', (row) => <ProjectsCell row={row} />];
  const state: Column = ['State', (row) => <StateBadge state={row.item.state} />];
  const embargo = (heading: string): Column => [heading, (row) => <EmbargoCell row={row} now={now} />];
  const coordinator: Column = ['Coordinator', (row) => <CoordinatorCell row={row} />];
  const classRows: [ClassFilterValue, string, string][] = [...reportClasses.map((c): [ClassFilterValue, string, string] => [c, classOutcome[c].meaning, classOutcome[c].outcome]), ['unclassified', 'not classified yet', '—']];
  return (
    <>
      <h1>Triage queue</h1>
      <p class="lead">What the vulnerability management team has to act on now.</p>
      <ErrorSummary state={{ issues }} />
      <FilterForm action="/vmt" values={filterValues} issues={issues} projects={projects} show={{ class: true }} submitLabel="Filter the queue" />

      <div class="grid" aria-label="Summary">
        <Stat value={unacknowledged.total} label={`awaiting acknowledgement${escalated ? `, ${escalated} escalated` : ''}`} href="#new" />
        <Stat value={embargoSoon.total} label={`embargoes ending within ${EMBARGO_SOON_DAYS} days`} href="#embargoes" />
        <Stat value={inProgress.total} label="in progress" href="#in-progress" />
      </div>

      <section aria-labelledby="new">
        <h2 id="new">New, not yet acknowledged</h2>
        {unacknowledged.rows.length ? (
          <ReportTable rows={unacknowledged.rows} columns={[title, projectsCol, ['Received', (row) => <Time iso={row.item.received_at} />], ['Acknowledge by', (row) => <AckDeadlineCell row={row} now={now} />], coordinator]} />
        ) : (
          <EmptyState>Every report is acknowledged.</EmptyState>
        )}
        <MoreNote section={unacknowledged} href={listLink({ state: ['new'] })} />
      </section>

      <section aria-labelledby="embargoes">
        <h2 id="embargoes">Embargoes ending within {EMBARGO_SOON_DAYS} days</h2>
        {embargoSoon.rows.length ? (
          <ReportTable rows={embargoSoon.rows} columns={[title, projectsCol, state, embargo('Embargo ends'), coordinator]} />
        ) : (
          <EmptyState>No embargo ends within {EMBARGO_SOON_DAYS} days.</EmptyState>
        )}
        <MoreNote section={embargoSoon} href={listLink({ visibility: 'private' })} />
      </section>

      <section aria-labelledby="in-progress">
        <h2 id="in-progress">In progress by project</h2>
        {groups.length ? (
          groups.map((g) => (
            <>
              <h3>
                {g.slug ? <a href={`/projects/${g.slug}`}>{g.name}</a> : g.name} <Badge tone="info">{g.rows.length}</Badge>
              </h3>
              <ReportTable rows={g.rows} columns={[title, state, ['Class', (row) => <ClassCell row={row} />], embargo('Embargo'), coordinator]} />
            </>
          ))
        ) : (
          <EmptyState>No acknowledged report is open.</EmptyState>
        )}
        {inProgress.total > SECTION_LIMIT ? <MoreNote section={inProgress} href={listLink()} /> : null}
      </section>

      <section aria-labelledby="classes">
        <h2 id="classes">Reports by class</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col">Meaning</th>
              <th scope="col">Leads to</th>
              <th scope="col">Open</th>
              <th scope="col">All</th>
            </tr>
          </thead>
          <tbody>
            {classRows.map(([cls, meaning, outcome]) => (
              <tr>
                <td>
                  <strong>{cls === 'unclassified' ? 'Unclassified' : cls}</strong>
                </td>
                <td>{meaning}</td>
                <td>{outcome}</td>
                <td>{queue.openByClass.get(cls) ?? 0}</td>
                <td>{queue.allByClass.get(cls) ? <a href={listLink({ class: [cls] })}>{queue.allByClass.get(cls)}</a> : '0'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
