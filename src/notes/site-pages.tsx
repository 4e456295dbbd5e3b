// Static HTML for the published-notes part of the public site (`cordon publish --out DIR`): no forms, no
// scripts, no session; the stylesheet is the app's, expected at /assets/app.css beside the pages.
import type { Child, SafeHtml } from '../web/jsx.js';
import type { Config } from '../config/config.js';
import { NoteSections, PublishedAnswers } from './note-html.js';
import { Time } from '../web/components.js';
import type { PublishedNote } from './published-note.js';


function StaticShell({ config, title, children }: { config: Config; title: string; children?: Child }): SafeHtml {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${config.instanceName}`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
        <link rel="alternate" type="application/atom+xml" title="Security notes" href="/feeds/notes.atom" />
      </head>
      <body>
        <header class="site-header">
          <div class="bar">
            <a class="brand" href="/">
              <span class="brand-mark" aria-hidden="true">◆</span> {config.instanceName}
            </a>
            <nav aria-label="Main">
              <a href="/notes/">Security notes</a>
            </nav>
          </div>
        </header>
        <main id="main">{children}</main>
        <footer class="site-footer">
          <p>
            {config.instanceName} — coordinated vulnerability disclosure. <a href="/feeds/notes.atom">Atom feed</a>
          </p>
        </footer>
      </body>
    </html>
  );
}

export function staticNotePage(config: Config, note: PublishedNote): string {
  const page = (
    <StaticShell config={config} title={`${note.publicId}: ${note.record.title}`}>
      <p class="crumbs">
        <a href="/notes/">Security notes</a> ›
      </p>
      <p class="eyebrow muted">
        <code>{note.publicId}</code>
      </p>
      <h1>{note.record.title}</h1>
      <p class="note-links">
        {note.imported ? 'Imported from the notes repository' : <>Published <Time iso={note.publishedAt} day /></>} · <a href={`/notes/${note.publicId}.txt`}>Plain text</a>
      </p>
      <article class="card note-body">
        <NoteSections record={note.record} />
      </article>
      <PublishedAnswers answers={note.answers} />
    </StaticShell>
  );
  return `<!doctype html>\n${page.html}`;
}

export function staticIndexPage(config: Config, notes: PublishedNote[]): string {
  const page = (
    <StaticShell config={config} title="Security notes">
      <h1>Security notes</h1>
      <p class="lead">Warnings for operators about risks that no single code patch removes.</p>
      <table class="notes-index">
        <thead>
          <tr>
            <th>Note</th>
            <th>Title</th>
          </tr>
        </thead>
        <tbody>
          {notes.map((n) => (
            <tr>
              <td>
                <a href={`/notes/${n.publicId}.html`}>
                  <code>{n.publicId}</code>
                </a>
              </td>
              <td>
                <a href={`/notes/${n.publicId}.html`}>{n.record.title}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </StaticShell>
  );
  return `<!doctype html>\n${page.html}`;
}
