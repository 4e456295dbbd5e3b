// The page shell of the static site (`cordon publish --out DIR`, and the same files served by the app):
// no session, no forms, no scripts, only relative links, so it can sit on any static host or CDN.
import type { Child, SafeHtml } from '../web/jsx.js';
import { renderPage } from '../web/layout.js';


export interface StaticPageOptions {
  title: string;
  instanceName: string;
  /** How many folders deep the page is (`advisories/x.html` → 1), for relative links. */
  depth: number;
  /** Whether the site's files get `.asc` signatures (a team key that can sign): the footer must not promise them otherwise. */
  signed: boolean;
  children?: Child;
}

export function staticDocument({ title, instanceName, depth, signed, children }: StaticPageOptions): string {
  const up = '../'.repeat(depth);
  const page: SafeHtml = (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${instanceName}`}</title>
        <link rel="stylesheet" href={`${up}assets/app.css`} />
        <link rel="alternate" type="application/atom+xml" title="Security advisories" href={`${up}feeds/advisories.atom`} />
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="site-header">
          <div class="bar">
            <a class="brand" href={`${up}index.html`}>
              <span class="brand-mark" aria-hidden="true">◆</span> {instanceName}
            </a>
            <nav aria-label="Main">
              <a href={`${up}index.html`}>Home</a>
              <a href={`${up}advisories/index.html`}>Advisories</a>
              <a href={`${up}feeds/advisories.atom`}>Feed</a>
            </nav>
          </div>
        </header>
        <main id="main" class="wide">
          {children}
        </main>
        <footer class="site-footer">
          <p>
            {instanceName} — security advisories.{' '}
            {signed ? 'Every file is signed by the team key (.asc) and has a SHA-256 checksum (.sha256).' : 'Every file has a SHA-256 checksum (.sha256).'}
          </p>
        </footer>
      </body>
    </html>
  );
  return `${renderPage(page)}\n`;
}
