// The live public pages of the site in the app's layout: the advisory index (and search), one advisory,
// one project's advisories. publication/routes.tsx loads the published records and renders these.
import type { SafeHtml } from '../web/jsx.js';
import { AdvisoryArticle, AdvisoryIndexByYear, AdvisoryTable } from './pages.js';
import type { PublishedSummary } from './summary.js';

/** The index; with a query `q`, the advisories `found` for it instead. */
export function AdvisoriesPage({ q, all, found, canEdit }: { q: string; all: PublishedSummary[]; found: PublishedSummary[]; canEdit: boolean }): SafeHtml {
  return (
    <>
      <h1>Security advisories</h1>
      <p class="lead">
        Every advisory the team has published, newest first. Also as an <a href="/feeds/advisories.atom">Atom feed</a>, and as <a href="/.well-known/csaf/provider-metadata.json">CSAF</a>, OSV and CVE JSON files.
      </p>
      {canEdit ? (
        <p>
          <a class="btn secondary" href="/advisories/drafts">
            Advisories in progress
          </a>{' '}
          <a class="btn primary" href="/advisories/new">
            New advisory
          </a>
        </p>
      ) : null}
      <form method="get" action="/advisories" class="inline-form search" role="search">
        <label for="f-q">Search advisories</label>{' '}
        <input id="f-q" name="q" type="search" value={q} placeholder="CVE id, project, words of the title" />{' '}
        <button type="submit" class="btn secondary">Search</button>
      </form>
      {q ? (
        <>
          <p>
            {found.length} advisor{found.length === 1 ? 'y' : 'ies'} match “{q}”. <a href="/advisories">Show all</a>
          </p>
          {found.length ? <AdvisoryTable summaries={found} base="/advisories/" /> : null}
        </>
      ) : (
        <AdvisoryIndexByYear summaries={all} base="/advisories/" />
      )}
    </>
  );
}

/** One published advisory (the record type is the article's, so this page adds no import of the advisory model). */
export function AdvisoryPage({ record, cveRecords, canEdit }: Parameters<typeof AdvisoryArticle>[0] & { canEdit: boolean }): SafeHtml {
  return (
    <>
      <p class="crumbs">
        <a href="/advisories">Security advisories</a>
        {canEdit ? (
          <>
            {' '}
            · <a href={`/advisories/${record.id}/manage`}>manage</a>
          </>
        ) : null}
      </p>
      <AdvisoryArticle record={record} cveRecords={cveRecords} />
    </>
  );
}

export function ProjectAdvisoriesPage({ project, mine }: { project: { slug: string; name: string }; mine: PublishedSummary[] }): SafeHtml {
  return (
    <>
      <p class="crumbs">
        <a href={`/projects/${project.slug}`}>{project.name}</a>
      </p>
      <h1>Security advisories for {project.name}</h1>
      {mine.length ? <AdvisoryTable summaries={mine} base="/advisories/" /> : <p class="empty">No advisory concerns {project.name} yet.</p>}
    </>
  );
}
