// Projects: name, slug, description, git repositories and supported branches, VMT oversight, and
// per-project roles (lead/liaison, coresec, core reviewers) — DESIGN.md §1.
import { change, type ChangeContext, type Scope } from '../context.js';
import { errors, IssueCollector } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import type { ProjectRole, ProjectRow } from '../storage/tables.js';

export const projectRoles: readonly ProjectRole[] = ['lead', 'coresec', 'core_reviewer'];
export const isProjectRole = (role: string): role is ProjectRole => (projectRoles as readonly string[]).includes(role);
export const SLUG_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
// git check-ref-format rules that matter here, and no shell metacharacters at all.
const BRANCH_RE = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?!.*\.lock$)(?!\/)(?!.*\/$)[A-Za-z0-9._/-]{1,200}$/;

export interface ProjectInput {
  slug: string;
  name: string;
  description?: string;
  vmtOversees?: boolean;
  securityContact?: string;
  repositories?: { name: string; remoteUrl: string }[];
  branches?: string[];
}

export interface ProjectDetail extends ProjectRow {
  repositories: { name: string; remote_url: string }[];
  branches: string[];
  members: { user_id: number; username: string; display_name: string; role: ProjectRole }[];
}

function validateProject(input: ProjectInput, partial: boolean): IssueCollector {
  const issues = new IssueCollector();
  if (!partial || input.slug !== undefined) {
    if (!SLUG_RE.test(input.slug ?? '')) issues.add('slug', 'Use 1–63 lowercase letters, digits or dashes, starting with a letter or digit.');
  }
  if (!partial || input.name !== undefined) {
    const name = (input.name ?? '').trim();
    if (!name || name.length > 100 || /\p{Cc}/u.test(name)) issues.add('name', 'Enter a name of 1–100 printable characters.');
  }
  if ((input.description ?? '').length > 5000) issues.add('description', 'Use at most 5000 characters.');
  if ((input.securityContact ?? '').length > 500) issues.add('security_contact', 'Use at most 500 characters.');
  const repoNames = new Set<string>();
  (input.repositories ?? []).forEach((r, i) => {
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(r.name ?? '')) issues.add(`repositories.${i}.name`, 'Use letters, digits, dot, dash or underscore.');
    if (repoNames.has(r.name)) issues.add(`repositories.${i}.name`, 'Repository names must be unique in a project.');
    repoNames.add(r.name);
    if (!isAcceptableRemote(r.remoteUrl ?? '')) issues.add(`repositories.${i}.remote_url`, 'Use an https://, ssh://, git@host:path URL or an absolute local path.');
  });
  const branches = new Set<string>();
  (input.branches ?? []).forEach((b, i) => {
    if (!BRANCH_RE.test(b)) issues.add(`branches.${i}`, `"${b.slice(0, 60)}" is not a valid branch name.`);
    if (branches.has(b)) issues.add(`branches.${i}`, 'Branches must be unique.');
    branches.add(b);
  });
  return issues;
}

function isAcceptableRemote(url: string): boolean {
  if (url.length > 500 || /[\s\p{Cc}]/u.test(url) || url.startsWith('-')) return false;
  return /^(https:\/\/|ssh:\/\/|git@[A-Za-z0-9.-]+:|\/)/.test(url);
}

export async function getProjectBySlug(db: Db, slug: string): Promise<ProjectDetail | undefined> {
  const project = await db.selectFrom('projects').selectAll().where('slug', '=', slug).executeTakeFirst();
  return project ? withDetail(db, project) : undefined;
}

export async function getProjectById(db: Db, id: number): Promise<ProjectDetail | undefined> {
  const project = await db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
  return project ? withDetail(db, project) : undefined;
}

/** The projects with these slugs (those that exist), without their detail. */
export async function projectsBySlugs(db: Db, slugs: readonly string[]): Promise<ProjectRow[]> {
  if (!slugs.length) return [];
  return db.selectFrom('projects').selectAll().where('slug', 'in', [...slugs]).execute();
}

/** Whether the user holds this role on at least one of the projects. */
export async function holdsProjectRole(db: Db, userId: number, role: ProjectRole, projectIds: readonly number[]): Promise<boolean> {
  if (!projectIds.length) return false;
  const row = await db.selectFrom('project_members').select('user_id').where('user_id', '=', userId).where('role', '=', role).where('project_id', 'in', [...projectIds]).executeTakeFirst();
  return row !== undefined;
}

async function withDetail(db: Db, project: ProjectRow): Promise<ProjectDetail> {
  const [repositories, branches, members] = await Promise.all([
    db.selectFrom('project_repositories').select(['name', 'remote_url']).where('project_id', '=', project.id).orderBy('name').execute(),
    db.selectFrom('project_branches').select('name').where('project_id', '=', project.id).orderBy('position').execute(),
    db
      .selectFrom('project_members')
      .innerJoin('users', 'users.id', 'project_members.user_id')
      .select(['project_members.user_id', 'users.username', 'users.display_name', 'project_members.role'])
      .where('project_members.project_id', '=', project.id)
      .orderBy('users.username')
      .execute(),
  ]);
  return { ...project, repositories, branches: branches.map((b) => b.name), members };
}

