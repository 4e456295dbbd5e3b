// One patch: its metadata, apply check, review (votes and the project's rule), the diff unified or side
// by side with line comments, downloads for `git am`, and new versions.
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Button, CsrfField, EmptyState, ErrorSummary, Select, TextField, Time, type FormState } from '../web/components.js';
import type { PageContext } from '../web/layout.js';
import type { ReportForActor } from '../reports/load-for-actor.js';
import type { DiffView } from './diff-view.js';
import { DiffHtml, type DiffLayout } from './diff-html.js';
import { checkLabel, reviewLabel } from './present.js';
import { describeRule } from './review-rule.js';
import type { PatchDetail, VersionView } from './store.js';
import type { PatchReviewerRole } from './tables.js';


export interface PatchPageData {
  report: ReportForActor;
  detail: PatchDetail;
  version: VersionView;
  diff: DiffView;
  layout: DiffLayout;
  /** 1-based place in the active series, and its length (null for an abandoned patch). */
  place: { n: number; of: number } | null;
  canUpload: boolean;
  canComment: boolean;
  voterRole: PatchReviewerRole | null;
  prefill: { file: string; side: 'old' | 'new'; line: string };
}

const scoreText = (s: number): string => (s > 0 ? `+${s}` : String(s));

function base(d: PatchPageData): string {
  return `/reports/${d.report.row.ref}/patches/${d.detail.patch.id}`;
}

function pageHref(d: PatchPageData, changes: Record<string, string>): string {
  const q = new URLSearchParams({ version: String(d.version.version), view: d.layout, ...changes });
  return `${base(d)}?${q.toString()}`;
}

function CheckCard({ ctx, d, current }: { ctx: PageContext; d: PatchPageData; current: boolean }): SafeHtml {
  const v = d.version;
  const label = checkLabel(v.check, v.checkPending);
  return (
    <section class="card" aria-labelledby="check-heading">
      <h2 id="check-heading">Apply check</h2>
      <p>
        <Badge tone={label.tone}>{label.text}</Badge>{' '}
        {v.check ? (
          <span class="muted">
            against <code>{d.detail.patch.branch}</code> at <code>{(v.check.headSha ?? 'unknown head').slice(0, 12)}</code>, <Time iso={v.check.checkedAt} />
          </span>
        ) : null}
      </p>
      {v.check?.alreadyApplied ? <p class="muted">git found this change already on the branch.</p> : null}
      {v.check?.conflictingFiles.length ? (
        <p>
          Conflicting files:{' '}
          {v.check.conflictingFiles.map((f) => (
            <>
              <code>{f}</code>{' '}
            </>
          ))}
        </p>
      ) : null}
      {v.check?.gitMessage ? <pre class="log git-output">{v.check.gitMessage}</pre> : null}
      {d.place && d.place.n > 1 ? <p class="muted">Checked with {d.place.n === 2 ? 'patch 1' : `patches 1–${d.place.n - 1}`} of the series applied first.</p> : null}
      {d.canUpload && current && d.detail.patch.state === 'active' ? (
        <form method="post" action={`${base(d)}/recheck`} class="inline">
          <CsrfField token={ctx.csrfToken} />
          <Button kind="secondary">Check again</Button>
        </form>
      ) : null}
    </section>
  );
}

