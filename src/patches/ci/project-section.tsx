// The project page's "Private CI" section (issue 20): the recipes in force and whether "ready" waits for passing
// tests, for those who may see the recipe (admins, the VMT, the project's lead); nothing for anyone else.
import { canSeeTestRecipe } from '../../access/policy.js';
import type { ProjectPageSection } from '../../projects/page-sections.js';
import { EmptyState } from '../../web/components.js';
import { RecipeRows, recipePath } from './recipe-page.js';
import { canEditRecipe, ciSettings, recipesOf } from './recipes.js';

export const testRecipeSection: ProjectPageSection = async (db, actor, project) => {
  if (!canSeeTestRecipe(actor, project.id)) return null;
  const [recipes, settings] = await Promise.all([recipesOf(db, project.id), ciSettings(db, [project.id])]);
  const { requirePassing, allowUnsandboxed } = settings.get(project.id) ?? { requirePassing: false, allowUnsandboxed: false };
  return (
    <section class="card" aria-labelledby="private-ci-heading">
      <h2 id="private-ci-heading">Private CI</h2>
      {recipes.length ? (
        <RecipeRows d={{ project, recipes, canEdit: false }} />
      ) : (
        <EmptyState>No test recipe: patches on embargoed reports are checked for applying, and no tests run.</EmptyState>
      )}
      <p>
        {requirePassing ? 'A branch is ready for disclosure only when its tests pass.' : 'Passing tests are not required for a branch to be ready.'}{' '}
        {allowUnsandboxed ? <strong>An administrator allowed runs without the sandbox on workers that have none.</strong> : null}
      </p>
      <p>
        <a href={recipePath(project.slug)}>{canEditRecipe(actor, project.id) ? 'Change the test recipe' : 'The test recipe page'}</a>
      </p>
    </section>
  );
};
