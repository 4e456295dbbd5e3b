// The test recipe page of a project (/projects/:slug/tests): the recipes in force (the project's and each
// branch's override), the form for one of them, and the project's CI settings.
import type { SafeHtml } from '../../web/jsx.js';
import { Badge, Button, Checkbox, CsrfField, EmptyState, ErrorSummary, formValue, TextField, type FormState } from '../../web/components.js';
import type { PageContext } from '../../web/layout.js';
import { branchesOf, MAX_TIME_LIMIT_SECONDS, MIN_TIME_LIMIT_SECONDS, type ProjectCi, type Recipe } from './recipes.js';

export interface RecipePageData extends ProjectCi {
  /** The recipe the form edits: '' for the project's, else a branch. */
  editing: string;
  canEdit: boolean;
  canAllowUnsandboxed: boolean;
  /** How this server's workers can confine a run (shown so a lead knows whether runs will start). */
  sandboxNote: string | null;
}

export const recipePath = (slug: string): string => `/projects/${slug}/tests`;

/** The recipes in force; with edit links for those who may change them (the recipe page). */
export function RecipeRows({ d }: { d: Pick<RecipePageData, 'project' | 'recipes' | 'canEdit'> }): SafeHtml {
  const path = recipePath(d.project.slug);
  return (
    <table class="ci-recipes stack-on-phone">
      <caption class="visually-hidden">Test recipes in force</caption>
      <thead>
        <tr>
          <th scope="col">Applies to</th>
          <th scope="col">Setup</th>
          <th scope="col">Test</th>
          <th scope="col">Time limit</th>
          <th scope="col">Kept artifacts</th>
        </tr>
      </thead>
      <tbody>
        {d.recipes.map((r) => (
          <tr>
            <th scope="row">
              {r.branch === '' ? 'every branch' : <code>{r.branch}</code>}
              {d.canEdit ? (
                <>
                  <br />
                  <a href={`${path}?branch=${encodeURIComponent(r.branch)}#recipe-form`} class="small">
                    Edit
                  </a>
                </>
              ) : null}
            </th>
            <td data-label="Setup">{r.setupCommand ? <code>{r.setupCommand}</code> : <span class="muted">none</span>}</td>
            <td data-label="Test">
              <code>{r.testCommand}</code>
            </td>
            <td data-label="Time limit">{r.timeLimitSeconds} s</td>
            <td data-label="Kept artifacts">{r.artifactPaths.length ? r.artifactPaths.map((p) => <><code>{p}</code> </>) : <span class="muted">none</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RecipeForm({ ctx, d, state }: { ctx: PageContext; d: RecipePageData; state?: FormState | undefined }): SafeHtml {
  const current: Recipe | undefined = d.recipes.find((r) => r.branch === d.editing);
  const v = (name: string, fallback: string) => formValue(state?.values, name, fallback);
  const formState: FormState = {
    issues: state?.issues ?? [],
    values: {
      setup_command: v('setup_command', current?.setupCommand ?? ''),
      test_command: v('test_command', current?.testCommand ?? ''),
      time_limit_seconds: v('time_limit_seconds', String(current?.timeLimitSeconds ?? 600)),
      artifact_paths: v('artifact_paths', current?.artifactPaths.join('\n') ?? ''),
    },
  };
  const branch = v('branch', d.editing);
  const path = recipePath(d.project.slug);
  return (
    <section class="card" aria-labelledby="recipe-form">
      <h2 id="recipe-form">{branch === '' ? 'Recipe for every branch' : <>Recipe for <code>{branch}</code></>}</h2>
      <p class="muted">
        Edit:{' '}
        {['', ...branchesOf(d.project)].map((b, i) => (
          <>
            {i ? ' · ' : ''}
            {b === branch ? <strong>{b || 'every branch'}</strong> : <a href={`${path}?branch=${encodeURIComponent(b)}#recipe-form`}>{b || 'every branch'}</a>}
          </>
        ))}
      </p>
      <ErrorSummary state={formState} />
      <form method="post" action={path} class="stack">
        <CsrfField token={ctx.csrfToken} />
        <input type="hidden" name="branch" value={branch} />
        <TextField name="setup_command" label="Setup command" hint="Optional, one line, run first with /bin/sh in the patched tree (e.g. pip install --no-index -e .). No network: dependencies come from the worker or the admin’s cache." state={formState} />
        <TextField name="test_command" label="Test command" hint="One line, e.g. python -m pytest -q tests/unit or node --test. Leave both commands empty to remove this recipe." state={formState} />
        <TextField name="time_limit_seconds" label="Time limit (seconds)" inputmode="numeric" hint={`From ${MIN_TIME_LIMIT_SECONDS} to ${MAX_TIME_LIMIT_SECONDS}; setup and tests together. Everything still running then is killed.`} state={formState} />
        <TextField name="artifact_paths" label="Artifacts to keep" multiline rows={3} hint="One path per line, relative to the tree (e.g. junit.xml, htmlcov/). Private like the report." state={formState} />
        <div class="actions">
          <Button>Save recipe</Button>
        </div>
      </form>
    </section>
  );
}

function SettingsForm({ ctx, d }: { ctx: PageContext; d: RecipePageData }): SafeHtml {
  return (
    <section class="card" aria-labelledby="ci-settings">
      <h2 id="ci-settings">Readiness and sandbox</h2>
      <form method="post" action={`${recipePath(d.project.slug)}/settings`} class="stack">
        <CsrfField token={ctx.csrfToken} />
        {d.canEdit ? (
          <Checkbox name="require_passing" label="Require passing tests for “ready for disclosure day”" checked={d.settings.requirePassing} hint="A branch is ready only once the latest run on the latest series version passed." />
        ) : (
          <p>Passing tests required for “ready”: {d.settings.requirePassing ? 'yes' : 'no'}</p>
        )}
        {d.canAllowUnsandboxed ? (
          <Checkbox name="allow_unsandboxed" label="Allow runs without the sandbox on workers that have none" checked={d.settings.allowUnsandboxed} hint="A reporter’s patch is untrusted code; every such result carries a warning." />
        ) : (
          <p>
            Runs without the sandbox: {d.settings.allowUnsandboxed ? <Badge tone="danger">allowed by an administrator</Badge> : 'never'}
          </p>
        )}
        <input type="hidden" name="present" value="on" />
        <div class="actions">
          <Button kind="secondary">Save settings</Button>
        </div>
      </form>
    </section>
  );
}

export function RecipePage({ ctx, d, state }: { ctx: PageContext; d: RecipePageData; state?: FormState | undefined }): SafeHtml {
  return (
    <>
      <p class="crumbs">
        <a href={`/projects/${d.project.slug}`}>{d.project.name}</a> › Tests
      </p>
      <h1>Private CI for {d.project.name}</h1>
      <p class="lead">
        When a patch series on an embargoed report applies to a branch, its tests run on the patched tree in a sandbox with no network. The results are private like the
        report.
      </p>
      {d.settings.allowUnsandboxed ? <p class="flash error">An administrator allowed this project’s tests to run without the sandbox on workers that have none.</p> : null}
      {d.sandboxNote ? <p class="flash info">{d.sandboxNote}</p> : null}
      <section aria-labelledby="recipes-heading">
        <h2 id="recipes-heading">Recipes</h2>
        {d.recipes.length ? <RecipeRows d={d} /> : <EmptyState>No recipe yet: patches are checked for applying, and no tests run.</EmptyState>}
      </section>
      {d.canEdit ? <RecipeForm ctx={ctx} d={d} state={state} /> : null}
      {d.canEdit || d.canAllowUnsandboxed ? <SettingsForm ctx={ctx} d={d} /> : null}
    </>
  );
}
