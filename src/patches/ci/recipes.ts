// Test recipes of private CI (issue 20): per project, optionally overridden per branch, set by the project's
// lead or the VMT; the project's CI settings (require passing tests for "ready", set by them too; run
// unsandboxed, an admin's choice alone). Validated at the boundary; every change audited (DESIGN.md §5, §6).
import type { Actor } from '../../access/actor.js';
import { hasRole, tokenAllows } from '../../access/actor.js';
import { canSeeTestRecipe } from '../../access/policy.js';
import type { Scope } from '../../context.js';
import { errors, IssueCollector } from '../../errors/catalogue.js';
import { getProjectBySlug, type ProjectDetail } from '../../projects/projects.js';
import type { Db } from '../../storage/database.js';

/** Bounds of a recipe's time limit: long enough for a real suite, short enough to free the worker. */
export const MIN_TIME_LIMIT_SECONDS = 10;
export const MAX_TIME_LIMIT_SECONDS = 3600;
const MAX_COMMAND = 2000;
const MAX_ARTIFACTS = 20;

export interface Recipe {
  /** '' for the project's recipe, else the branch it overrides. */
  branch: string;
  setupCommand: string;
  testCommand: string;
  timeLimitSeconds: number;
  artifactPaths: string[];
}

export interface CiSettings {
  requirePassing: boolean;
  allowUnsandboxed: boolean;
}

export interface ProjectCi {
  project: ProjectDetail;
  /** The project's recipe first (when set), then the branch overrides. */
  recipes: Recipe[];
  settings: CiSettings;
}

export interface RecipeInput {
  branch: string;
  setupCommand: string;
  testCommand: string;
  timeLimitSeconds: number | string;
  artifactPaths: string[] | string;
}

const noSettings: CiSettings = { requirePassing: false, allowUnsandboxed: false };

/** Who may set recipes and "require passing tests": the project's lead and the VMT. */
export function canEditRecipe(actor: Actor, projectId: number): boolean {
  if (actor.kind !== 'user' || !tokenAllows(actor, 'write')) return false;
  return hasRole(actor, 'vmt') || (actor.projectRoles.get(projectId)?.has('lead') ?? false);
}

