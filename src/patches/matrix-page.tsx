// The patches page of a report: the matrix branch × patch × apply check × review state, so the
// coordinator sees at a glance what is ready for disclosure day, and the upload form.
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Button, CsrfField, EmptyState, ErrorSummary, TextField, type FormState } from '../web/components.js';
import type { PageContext } from '../web/layout.js';
import type { ReportForActor } from '../reports/load-for-actor.js';
import { checkLabel, reviewLabel, type MatrixRow } from './present.js';
import type { PatchSummary } from './store.js';
import type { PatchTarget } from './targets.js';
import { describeRule, type ReviewRule } from './review-rule.js';
import { TestsCell } from './ci/run-views.js';


export interface MatrixPageData {
  report: ReportForActor;
  rows: MatrixRow[];
  abandoned: PatchSummary[];
  targets: PatchTarget[];
  rules: Map<number, ReviewRule>;
  canUpload: boolean;
  /** Show repository names (some project of the report has several). */
  showRepository: boolean;
  /** Some branch has a test recipe or a run (private CI): the matrix gets a Tests column. */
  showTests: boolean;
}

export function targetLabel(t: PatchTarget, showRepository: boolean): string {
  const repo = showRepository && t.repository ? ` (${t.repository})` : '';
  return `${t.projectName}${repo} — ${t.branch}${t.repository === null ? ' (no repository: not checked)' : ''}`;
}

function Readiness({ row }: { row: MatrixRow }): SafeHtml {
  if (row.readiness.state === 'ready') return <Badge tone="ok">ready</Badge>;
  if (row.readiness.state === 'no_patches') return <Badge>no patch yet</Badge>;
  return (
    <>
      <Badge tone="warn">not ready</Badge>
      <ul class="reasons">
        {row.readiness.reasons.map((r) => (
          <li>{r}</li>
        ))}
      </ul>
    </>
  );
}

function seriesHref(ref: string, t: PatchTarget): string {
  return `/reports/${ref}/patches/series?target=${encodeURIComponent(t.key)}`;
}

function MatrixTable({ d }: { d: MatrixPageData }): SafeHtml {
  const ref = d.report.row.ref;
  return (
    <table class="patch-matrix">
      <caption class="visually-hidden">Patches by branch, with apply check and review state</caption>
      <thead>
        <tr>
          <th scope="col">Branch</th>
          <th scope="col">Patch</th>
          <th scope="col">Apply check</th>
          <th scope="col">Review</th>
          {d.showTests ? <th scope="col">Tests</th> : null}
          <th scope="col">Disclosure day</th>
        </tr>
      </thead>
      <tbody>
        {d.rows.map((row) => {
          const span = Math.max(1, row.series.length);
          const branchCell = (
            <th scope="row" rowspan={span} class="branch">
              <span class="project">{row.target.projectName}</span>
              {d.showRepository && row.target.repository ? <span class="muted"> ({row.target.repository})</span> : null}
              <br />
              <code>{row.target.branch}</code>
              {row.series.length ? (
                <p class="download">
                  <a href={seriesHref(ref, row.target)} download="">
                    Download series
                  </a>
                </p>
              ) : null}
            </th>
          );
          const readyCell = (
            <td rowspan={span} class={`readiness ${row.readiness.state}`}>
              <Readiness row={row} />
            </td>
          );
          const testsCell = d.showTests ? (
            <td rowspan={span} class="tests">
              <TestsCell ref_={ref} cell={row.tests} />
            </td>
          ) : null;
          if (!row.series.length) {
            return (
              <tr>
                {branchCell}
                <td colspan={3} class="muted">
                  No patch for this branch yet.
                </td>
                {testsCell}
                {readyCell}
              </tr>
            );
          }
          return row.series.map((s, i) => {
            const check = checkLabel(s.current.check, s.current.checkPending);
            const review = reviewLabel(s.current);
            return (
              <tr>
                {i === 0 ? branchCell : null}
                <td>
                  <span class="muted">{i + 1}.</span> <a href={`/reports/${ref}/patches/${s.patch.id}`}>{s.current.subject}</a>
                  <br />
                  <span class="muted small">
                    v{s.current.version} · {s.current.author_name ?? s.current.uploaded_label} · +{s.current.lines_added} −{s.current.lines_removed} · {s.current.apply_with}
                  </span>
                </td>
                <td>
                  <Badge tone={check.tone}>{check.text}</Badge>
                </td>
                <td>
                  <Badge tone={review.tone}>{review.text}</Badge>
                </td>
                {i === 0 ? testsCell : null}
                {i === 0 ? readyCell : null}
              </tr>
            );
          });
        })}
      </tbody>
    </table>
  );
}