function ReviewCard({ ctx, d, current, state }: { ctx: PageContext; d: PatchPageData; current: boolean; state?: FormState | undefined }): SafeHtml {
  const v = d.version;
  const label = reviewLabel(v);
  return (
    <section class="card" aria-labelledby="review-heading">
      <h2 id="review-heading">Review</h2>
      <p>
        <Badge tone={label.tone}>{label.text}</Badge> <span class="muted">Rule for {d.detail.project.name}: {describeRule(d.detail.rule)}. Votes count for this version only.</span>
      </p>
      {v.review.votes.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Reviewer</th>
              <th scope="col">Vote</th>
              <th scope="col">Comment</th>
            </tr>
          </thead>
          <tbody>
            {v.review.votes.map((x) => (
              <tr>
                <td>
                  {x.voterLabel} <Badge tone="info">{x.role === 'coresec' ? 'coresec' : 'core reviewer'}</Badge>
                  <br />
                  <Time iso={x.createdAt} />
                </td>
                <td>
                  <Badge tone={x.score === 2 ? 'ok' : x.score === -2 ? 'danger' : x.score < 0 ? 'warn' : 'muted'}>{scoreText(x.score)}</Badge>
                </td>
                <td class="pre">{x.comment}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <EmptyState>No votes on this version yet.</EmptyState>
      )}
      {d.voterRole && current && d.detail.patch.state === 'active' ? (
        <form method="post" action={`${base(d)}/votes`} class="stack">
          <CsrfField token={ctx.csrfToken} />
          <input type="hidden" name="version" value={String(v.version)} />
          <Select
            name="score"
            label={`Your vote (as ${d.voterRole === 'coresec' ? 'coresec' : 'core reviewer'})`}
            options={[
              ['2', '+2 — approve for disclosure day'],
              ['1', '+1 — looks good to me'],
              ['0', '0 — no opinion'],
              ['-1', '-1 — needs changes'],
              ['-2', '-2 — do not merge (blocks)'],
            ]}
            selected="2"
            state={state}
          />
          <TextField name="comment" label="Comment" multiline rows={3} hint="Required with -2." state={state} />
          <div class="actions">
            <Button>Vote</Button>
          </div>
        </form>
      ) : null}
    </section>
  );
}

function CommentForm({ ctx, d, state }: { ctx: PageContext; d: PatchPageData; state?: FormState | undefined }): SafeHtml {
  const files = d.version.fileList.map((f) => f.newPath ?? f.oldPath ?? '').filter(Boolean);
  return (
    <form method="post" action={`${base(d)}/comments`} class="stack" id="comment">
      <CsrfField token={ctx.csrfToken} />
      <input type="hidden" name="version" value={String(d.version.version)} />
      <Select name="file" label="On a file (optional)" options={[['', 'the whole patch'], ...files.map((f): [string, string] => [f, f])]} selected={d.prefill.file} state={state} />
      <div class="grid">
        <Select name="side" label="Side" options={[['new', 'new (after the patch)'], ['old', 'old (before)']]} selected={d.prefill.side} state={state} />
        <TextField name="line" label="Line (optional)" inputmode="numeric" value={d.prefill.line} state={state} />
      </div>
      <TextField name="body" label="Comment" multiline rows={4} required state={state} />
      <div class="actions">
        <Button>Comment</Button>
      </div>
    </form>
  );
}

function UploadVersionForm({ ctx, d }: { ctx: PageContext; d: PatchPageData }): SafeHtml {
  return (
    <details class="card">
      <summary>Upload a new version of this patch</summary>
      <p class="muted">The new version replaces this one in the series; its votes start again. The patches after it are checked again.</p>
      <form method="post" action={`${base(d)}/versions`} enctype="multipart/form-data" class="stack">
        <CsrfField token={ctx.csrfToken} />
        <div class="field">
          <label for="f-version-file">Patch file</label>
          <input type="file" id="f-version-file" name="files" accept=".patch,.diff,.mbox,.txt,text/plain,text/x-patch,text/x-diff" />
        </div>
        <TextField name="mbox" label="Or paste the patch" multiline rows={6} />
        <div class="actions">
          <Button>Upload new version</Button>
        </div>
      </form>
      <form method="post" action={`${base(d)}/abandon`} class="actions">
        <CsrfField token={ctx.csrfToken} />
        <Button kind="danger">Abandon this patch</Button>
        <span class="muted">It leaves the series; its history stays here.</span>
      </form>
    </details>
  );
}

export function PatchPage({ ctx, d, state }: { ctx: PageContext; d: PatchPageData; state?: FormState | undefined }): SafeHtml {
  const v = d.version;
  const p = d.detail.patch;
  const ref = d.report.row.ref;
  const current = v.version === p.current_version;
  const general = d.detail.comments.filter((c) => c.versionId === v.id && c.filePath === null);
  const lineComments = d.detail.comments.filter((c) => c.versionId === v.id && c.filePath !== null);
  return (
    <>
      <p class="crumbs">
        <a href={`/reports/${ref}`}>{ref}</a> › <a href={`/reports/${ref}/patches`}>Patches</a> › {d.detail.project.name} <code>{p.branch}</code>
        {d.place ? ` · patch ${d.place.n} of ${d.place.of}` : ''}
      </p>
      <h1>{v.subject}</h1>
      <p class="badges">
        <Badge tone="info">version {v.version}{current ? ' (current)' : ` (superseded)`}</Badge>
        {p.state === 'abandoned' ? <Badge tone="warn">abandoned</Badge> : null}
        <Badge>{v.apply_with === 'git am' ? 'apply with git am' : 'apply with git apply'}</Badge>
      </p>
      <ErrorSummary state={state} />
      {!current ? (
        <p class="flash info">
          You are reading version {v.version}. <a href={`${base(d)}?view=${d.layout}`}>Read the current version ({p.current_version})</a>.
        </p>
      ) : null}
      <div class="card">
        <dl class="facts">
          <dt>Author</dt>
          <dd>{v.author_name !== null ? `${v.author_name} <${v.author_email ?? ''}>` : <span class="muted">none in the patch (the download names the uploader, {v.uploaded_label})</span>}</dd>
          <dt>Date</dt>
          <dd>{v.author_date ? <><Time iso={v.author_date} /> <span class="muted">({v.author_date_raw})</span></> : <span class="muted">none in the patch</span>}</dd>
          {v.commit_sha ? (
            <>
              <dt>Commit</dt>
              <dd>
                <code>{v.commit_sha}</code>
              </dd>
            </>
          ) : null}
          <dt>Target</dt>
          <dd>
            {d.detail.project.name}
            {p.repository ? ` (${p.repository})` : ''} <code>{p.branch}</code>
          </dd>
          <dt>Uploaded</dt>
          <dd>
            by {v.uploaded_label}, <Time iso={v.created_at} />
          </dd>
          <dt>Versions</dt>
          <dd>
            {d.detail.versions.map((x) => (
              <>
                {x.version === v.version ? <strong>v{x.version}</strong> : <a href={pageHref(d, { version: String(x.version) })}>v{x.version}</a>}{' '}
              </>
            ))}
          </dd>
          <dt>Download</dt>
          <dd>
            <a href={`${base(d)}/download?version=${v.version}`} download="">
              This version (for git am)
            </a>
            {p.state === 'active' ? (
              <>
                {' · '}
                <a href={`/reports/${ref}/patches/series?target=${encodeURIComponent(`${d.detail.project.slug}|${p.repository ?? ''}|${p.branch}`)}`} download="">
                  The whole series for {p.branch}
                </a>
              </>
            ) : null}
          </dd>
        </dl>
      </div>
      <h2>Commit message</h2>
      <pre class="message">{v.message || '(no message: a bare diff)'}</pre>
      <CheckCard ctx={ctx} d={d} current={current} />
      <ReviewCard ctx={ctx} d={d} current={current} state={state} />
      <section aria-labelledby="diff-heading">
        <h2 id="diff-heading">
          Changes <span class="muted small">{v.fileList.length} file{v.fileList.length === 1 ? '' : 's'}, +{v.lines_added} −{v.lines_removed}</span>
        </h2>
        <p class="view-switch">
          {d.layout === 'unified' ? <strong>Unified</strong> : <a href={pageHref(d, { view: 'unified' })}>Unified</a>} ·{' '}
          {d.layout === 'split' ? <strong>Side by side</strong> : <a href={pageHref(d, { view: 'split' })}>Side by side</a>}
        </p>
        <DiffHtml
          view={d.diff}
          o={{
            layout: d.layout,
            comments: lineComments,
            lineLink: d.canComment ? (file, side, line) => `${pageHref(d, { file, side, line: String(line) })}#comment` : null,
          }}
        />
      </section>
      <section class="card" aria-labelledby="comments-heading">
        <h2 id="comments-heading">Comments</h2>
        {general.length ? (
          general.map((c) => (
            <div class="comment" id={`comment-${c.id}`}>
              <header>
                {c.author} · <Time iso={c.createdAt} />
              </header>
              <p class="pre">{c.body}</p>
            </div>
          ))
        ) : (
          <EmptyState>No comments on the whole patch yet. Line comments appear in the diff.</EmptyState>
        )}
        {d.canComment ? <CommentForm ctx={ctx} d={d} state={state} /> : null}
      </section>
      {d.canUpload && p.state === 'active' ? <UploadVersionForm ctx={ctx} d={d} /> : null}
    </>
  );
}
