// Commands on test recipes (issue 20): set or remove a recipe, change the project's CI settings. Audited;
// validated before anything changes. A new recipe gets the series that already apply tested (runs.ts).
import { change, type Scope } from '../../context.js';
import { errors } from '../../errors/catalogue.js';
import { branchesOf, canAllowUnsandboxed, canEditRecipe, projectCiFor, recipeOf, validateRecipe, type CiSettings, type Recipe, type RecipeInput } from './recipes.js';
import { queueRunsForProject } from './runs.js';

/** Set (or, with an empty test command, remove) the project's recipe or a branch's override. */
export async function saveRecipe(scope: Scope, slug: string, input: RecipeInput): Promise<Recipe | null> {
  const { project } = await projectCiFor(scope, slug);
  if (!canEditRecipe(scope.actor, project.id)) throw errors.forbiddenAction('Only the project’s lead and the VMT set its test recipe.');
  const recipe = validateRecipe(input, branchesOf(project));
  const branch = input.branch.trim();
  await change(scope, async (c) => {
    const { trx, now, audit } = c;
    const before = await trx.selectFrom('ci_recipes').select(['branch', 'setup_command', 'test_command', 'time_limit_seconds', 'artifact_paths']).where('project_id', '=', project.id).where('branch', '=', branch).executeTakeFirst();
    if (!recipe) {
      if (!before) return;
      await trx.deleteFrom('ci_recipes').where('project_id', '=', project.id).where('branch', '=', branch).execute();
      await audit('ci.recipe_removed', 'project', project.id, recipeOf(before), { branch });
      return;
    }
    const values = {
      setup_command: recipe.setupCommand,
      test_command: recipe.testCommand,
      time_limit_seconds: recipe.timeLimitSeconds,
      artifact_paths: JSON.stringify(recipe.artifactPaths),
      updated_by: scope.actor.kind === 'user' ? scope.actor.userId : null,
      updated_at: now.toISOString(),
    };
    await trx
      .insertInto('ci_recipes')
      .values({ project_id: project.id, branch, ...values })
      .onConflict((oc) => oc.columns(['project_id', 'branch']).doUpdateSet(values))
      .execute();
    await audit('ci.recipe_set', 'project', project.id, before ? recipeOf(before) : undefined, recipe);
    // Series that already apply and were never tested get their first run now.
    await queueRunsForProject(c, project.id);
  });
  return recipe;
}

/** Change the project's CI settings; each flag only by whom it belongs to (undefined: unchanged). */
export async function saveCiSettings(scope: Scope, slug: string, input: { requirePassing?: boolean | undefined; allowUnsandboxed?: boolean | undefined }): Promise<CiSettings> {
  const { project, settings } = await projectCiFor(scope, slug);
  const next = { ...settings };
  if (input.requirePassing !== undefined && input.requirePassing !== settings.requirePassing) {
    if (!canEditRecipe(scope.actor, project.id)) throw errors.forbiddenAction('Only the project’s lead and the VMT decide whether passing tests are required.');
    next.requirePassing = input.requirePassing;
  }
  if (input.allowUnsandboxed !== undefined && input.allowUnsandboxed !== settings.allowUnsandboxed) {
    if (!canAllowUnsandboxed(scope.actor)) throw errors.forbiddenAction('Only an administrator may let this project’s tests run without the sandbox.');
    next.allowUnsandboxed = input.allowUnsandboxed;
  }
  if (next.requirePassing === settings.requirePassing && next.allowUnsandboxed === settings.allowUnsandboxed) return settings;
  await change(scope, async ({ trx, now, audit }) => {
    const values = { require_passing: next.requirePassing ? 1 : 0, allow_unsandboxed: next.allowUnsandboxed ? 1 : 0, updated_at: now.toISOString() };
    await trx
      .insertInto('ci_project_settings')
      .values({ project_id: project.id, ...values })
      .onConflict((oc) => oc.column('project_id').doUpdateSet(values))
      .execute();
    await audit('ci.settings_changed', 'project', project.id, settings, next);
  });
  return next;
}
