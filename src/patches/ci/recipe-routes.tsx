// Routes of the test recipes (issue 20): the project's recipe page and its forms, and the JSON twin
// (GET/PUT /api/v1/projects/:slug/test-recipe). Thin handlers: load (404 unless the actor may see the
// recipes) → command (recipes.ts) → present (recipe-page.tsx).
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext, Scope } from '../../context.js';
import { errors, type AppError, type FieldIssue } from '../../errors/catalogue.js';
import { formAction } from '../../http/form-action.js';
import { keepValues } from '../../http/forms.js';
import { sendPage } from '../../http/render.js';
import { route, type RouteDef } from '../../http/route.js';
import { FormFields, Params, Query, Text } from '../../http/schemas.js';
import type { FormState } from '../../web/components.js';
import { sandboxNote } from './capability.js';
import { RecipePage, recipePath } from './recipe-page.js';
import { branchesOf, canAllowUnsandboxed, canEditRecipe, projectCiFor, projectCiForChange, validateRecipe, type ProjectCi } from './recipes.js';
import { saveCiSettings, saveRecipe } from './recipe-commands.js';

const slugParam = { params: { slug: 'project' } } as const;
const SlugParams = Params('slug');

const RecipeForm = FormFields({
  branch: Type.Optional(Text(200)),
  setup_command: Type.Optional(Text(4000)),
  test_command: Type.Optional(Text(4000)),
  time_limit_seconds: Type.Optional(Text(20)),
  artifact_paths: Type.Optional(Text(10_000)),
});
const SettingsForm = FormFields({ require_passing: Type.Optional(Text(5)), allow_unsandboxed: Type.Optional(Text(5)), present: Type.Optional(Text(5)) });

const authorizeProject = (req: { params: { slug: string } }, scope: Scope) => projectCiForChange(scope, req.params.slug);

async function recipePage(app: AppContext, req: FastifyRequest, reply: FastifyReply, scope: Scope, ci: ProjectCi, editing: string, state?: FormState, status?: number) {
  const d = {
    ...ci,
    editing,
    canEdit: canEditRecipe(scope.actor, ci.project.id),
    canAllowUnsandboxed: canAllowUnsandboxed(scope.actor),
    sandboxNote: ci.recipes.length ? sandboxNote(ci.settings.allowUnsandboxed) : null,
  };
  return sendPage(app, req, reply, `Tests · ${ci.project.name}`, (ctx) => <RecipePage ctx={ctx} d={d} state={state} />, { wide: true, ...(status ? { status } : {}) });
}

export function recipeJson(ci: ProjectCi) {
  return {
    project: ci.project.slug,
    recipes: ci.recipes.map((r) => ({ branch: r.branch === '' ? null : r.branch, setup_command: r.setupCommand, test_command: r.testCommand, time_limit_seconds: r.timeLimitSeconds, artifact_paths: r.artifactPaths })),
    require_passing: ci.settings.requirePassing,
    allow_unsandboxed: ci.settings.allowUnsandboxed,
  };
}

const RecipeBody = Type.Object(
  {
    branch: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()], { description: 'A branch to override the recipe on; null or absent for the project’s recipe.' })),
    setup_command: Type.Optional(Type.String({ maxLength: 4000 })),
    test_command: Type.Optional(Type.String({ maxLength: 4000, description: 'One shell command line; empty removes the recipe.' })),
    time_limit_seconds: Type.Optional(Type.Integer({ description: 'From 10 to 3600.' })),
    artifact_paths: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 100 })),
    require_passing: Type.Optional(Type.Boolean()),
    allow_unsandboxed: Type.Optional(Type.Boolean({ description: 'Admins only.' })),
  },
  { additionalProperties: false },
);

