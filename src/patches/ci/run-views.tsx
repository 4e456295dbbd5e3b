// The test results of private CI (issue 20): the matrix cell of a branch and the run page, with the log
// (plain text, escaped by the JSX runtime, in a <pre>) and the kept artifacts.
import type { SafeHtml } from '../../web/jsx.js';
import { Badge, Button, CsrfField, Time } from '../../web/components.js';
import type { PageContext } from '../../web/layout.js';
import type { ReportForActor } from '../../reports/load-for-actor.js';
import type { Recipe } from './recipes.js';
import { artifactsOf, runLabel, runPath, type RunSummary, type TestCell } from './present.js';
import type { CiRunRow } from './runs.js';

function Outcome({ run }: { run: RunSummary }): SafeHtml {
  const label = runLabel(run.status);
  return (
    <>
      <Badge tone={label.tone}>{label.text}</Badge>
      {run.sandboxed === 0 ? (
        <>
          {' '}
          <Badge tone="danger">not sandboxed</Badge>
        </>
      ) : null}
    </>
  );
}

/** A branch's test state in the readiness matrix: the badge, linked to the run's page. */
export function TestsCell({ ref_, cell }: { ref_: string; cell: TestCell | null }): SafeHtml {
  if (!cell) return <span class="muted">no recipe</span>;
  if (!cell.run) return <Badge tone="muted">{cell.hasRecipe ? 'not run yet' : 'no recipe'}</Badge>;
  return (
    <>
      <a href={runPath(ref_, cell.run.id)} class="run-link">
        <Outcome run={cell.run} />
      </a>
      <br />
      <span class="muted small">
        run #{cell.run.id}
        {cell.run.duration_ms !== null ? ` · ${(cell.run.duration_ms / 1000).toFixed(1)} s` : ''}
      </span>
    </>
  );
}

export interface RunPageData {
  report: ReportForActor;
  run: CiRunRow;
  projectName: string;
  /** The patches of the series, in order, as far as they still exist. */
  patches: { id: number; subject: string; version: number }[];
  /** Other runs of the same branch, newest first. */
  history: RunSummary[];
  canRerun: boolean;
}

const limitWords: Record<string, string> = {
  time: 'the time limit',
  output: 'the output limit (the log is cut there)',
  memory: 'the memory limit',
  processes: 'the process limit',
  disk: 'the disk limit',
  cpu: 'the CPU time limit',
};

export function RunPage({ ctx, d }: { ctx: PageContext; d: RunPageData }): SafeHtml {
  const ref = d.report.row.ref;
  const run = d.run;
  const recipe = JSON.parse(run.recipe) as Recipe;
  const artifacts = artifactsOf(run);
  const finished = run.finished_at !== null;
  return (
    <>
      <p class="crumbs">
        <a href={`/reports/${ref}`}>{ref}</a> › <a href={`/reports/${ref}/patches`}>Patches</a> › Test run #{run.id}
      </p>
      <h1>
        Tests on <code>{run.branch}</code>
      </h1>
      <p class="badges">
        <Outcome run={run} />
        {d.report.row.visibility === 'private' ? <Badge tone="warn">private: under embargo</Badge> : null}
      </p>
      {run.sandboxed === 0 ? (
        <p class="flash error">This run was not sandboxed: an administrator allowed this project’s tests to run on a worker without a sandbox. The patch ran with the worker’s rights.</p>
      ) : null}
      <div class="card">
        <dl class="facts">
          <dt>Project</dt>
          <dd>
            {d.projectName} <span class="muted">({run.repository})</span>
          </dd>
          <dt>Series tested</dt>
          <dd>
            {d.patches.length
              ? d.patches.map((p, i) => (
                  <div>
                    {i + 1}. <a href={`/reports/${ref}/patches/${p.id}?version=${p.version}`}>{p.subject}</a> <span class="muted">v{p.version}</span>
                  </div>
                ))
              : run.series_label}
          </dd>
          <dt>Commit tested</dt>
          <dd>
            <code>{run.head_sha}</code> <span class="muted">(head of {run.branch}) with the series applied</span>
          </dd>
          <dt>Recipe</dt>
          <dd>
            {recipe.setupCommand ? (
              <div>
                setup: <code>{recipe.setupCommand}</code>
              </div>
            ) : null}
            <div>
              test: <code>{recipe.testCommand}</code>
            </div>
            <div class="muted">time limit {recipe.timeLimitSeconds} s</div>
          </dd>
          <dt>Outcome</dt>
          <dd>
            {finished ? (
              <>
                {runLabel(run.status).text}
                {run.step ? ` in the ${run.step} step` : ''}
                {run.exit_code !== null ? ` (exit code ${run.exit_code})` : ''}
                {run.limit_hit ? `; stopped at ${limitWords[run.limit_hit] ?? run.limit_hit}` : ''}
                {run.duration_ms !== null ? `; ${(run.duration_ms / 1000).toFixed(1)} s` : ''}
              </>
            ) : (
              'not finished: queued for (or running on) a worker that can run it in the sandbox'
            )}
          </dd>
          <dt>Started by</dt>
          <dd>
            {run.reason === 'rerun' ? 'a re-run' : 'the series applying to the branch'}, <Time iso={run.created_at} />
          </dd>
        </dl>
      </div>
      {d.canRerun ? (
        <form method="post" action={`${runPath(ref, run.id)}/rerun`} class="actions">
          <CsrfField token={ctx.csrfToken} />
          <Button kind="secondary">Run the tests again</Button>
        </form>
      ) : null}
      <section aria-labelledby="log-heading">
        <h2 id="log-heading">Log</h2>
        {finished ? (
          <>
            {run.log_truncated ? <p class="muted">The log was cut at the output limit.</p> : null}
            <pre class="ci-log" tabindex="0">{run.log || '(no output)'}</pre>
            <p>
              <a href={`${runPath(ref, run.id)}/log`} download="">
                Download the log
              </a>
            </p>
          </>
        ) : (
          <p class="muted">The run has not finished yet.</p>
        )}
      </section>
      {artifacts.length ? (
        <section aria-labelledby="artifacts-heading">
          <h2 id="artifacts-heading">Artifacts</h2>
          <ul>
            {artifacts.map((a, i) => (
              <li>
                <a href={`${runPath(ref, run.id)}/artifact?n=${i}`} download="">
                  {a.path}
                </a>{' '}
                <span class="muted">({a.bytes} bytes)</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {d.history.length ? (
        <section aria-labelledby="history-heading">
          <h2 id="history-heading">Other runs on {run.branch}</h2>
          <ul>
            {d.history.map((h) => (
              <li>
                <a href={runPath(ref, h.id)}>run #{h.id}</a> <Outcome run={h} /> <span class="muted">series {h.series_label} at {h.head_sha.slice(0, 12)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
