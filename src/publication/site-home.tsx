// The static site's home page and guide pages (the app serves its own live versions of both).
import { raw } from '../web/jsx.js';
import type { GuidePageRow } from './tables.js';
import { renderMarkdown } from '../text/markdown.js';
import { AdvisoryTable } from './pages.js';
import type { SiteContext, SiteFile } from './outputs.js';
import { staticDocument } from './static-page.js';
import type { PublishedSummary } from './summary.js';
import { fillGuideValues } from './guide-starters.js';


export const HOME_LATEST = 5;
const HTML = 'text/html; charset=utf-8';

/** The home page; `pages` are the guide pages in their menu order. */
export function siteHomeFile(pages: readonly Pick<GuidePageRow, 'slug' | 'title'>[], summaries: readonly PublishedSummary[], site: SiteContext): SiteFile {
  const base = site.settings.baseUrl;
  const content = staticDocument({
    title: 'Home',
    instanceName: site.instanceName,
    depth: 0,
    signed: site.teamKey !== null,
    children: (
      <>
        <h1>{site.instanceName}</h1>
        <p class="lead">Security advisories of the projects the {site.settings.publisher.name} looks after.</p>
        <div class="grid">
          <div class="card">
            <h2>Report a vulnerability</h2>
            <p>
              Report it privately at <a href={`${base}/report`}>{`${base}/report`}</a>. It stays under embargo while a fix is prepared.
            </p>
            {site.settings.publisher.contactDetails ? <p class="muted">{site.settings.publisher.contactDetails}</p> : null}
          </div>
          <div class="card">
            <h2>Guides</h2>
            {pages.length ? (
              <ul>
                {pages.map((p) => (
                  <li>
                    <a href={`guide/${p.slug}.html`}>{p.title}</a>
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">No guides yet.</p>
            )}
          </div>
        </div>
        <h2>Latest advisories</h2>
        {summaries.length ? <AdvisoryTable summaries={summaries.slice(0, HOME_LATEST)} base="advisories/" suffix=".html" /> : <p class="empty">No advisories have been published yet.</p>}
        <p>
          <a href="advisories/index.html">All advisories</a> · <a href="feeds/advisories.atom">Atom feed</a>
        </p>
      </>
    ),
  });
  return { path: 'index.html', content, contentType: HTML, advisoryRef: null };
}

export function guideFiles(pages: readonly Pick<GuidePageRow, 'slug' | 'title' | 'body'>[], site: SiteContext): SiteFile[] {
  return pages.map((p) => ({
    path: `guide/${p.slug}.html`,
    contentType: HTML,
    advisoryRef: null,
    content: staticDocument({
      title: p.title,
      instanceName: site.instanceName,
      depth: 1,
      signed: site.teamKey !== null,
      children: (
        <>
          <h1>{p.title}</h1>
          <div class="markdown">{raw(renderMarkdown(fillGuideValues(p.body, site.guideValues)))}</div>
        </>
      ),
    }),
  }));
}