/** Slugs of the projects each user reviews as core (core reviewers and coresec, DESIGN.md §1). */
export async function coreReviewProjectsOf(db: Db, userIds: readonly number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (userIds.length === 0) return out;
  const rows = await db
    .selectFrom('project_members')
    .innerJoin('projects', 'projects.id', 'project_members.project_id')
    .select(['project_members.user_id', 'projects.slug'])
    .where('project_members.user_id', 'in', userIds)
    .where('project_members.role', 'in', ['core_reviewer', 'coresec'])
    .execute();
  for (const r of rows) out.set(r.user_id, [...new Set([...(out.get(r.user_id) ?? []), r.slug])]);
  return out;
}

/** The repositories (by name) and supported branches (in their order) of several projects at once. */
export async function repositoriesAndBranchesOf(db: Db, projectIds: readonly number[]): Promise<{ repositories: { project_id: number; name: string }[]; branches: { project_id: number; name: string }[] }> {
  if (!projectIds.length) return { repositories: [], branches: [] };
  const ids = [...projectIds];
  const [repositories, branches] = await Promise.all([
    db.selectFrom('project_repositories').select(['project_id', 'name']).where('project_id', 'in', ids).orderBy('name').execute(),
    db.selectFrom('project_branches').select(['project_id', 'name']).where('project_id', 'in', ids).orderBy('position').execute(),
  ]);
  return { repositories, branches };
}

/** The addresses of the active (not disabled) members holding `role` on any of these projects, each once. */
export async function activeMemberEmails(db: Db, projectIds: readonly number[], role: ProjectRole): Promise<string[]> {
  if (!projectIds.length) return [];
  const rows = await db
    .selectFrom('project_members')
    .innerJoin('users', 'users.id', 'project_members.user_id')
    .select('users.email')
    .where('project_members.project_id', 'in', [...projectIds])
    .where('project_members.role', '=', role)
    // Like notifyReport: never mail a disabled account.
    .where('users.disabled_at', 'is', null)
    .execute();
  return [...new Set(rows.map((r) => r.email))];
}

export async function listProjects(db: Db): Promise<ProjectRow[]> {
  return db.selectFrom('projects').selectAll().orderBy('name').execute();
}

export async function projectIdBySlug(db: Db, slug: string): Promise<number | undefined> {
  return (await db.selectFrom('projects').select('id').where('slug', '=', slug).executeTakeFirst())?.id;
}

/** The ids of the projects with these slugs (those that exist), as slug → id. */
export async function projectIdsBySlugs(db: Db, slugs: readonly string[]): Promise<Map<string, number>> {
  if (!slugs.length) return new Map();
  const rows = await db.selectFrom('projects').select(['id', 'slug']).where('slug', 'in', [...slugs]).execute();
  return new Map(rows.map((r) => [r.slug, r.id]));
}

/**
 * Inside the caller's change: gives a user a project role an invitation carried, with its audit event.
 * False when the project is gone (deleted since the invitation was sent).
 */
export async function grantInvitedProjectRole(tools: ChangeContext, projectId: number, userId: number, role: ProjectRole): Promise<boolean> {
  const { trx, now, audit } = tools;
  const project = await trx.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst();
  if (!project) return false;
  await trx
    .insertInto('project_members')
    .values({ project_id: project.id, user_id: userId, role, granted_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['project_id', 'user_id', 'role']).doNothing())
    .execute();
  await audit('project.member_added', 'project', project.id, undefined, { user_id: userId, role, via: 'invite' });
  return true;
}

/** Every project, oldest first, with whether it has supported branches and git repositories yet. */
export async function projectsSetUp(db: Db): Promise<{ id: number; slug: string; name: string; hasBranches: boolean; hasRepositories: boolean }[]> {
  const [projects, branches, repositories] = await Promise.all([
    db.selectFrom('projects').select(['id', 'slug', 'name']).orderBy('id').execute(),
    db.selectFrom('project_branches').select('project_id').distinct().execute(),
    db.selectFrom('project_repositories').select('project_id').distinct().execute(),
  ]);
  const withBranches = new Set(branches.map((b) => b.project_id));
  const withRepositories = new Set(repositories.map((r) => r.project_id));
  return projects.map((p) => ({ ...p, hasBranches: withBranches.has(p.id), hasRepositories: withRepositories.has(p.id) }));
}

/** The projects the VMT oversees, by name (those an inbound report may be filed under). */
export async function vmtOverseenProjects(db: Db): Promise<{ slug: string; name: string }[]> {
  return db.selectFrom('projects').select(['slug', 'name']).where('vmt_oversees', '=', 1).orderBy('name').execute();
}

