// The public page of a scrubbed issue (/issues/:ref).
import { raw, type SafeHtml } from '../web/jsx.js';
import { renderMarkdown } from '../text/markdown.js';
import { Time } from '../web/components.js';
import type { PublicIssue } from './public-issue.js';

export function PublicIssuePage({ issue }: { issue: PublicIssue }): SafeHtml {
  return (
    <>
      <h1>Public issue {issue.ref}</h1>
      <p class="lead">A report that was judged not to be a vulnerability, published in the open by the vulnerability management team.</p>
      <div class="card markdown">{raw(renderMarkdown(issue.summary))}</div>
      {issue.comments.map((c) => (
        <div class="card">
          <p class="muted">
            {c.author} · <Time iso={c.at} />
          </p>
          <div class="markdown">{raw(renderMarkdown(c.body))}</div>
        </div>
      ))}
    </>
  );
}
