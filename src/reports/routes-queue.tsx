// Report lists: `/reports` (what the viewer may read; for anonymous visitors the public list of opened
// reports), the JSON list `/api/v1/reports`, and the VMT's triage queue `/vmt` (DESIGN.md §2). Handlers
// follow validate → load (policy-filtered by listReports) → present; none decides visibility itself.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SafeHtml } from '../web/jsx.js';
import type { Actor } from '../access/actor.js';
import { can } from '../access/policy.js';
import { readScopeKey } from '../access/report-policy.js';
import type { AppContext } from '../context.js';
import { errors } from '../errors/catalogue.js';
import type { RouteDef, RouteSchemas } from '../http/route.js';
import { sendPage } from '../http/render.js';
import { listProjects } from '../projects/projects.js';
import { EmptyState, ErrorSummary } from '../web/components.js';
import { loadReportRows, loadTriageQueue } from './queue-data.js';
import { presentListItem } from './queue-present.js';
import { listCursorText, PAGE_SIZE, parseReportListQuery } from './queue-query.js';
import { searchTerms } from './queue-search.js';
import { SEARCH_COUNT_CAP } from './store.js';
import { FilterForm, Pager, ReportListTable } from './queue-views.js';
import { TriageQueuePage } from './queue-triage-page.js';
import { cachedListMarkup } from './list-cache.js';
import type { FirstRunSetup } from '../web/setup-notice.js';


/** The query string of a request's URL, as sent (the part of a list's cache key that is the viewer's choice). */
function queryStringOf(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}

function intro(actor: Actor, triage: boolean): { title: string; lead: string } {
  if (actor.kind !== 'user') return { title: 'Opened reports', lead: 'Vulnerability reports that are public. Private reports stay hidden until they are opened, at the latest when their embargo ends.' };
  if (triage) return { title: 'Reports', lead: 'Every report, private and public. Private ones stay under embargo until they are opened.' };
  return { title: 'Reports', lead: 'Public reports, and the private reports you filed or were given access to.' };
}

// Documented in /api/openapi.json (src/http/openapi.ts reads `description`); Fastify itself ignores it.
const LIST_API_SCHEMA: RouteSchemas & { description: string } = {
  description:
    'Query: `q` (search words in title and description; a CVE id or report reference finds that report), `state`, `class` (VMT only), `project`, `visibility`, `page` (50 per page), ' +
    '`after` (the `next_after` of the page before: the next page by keyset, however deep). ' +
    'Answer: `{ items, total, total_capped, page, page_size, next_after }` (`next_after` is null on a page that is not full). Lists count exactly. A search (`q`) lists newest filed first and counts at most ' +
    `${SEARCH_COUNT_CAP.toLocaleString('en')} matches: \`total_capped: true\` means there are more than \`total\` (shown as "${SEARCH_COUNT_CAP.toLocaleString('en')}+"); page on while a page is full.`,
};

/** "1,000+" when a search's count stopped at its cap (SEARCH_COUNT_CAP), the exact number otherwise. */
function countText(result: { total: number; capped?: boolean }): string {
  return result.capped ? `${result.total.toLocaleString('en')}+` : String(result.total);
}

/** The keyset cursor of a full page's last row, for its "Older" link (undefined when the page is not full). */
function nextCursor(rows: { item: { received_at: string; id: number } }[]): string | undefined {
  const last = rows.at(-1);
  return rows.length === PAGE_SIZE && last ? listCursorText(last.item) : undefined;
}