export async function countProjects(db: Db): Promise<number> {
  const row = await db.selectFrom('projects').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function replaceReposAndBranches(trx: Db, projectId: number, input: ProjectInput): Promise<void> {
  if (input.repositories) {
    await trx.deleteFrom('project_repositories').where('project_id', '=', projectId).execute();
    for (const r of input.repositories) await trx.insertInto('project_repositories').values({ project_id: projectId, name: r.name, remote_url: r.remoteUrl }).execute();
  }
  if (input.branches) {
    await trx.deleteFrom('project_branches').where('project_id', '=', projectId).execute();
    let position = 0;
    for (const name of input.branches) await trx.insertInto('project_branches').values({ project_id: projectId, name, position: position++ }).execute();
  }
}

export async function createProject(scope: Scope, input: ProjectInput): Promise<ProjectDetail> {
  validateProject(input, false).throwIfAny();
  const id = await change(scope, async ({ trx, now, audit }) => {
    const taken = await trx.selectFrom('projects').select('id').where('slug', '=', input.slug).executeTakeFirst();
    if (taken) throw errors.validation([{ field: 'slug', message: 'A project with this slug already exists.' }]);
    const at = now.toISOString();
    const row = await trx
      .insertInto('projects')
      .values({
        slug: input.slug,
        name: input.name.trim(),
        description: input.description ?? '',
        vmt_oversees: input.vmtOversees === false ? 0 : 1,
        security_contact: input.securityContact ?? '',
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await replaceReposAndBranches(trx, row.id, input);
    await audit('project.created', 'project', row.id, undefined, { ...input });
    return row.id;
  });
  return (await getProjectById(scope.app.storage.db, id))!;
}

export async function updateProject(scope: Scope, slug: string, input: Partial<ProjectInput>): Promise<ProjectDetail> {
  validateProject(input as ProjectInput, true).throwIfAny();
  const id = await change(scope, async ({ trx, now, audit }) => {
    const before = await getProjectBySlug(trx, slug);
    if (!before) throw errors.notFound('project');
    if (input.slug && input.slug !== slug) {
      const taken = await trx.selectFrom('projects').select('id').where('slug', '=', input.slug).executeTakeFirst();
      if (taken) throw errors.validation([{ field: 'slug', message: 'A project with this slug already exists.' }]);
    }
    await trx
      .updateTable('projects')
      .set({
        ...(input.slug !== undefined ? { slug: input.slug } : {}),
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.vmtOversees !== undefined ? { vmt_oversees: input.vmtOversees ? 1 : 0 } : {}),
        ...(input.securityContact !== undefined ? { security_contact: input.securityContact } : {}),
        updated_at: now.toISOString(),
      })
      .where('id', '=', before.id)
      .execute();
    await replaceReposAndBranches(trx, before.id, input as ProjectInput);
    const { members: _m, ...beforeFields } = before;
    await audit('project.updated', 'project', before.id, beforeFields, input);
    return before.id;
  });
  return (await getProjectById(scope.app.storage.db, id))!;
}

/** Grants or removes a project role; the caller has found the user (accounts: findUserByUsername). */
export async function setProjectMember(scope: Scope, slug: string, userId: number, role: ProjectRole, member: boolean): Promise<void> {
  if (!projectRoles.includes(role)) throw errors.field('role', 'Use lead, coresec or core_reviewer.');
  await change(scope, async ({ trx, now, audit }) => {
    const project = await trx.selectFrom('projects').select('id').where('slug', '=', slug).executeTakeFirst();
    if (!project) throw errors.notFound('project');
    if (member) {
      await trx
        .insertInto('project_members')
        .values({ project_id: project.id, user_id: userId, role, granted_at: now.toISOString() })
        .onConflict((oc) => oc.columns(['project_id', 'user_id', 'role']).doNothing())
        .execute();
    } else {
      await trx.deleteFrom('project_members').where('project_id', '=', project.id).where('user_id', '=', userId).where('role', '=', role).execute();
    }
    await audit(member ? 'project.member_added' : 'project.member_removed', 'project', project.id, undefined, { user_id: userId, role });
  });
}

// What other domains ask of projects (issue 16 item 1: projects owns its four tables).

/** One git repository of a project by name. */
export async function projectRepository(db: Db, projectId: number, name: string): Promise<{ name: string; remote_url: string } | undefined> {
  return db.selectFrom('project_repositories').select(['name', 'remote_url']).where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
}

/** Every git repository with its project, by project slug then name; one project's when a slug is given. */
export async function repositoriesWithProjects(db: Db, projectId?: number): Promise<{ projectId: number; slug: string; name: string; remote_url: string }[]> {
  let q = db
    .selectFrom('project_repositories')
    .innerJoin('projects', 'projects.id', 'project_repositories.project_id')
    .select(['projects.id as projectId', 'projects.slug', 'project_repositories.name', 'project_repositories.remote_url'])
    .orderBy('projects.slug')
    .orderBy('project_repositories.name');
  if (projectId !== undefined) q = q.where('projects.id', '=', projectId);
  return q.execute();
}