function UploadForm({ ctx, d, state }: { ctx: PageContext; d: MatrixPageData; state?: FormState | undefined }): SafeHtml {
  const chosen = new Set((state?.values?.targets as string[] | undefined) ?? []);
  const ref = d.report.row.ref;
  return (
    <section class="card" aria-labelledby="upload-heading">
      <h2 id="upload-heading">Upload patches</h2>
      <p class="muted">
        The output of <code>git format-patch</code> (one file per patch, or a series in one mbox), <code>git show</code> or a plain diff. Each patch is checked
        against the head of every branch you choose, with the real git.
      </p>
      <ErrorSummary state={state} />
      {/* The CSRF field comes first: the check reads it before the files (src/http/multipart.ts). */}
      <form method="post" action={`/reports/${ref}/patches`} enctype="multipart/form-data" class="stack">
        <CsrfField token={ctx.csrfToken} />
        <fieldset id="f-targets">
          <legend>Branches</legend>
          {d.targets.map((t) => (
            <div class="check">
              <input type="checkbox" id={`t-${t.key}`} name="targets" value={t.key} checked={chosen.has(t.key)} />
              <label for={`t-${t.key}`}>{targetLabel(t, d.showRepository)}</label>
            </div>
          ))}
        </fieldset>
        <div class="field" id="f-patch">
          <label for="f-files">Patch files</label>
          <p class="hint">You can choose several files; their patches form the series in the order given.</p>
          <input type="file" id="f-files" name="files" multiple accept=".patch,.diff,.mbox,.txt,text/plain,text/x-patch,text/x-diff" />
        </div>
        <TextField name="mbox" label="Or paste a patch" multiline rows={8} hint="Pasted text is sent with Windows line endings by browsers; they are turned back into plain newlines." state={state} />
        <div class="check">
          <input type="checkbox" id="f-replace" name="replace_series" value="on" checked={state?.values?.replace_series === 'on'} />
          <label for="f-replace">This is a new version of the series on these branches (patch 1 replaces patch 1, and so on)</label>
        </div>
        <div class="actions">
          <Button>Upload and check</Button>
        </div>
      </form>
    </section>
  );
}

export function MatrixPage({ ctx, d, state }: { ctx: PageContext; d: MatrixPageData; state?: FormState | undefined }): SafeHtml {
  const ref = d.report.row.ref;
  return (
    <>
      <p class="crumbs">
        <a href={`/reports/${ref}`}>{ref}</a> › Patches
      </p>
      <h1>Patches</h1>
      <p class="lead">{d.report.row.title}</p>
      {d.report.row.visibility === 'private' ? <p class="badges"><Badge tone="warn">private: under embargo</Badge></p> : null}
      <section aria-labelledby="matrix-heading">
        <h2 id="matrix-heading">Readiness by branch</h2>
        <p class="muted">
          Pre-approval rule:{' '}
          {d.report.projects.map((p, i) => (
            <>
              {i ? '; ' : ''}
              {p.name}: {describeRule(d.rules.get(p.id) ?? { coresecApprovals: 1, coreReviewerApprovals: 0 })}
            </>
          ))}
          .
        </p>
        {d.rows.length ? <MatrixTable d={d} /> : <EmptyState>This report names no project, so there is no branch to aim a patch at.</EmptyState>}
      </section>
      {d.abandoned.length ? (
        <details>
          <summary>Abandoned patches ({d.abandoned.length})</summary>
          <ul>
            {d.abandoned.map((s) => (
              <li>
                <a href={`/reports/${ref}/patches/${s.patch.id}`}>{s.current.subject}</a> <span class="muted">({s.project.name}, {s.patch.branch}, v{s.current.version})</span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {d.canUpload && d.targets.length ? <UploadForm ctx={ctx} d={d} state={state} /> : null}
    </>
  );
}
