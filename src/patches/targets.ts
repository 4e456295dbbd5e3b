// Where a patch on a report may be aimed: a project of the report, one of its repositories, and
// master or one of the project's supported branches (DESIGN.md §1: "the supported branches that
// fixes must land on").
import { repositoriesAndBranchesOf } from '../projects/projects.js';
import { errors } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import { branchNameProblems } from './safety.js';

export interface PatchTarget {
  projectId: number;
  projectSlug: string;
  projectName: string;
  /** Repository name within the project; null when the project lists no repository (nothing to check against). */
  repository: string | null;
  branch: string;
  /** `slug|repository|branch`: the value of a target in forms. */
  key: string;
}

export function targetKey(projectSlug: string, repository: string | null, branch: string): string {
  return `${projectSlug}|${repository ?? ''}|${branch}`;
}

/** Every target of a report, in the order shown: project by name, repository by name, master first, then the supported branches. */
export async function reportTargets(db: Db, projects: readonly { id: number; slug: string; name: string }[]): Promise<PatchTarget[]> {
  const ids = projects.map((p) => p.id);
  if (!ids.length) return [];
  const { repositories: repos, branches } = await repositoriesAndBranchesOf(db, ids);
  const targets: PatchTarget[] = [];
  for (const p of projects) {
    const names = ['master', ...branches.filter((b) => b.project_id === p.id).map((b) => b.name)];
    const repositories: (string | null)[] = repos.filter((r) => r.project_id === p.id).map((r) => r.name);
    for (const repository of repositories.length ? repositories : [null]) {
      for (const branch of [...new Set(names)]) {
        targets.push({ projectId: p.id, projectSlug: p.slug, projectName: p.name, repository, branch, key: targetKey(p.slug, repository, branch) });
      }
    }
  }
  return targets;
}

export interface TargetChoice {
  project: string;
  branch: string;
  repository?: string | null | undefined;
}

/**
 * The target a caller named, or a validation error that says what is allowed. The repository may be
 * left out when the project has only one.
 */
export function resolveTarget(targets: readonly PatchTarget[], choice: TargetChoice, field = 'targets'): PatchTarget {
  const ofProject = targets.filter((t) => t.projectSlug === choice.project);
  if (!ofProject.length) {
    const slugs = [...new Set(targets.map((t) => t.projectSlug))];
    throw errors.field(field, `"${choice.project.slice(0, 60)}" is not a project of this report${slugs.length ? ` (use ${slugs.join(', ')})` : ''}.`);
  }
  const problems = branchNameProblems(choice.branch);
  if (problems.length) throw errors.field(field, `"${choice.branch.slice(0, 60)}" is not a valid branch name: it ${problems.join('; it ')}.`);
  const repositories = [...new Set(ofProject.map((t) => t.repository))];
  let repository: string | null;
  if (choice.repository) {
    if (!repositories.includes(choice.repository)) throw errors.field(field, `The project ${choice.project} has no repository "${choice.repository.slice(0, 60)}".`);
    repository = choice.repository;
  } else if (repositories.length === 1) repository = repositories[0] ?? null;
  else throw errors.field(field, `The project ${choice.project} has several repositories (${repositories.join(', ')}): name one.`);
  const target = ofProject.find((t) => t.repository === repository && t.branch === choice.branch);
  if (!target) {
    const names = ofProject.filter((t) => t.repository === repository).map((t) => t.branch);
    throw errors.field(field, `"${choice.branch}" is not a supported branch of ${choice.project} (use ${names.join(', ')}).`);
  }
  return target;
}

/** Parses a form value `slug|repository|branch` into a choice (safe branch and repository names never hold `|`). */
export function choiceFromKey(key: string): TargetChoice | null {
  const parts = key.split('|');
  if (parts.length !== 3) return null;
  const [project, repository, branch] = parts as [string, string, string];
  return { project, repository: repository || null, branch };
}