export function recipeRoutes(app: AppContext): RouteDef[] {
  return [
    route({
      method: 'GET',
      url: '/projects/:slug/tests',
      schema: { params: SlugParams, querystring: Query('branch') },
      audience: 'user',
      leak: slugParam,
      handler: async (req, reply, scope) => recipePage(app, req, reply, scope, await projectCiFor(scope, req.params.slug), (req.query.branch ?? '').slice(0, 200)),
    }),
    route({
      method: 'POST',
      url: '/projects/:slug/tests',
      audience: 'user',
      leak: slugParam,
      form: true,
      authorize: authorizeProject,
      schema: { params: SlugParams, body: RecipeForm },
      handler: async (req, reply, scope) => {
        const ci = await projectCiFor(scope, req.params.slug);
        const f = req.body;
        const branch = f.branch ?? '';
        const back = `${recipePath(ci.project.slug)}?branch=${encodeURIComponent(branch)}`;
        const again = (issues: FieldIssue[], error: AppError) => recipePage(app, req, reply, scope, ci, branch, { values: keepValues(f), issues }, error.status);
        return formAction(req, reply, { back, again }, async () => {
          const saved = await saveRecipe(scope, ci.project.slug, { branch, setupCommand: f.setup_command ?? '', testCommand: f.test_command ?? '', timeLimitSeconds: f.time_limit_seconds ?? '', artifactPaths: f.artifact_paths ?? '' });
          return { to: back, message: saved ? 'Recipe saved. It applies to the next runs.' : 'Recipe removed.' };
        });
      },
    }),
    route({
      method: 'POST',
      url: '/projects/:slug/tests/settings',
      audience: 'user',
      leak: slugParam,
      form: true,
      authorize: authorizeProject,
      schema: { params: SlugParams, body: SettingsForm },
      handler: async (req, reply, scope) => {
        const ci = await projectCiFor(scope, req.params.slug);
        const f = req.body;
        return formAction(req, reply, { back: recipePath(ci.project.slug) }, async () => {
          // An unticked box is absent from the form: only the flags this actor is shown are read.
          await saveCiSettings(scope, ci.project.slug, {
            requirePassing: canEditRecipe(scope.actor, ci.project.id) ? f.require_passing === 'on' : undefined,
            allowUnsandboxed: canAllowUnsandboxed(scope.actor) ? f.allow_unsandboxed === 'on' : undefined,
          });
          return { to: recipePath(ci.project.slug), message: 'Settings saved.' };
        });
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/projects/:slug/test-recipe',
      schema: { params: SlugParams },
      audience: 'user',
      leak: slugParam,
      handler: async (req, _reply, scope) => recipeJson(await projectCiFor(scope, req.params.slug)),
    }),
    route({
      method: 'PUT',
      url: '/api/v1/projects/:slug/test-recipe',
      audience: 'user',
      leak: slugParam,
      authorize: authorizeProject,
      schema: { params: SlugParams, body: RecipeBody },
      handler: async (req, _reply, scope) => {
        const b = req.body;
        const slug = req.params.slug;
        // Everything is checked before anything is saved: bad input changes nothing.
        const ci = await projectCiFor(scope, slug);
        if (b.allow_unsandboxed !== undefined && b.allow_unsandboxed !== ci.settings.allowUnsandboxed && !canAllowUnsandboxed(scope.actor)) {
          throw errors.forbiddenAction('Only an administrator may let this project’s tests run without the sandbox.');
        }
        const recipeGiven = b.test_command !== undefined || b.setup_command !== undefined;
        if ((recipeGiven || (b.require_passing !== undefined && b.require_passing !== ci.settings.requirePassing)) && !canEditRecipe(scope.actor, ci.project.id)) {
          throw errors.forbiddenAction('Only the project’s lead and the VMT set its test recipe.');
        }
        if (recipeGiven) validateRecipe({ branch: b.branch ?? '', setupCommand: b.setup_command ?? '', testCommand: b.test_command ?? '', timeLimitSeconds: b.time_limit_seconds ?? 600, artifactPaths: b.artifact_paths ?? [] }, branchesOf(ci.project));
        if (recipeGiven) {
          await saveRecipe(scope, slug, { branch: b.branch ?? '', setupCommand: b.setup_command ?? '', testCommand: b.test_command ?? '', timeLimitSeconds: b.time_limit_seconds ?? 600, artifactPaths: b.artifact_paths ?? [] });
        }
        await saveCiSettings(scope, slug, { requirePassing: b.require_passing, allowUnsandboxed: b.allow_unsandboxed });
        return recipeJson(await projectCiFor(scope, slug));
      },
    }),
  ];
}