/** Running a reporter's patch without the sandbox is an instance-wide risk: an admin's decision alone. */
export function canAllowUnsandboxed(actor: Actor): boolean {
  return actor.kind === 'user' && tokenAllows(actor, 'write') && hasRole(actor, 'admin');
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A kept path: relative to the tree, plain characters, no `..`, no empty part (so never outside the tree). */
export function artifactPathProblem(p: string): string | null {
  if (!p) return 'is empty';
  if (p.length > 200) return 'is longer than 200 characters';
  if (p.startsWith('/')) return 'must be relative to the tree, not absolute';
  if (!/^[A-Za-z0-9._+@/-]+$/.test(p)) return 'may hold only letters, digits and . _ + @ / -';
  const parts = p.replace(/\/$/, '').split('/');
  if (parts.some((part) => part === '..')) return 'must not contain ".."';
  if (parts.some((part) => part === '' || part === '.')) return 'must not contain empty or "." parts';
  return null;
}

function commandProblem(command: string): string | null {
  if (command.length > MAX_COMMAND) return `is longer than ${MAX_COMMAND} characters`;
  if (CONTROL.test(command)) return 'must be one line (no line breaks or control characters)';
  return null;
}

/** The recipe as stored, or the field problems (nothing is stored then). `null` recipe: remove it (empty test command). */
export function validateRecipe(input: RecipeInput, branches: readonly string[]): Recipe | null {
  const issues = new IssueCollector();
  const branch = input.branch.trim();
  if (branch !== '' && !branches.includes(branch)) issues.add('branch', `"${branch.slice(0, 60)}" is not a branch of this project (use ${branches.join(', ')}, or leave it empty for the whole project).`);
  const testCommand = input.testCommand.trim();
  const setupCommand = input.setupCommand.trim();
  const testProblem = commandProblem(testCommand);
  if (testProblem) issues.add('test_command', `The test command ${testProblem}.`);
  const setupProblem = commandProblem(setupCommand);
  if (setupProblem) issues.add('setup_command', `The setup command ${setupProblem}.`);
  if (testCommand === '' && setupCommand !== '') issues.add('test_command', 'Give a test command, or clear both commands to remove the recipe.');
  const rawLimit = typeof input.timeLimitSeconds === 'string' ? input.timeLimitSeconds.trim() : String(input.timeLimitSeconds);
  const timeLimitSeconds = /^\d{1,7}$/.test(rawLimit) ? Number(rawLimit) : NaN;
  if (testCommand !== '' && !(timeLimitSeconds >= MIN_TIME_LIMIT_SECONDS && timeLimitSeconds <= MAX_TIME_LIMIT_SECONDS)) {
    issues.add('time_limit_seconds', `The time limit is a whole number of seconds from ${MIN_TIME_LIMIT_SECONDS} to ${MAX_TIME_LIMIT_SECONDS} (one hour).`);
  }
  const list = typeof input.artifactPaths === 'string' ? input.artifactPaths.split(/\r?\n/) : input.artifactPaths;
  const artifactPaths = [...new Set(list.map((p) => p.trim()).filter(Boolean))];
  if (artifactPaths.length > MAX_ARTIFACTS) issues.add('artifact_paths', `Keep at most ${MAX_ARTIFACTS} paths.`);
  for (const p of artifactPaths) {
    const problem = artifactPathProblem(p);
    if (problem) issues.add('artifact_paths', `"${p.slice(0, 60)}" ${problem}.`);
  }
  issues.throwIfAny('The recipe was not saved.');
  if (testCommand === '') return null;
  return { branch, setupCommand, testCommand, timeLimitSeconds, artifactPaths };
}

export type RecipeRow = { branch: string; setup_command: string; test_command: string; time_limit_seconds: number; artifact_paths: string };
export const recipeOf = (r: RecipeRow): Recipe => ({ branch: r.branch, setupCommand: r.setup_command, testCommand: r.test_command, timeLimitSeconds: r.time_limit_seconds, artifactPaths: JSON.parse(r.artifact_paths) as string[] });

export async function recipesOf(db: Db, projectId: number): Promise<Recipe[]> {
  const rows = await db.selectFrom('ci_recipes').select(['branch', 'setup_command', 'test_command', 'time_limit_seconds', 'artifact_paths']).where('project_id', '=', projectId).orderBy('branch').execute();
  return rows.map(recipeOf);
}

/** The recipe a branch runs: its override, else the project's; undefined when the project has none. */
export async function recipeFor(db: Db, projectId: number, branch: string): Promise<Recipe | undefined> {
  const rows = await db.selectFrom('ci_recipes').select(['branch', 'setup_command', 'test_command', 'time_limit_seconds', 'artifact_paths']).where('project_id', '=', projectId).where('branch', 'in', ['', branch]).execute();
  const row = rows.find((r) => r.branch === branch) ?? rows.find((r) => r.branch === '');
  return row ? recipeOf(row) : undefined;
}

/** Projects (of these) with at least one recipe. */
export async function projectsWithRecipes(db: Db, projectIds: readonly number[]): Promise<Set<number>> {
  if (!projectIds.length) return new Set();
  const rows = await db.selectFrom('ci_recipes').select('project_id').where('project_id', 'in', [...projectIds]).distinct().execute();
  return new Set(rows.map((r) => r.project_id));
}

export async function ciSettings(db: Db, projectIds: readonly number[]): Promise<Map<number, CiSettings>> {
  const map = new Map<number, CiSettings>(projectIds.map((id) => [id, noSettings]));
  if (!projectIds.length) return map;
  const rows = await db.selectFrom('ci_project_settings').selectAll().where('project_id', 'in', [...projectIds]).execute();
  for (const r of rows) map.set(r.project_id, { requirePassing: r.require_passing === 1, allowUnsandboxed: r.allow_unsandboxed === 1 });
  return map;
}

/** The project with its recipes, for those who may see them; 404 for everyone else (DESIGN.md §5). */
export async function projectCiFor(scope: Scope, slug: string): Promise<ProjectCi> {
  const db = scope.app.storage.db;
  const project = await getProjectBySlug(db, slug);
  if (!project || !canSeeTestRecipe(scope.actor, project.id)) throw errors.notFound('project');
  const [recipes, settings] = await Promise.all([recipesOf(db, project.id), ciSettings(db, [project.id])]);
  return { project, recipes, settings: settings.get(project.id) ?? noSettings };
}

/** The same, for a change: 404 also for those who may see but change nothing here (a read-only token). */
export async function projectCiForChange(scope: Scope, slug: string): Promise<ProjectCi> {
  const ci = await projectCiFor(scope, slug);
  if (!canEditRecipe(scope.actor, ci.project.id) && !canAllowUnsandboxed(scope.actor)) throw errors.notFound('project');
  return ci;
}

export const branchesOf = (project: ProjectDetail): string[] => [...new Set(['master', ...project.branches])];