async function reportListPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, actor: Actor): Promise<FastifyReply> {
  const { db, dialect } = app.storage;
  const triage = can(actor, 'reports.triage');
  const parsed = parseReportListQuery(req.query, { triage });
  const render = async (): Promise<SafeHtml> => {
    const [projects, result] = await Promise.all([listProjects(db), parsed.issues.length ? Promise.resolve({ rows: [], total: 0, capped: false }) : loadReportRows(db, dialect, actor, parsed.filter)]);
    const now = app.clock.now();
    const { title, lead } = intro(actor, triage);
    const v = parsed.values;
    const filtered = !!(v.q || v.state.length || v.class.length || v.project || v.visibility);
    const noWords = !!v.q && searchTerms(v.q).length === 0;
    return (
      <>
        <h1>{title}</h1>
        <p class="lead">{lead}</p>
        <p>
          <a class="btn secondary" href="/report">
            Report a vulnerability
          </a>
        </p>
        <ErrorSummary state={{ issues: parsed.issues }} />
        <FilterForm action="/reports" values={v} issues={parsed.issues} projects={projects} show={{ search: true, state: true, class: triage, visibility: actor.kind === 'user' }} />
        {parsed.issues.length ? null : (
          <>
            <h2 class="muted">
              {countText(result)} {result.total === 1 && !result.capped ? 'report' : 'reports'}
              {filtered ? (result.total === 1 && !result.capped ? ' matches' : ' match') : ''}
              {v.q ? <> “{v.q}”</> : null}
            </h2>
            {noWords ? <p class="hint">Your search has no letters or digits to look for; type words from the title or description.</p> : null}
            {result.rows.length ? (
              <ReportListTable rows={result.rows} now={now} triage={triage} />
            ) : (
              <EmptyState>{filtered ? 'No reports match these filters.' : actor.kind === 'user' ? 'There are no reports you can see yet.' : 'No report has been opened yet.'}</EmptyState>
            )}
            {result.total > PAGE_SIZE || parsed.page > 1 ? <Pager action="/reports" values={v} page={parsed.page} total={result.total} capped={result.capped ?? false} shown={result.rows.length} next={nextCursor(result.rows)} /> : null}
          </>
        )}
      </>
    );
  };
  // Everything the markup depends on is in the key (list-cache.ts): whom the rows are for, the columns, the query.
  const key = `list|${readScopeKey(actor)}|${actor.kind}|${triage}|${queryStringOf(req.url)}`;
  const body = await cachedListMarkup(db, key, render);
  return sendPage(app, req, reply, intro(actor, triage).title, () => body, { wide: true, status: parsed.issues.length ? 400 : 200 });
}

/** `setup`: the first-run checklist's card, from the instance domain above reports (passed in by http/routes-index.ts). */
export function queueRoutes(app: AppContext, setup: FirstRunSetup): RouteDef[] {
  const { db, dialect } = app.storage;
  return [
    {
      method: 'GET',
      url: '/reports',
      audience: 'public',
      handler: async (req, reply, { actor }) => reportListPage(app, req, reply, actor),
    },
    {
      method: 'GET',
      url: '/api/v1/reports',
      audience: 'public',
      schema: LIST_API_SCHEMA,
      handler: async (req, _reply, { actor }) => {
        const triage = can(actor, 'reports.triage');
        const parsed = parseReportListQuery(req.query, { triage });
        if (parsed.issues.length) throw errors.validation(parsed.issues, 'Some filters are not valid.');
        const { rows, total, capped } = await loadReportRows(db, dialect, actor, parsed.filter);
        return { items: rows.map((r) => presentListItem(r, triage)), total, total_capped: capped ?? false, page: parsed.page, page_size: PAGE_SIZE, next_after: nextCursor(rows) ?? null };
      },
    },
    {
      method: 'GET',
      url: '/vmt',
      audience: 'reports.triage',
      handler: async (req, reply, { actor }) => {
        const parsed = parseReportListQuery(req.query, { triage: true });
        // The queue filters by project and class only; other list parameters are not offered here.
        const issues = parsed.issues.filter((i) => i.field === 'project' || i.field === 'class');
        const base = issues.length ? {} : { ...(parsed.filter.projectSlug ? { projectSlug: parsed.filter.projectSlug } : {}), ...(parsed.filter.class ? { class: parsed.filter.class } : {}) };
        const queuePage = async (): Promise<SafeHtml> => {
          const now = app.clock.now();
          const [projects, queue] = await Promise.all([listProjects(db), loadTriageQueue(db, dialect, actor, base, now)]);
          return <TriageQueuePage queue={queue} now={now} values={parsed.values} issues={issues} projects={projects} />;
        };
        const queueMarkup = await cachedListMarkup(db, `vmt|${readScopeKey(actor)}|${queryStringOf(req.url)}`, queuePage);
        // An admin who is also VMT sees the first-run checklist here too until it is done (issue 15).
        const setupCard = can(actor, 'admin.read') ? await setup.card(db, app.config) : null;
        return sendPage(app, req, reply, 'Triage queue', () => <>{setupCard}{queueMarkup}</>, {
          wide: true,
          status: issues.length ? 400 : 200,
        });
      },
    },
  ];
}
