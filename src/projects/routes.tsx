// Projects: the public list and page, admin management pages, and the JSON API.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { can, canEditProjectPublication } from '../access/policy.js';
import type { Actor } from '../access/actor.js';
import type { AppContext } from '../context.js';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import type { RouteDef } from '../http/route.js';
import { formBody, keepValues, lines, str } from '../http/forms.js';
import { redirectWithFlash, sendPage } from '../http/render.js';
import { Badge, Button, Checkbox, CsrfField, EmptyState, ErrorSummary, formValue, Select, TextField, type FormState } from '../web/components.js';
import { roleLabel } from '../web/layout.js';
import type { ProjectRole } from '../storage/tables.js';
import { createProject, getProjectBySlug, listProjects, projectRoles, setProjectMember, updateProject, type ProjectDetail, type ProjectInput } from './projects.js';
import { Params } from '../http/schemas.js';


/** What each audience sees of a project: repositories and people only to admins and the VMT. */
export function presentProject(p: ProjectDetail, actor: Actor) {
  const internal = can(actor, 'admin.read') || (actor.kind === 'user' && actor.roles.has('vmt'));
  return {
    slug: p.slug,
    name: p.name,
    description: p.description,
    vmt_oversees: p.vmt_oversees === 1,
    security_contact: p.security_contact,
    supported_branches: p.branches,
    ...(internal ? { repositories: p.repositories.map((r) => ({ name: r.name, remote_url: r.remote_url })), members: p.members.map((m) => ({ username: m.username, role: m.role })) } : {}),
  };
}

function projectFromForm(form: Record<string, unknown>): ProjectInput {
  const f = form as Record<string, string>;
  return {
    slug: str(f, 'slug').trim(),
    name: str(f, 'name'),
    description: str(f, 'description'),
    vmtOversees: str(f, 'vmt_oversees') === 'on',
    securityContact: str(f, 'security_contact'),
    branches: lines(f, 'branches'),
    repositories: lines(f, 'repositories').map((l) => {
      const [name, ...rest] = l.split(/\s+/);
      return { name: name ?? '', remoteUrl: rest.join(' ') };
    }),
  };
}

const projectBody = Type.Object(
  {
    slug: Type.String({ maxLength: 63 }),
    name: Type.String({ maxLength: 100 }),
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    vmt_oversees: Type.Optional(Type.Boolean()),
    security_contact: Type.Optional(Type.String({ maxLength: 500 })),
    branches: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 })),
    repositories: Type.Optional(Type.Array(Type.Object({ name: Type.String({ maxLength: 100 }), remote_url: Type.String({ maxLength: 500 }) }, { additionalProperties: false }), { maxItems: 50 })),
  },
  { additionalProperties: false },
);

type ProjectBody = { slug: string; name: string; description?: string; vmt_oversees?: boolean; security_contact?: string; branches?: string[]; repositories?: { name: string; remote_url: string }[] };

function projectFromJson(b: Partial<ProjectBody>): Partial<ProjectInput> {
  return {
    ...(b.slug !== undefined ? { slug: b.slug } : {}),
    ...(b.name !== undefined ? { name: b.name } : {}),
    ...(b.description !== undefined ? { description: b.description } : {}),
    ...(b.vmt_oversees !== undefined ? { vmtOversees: b.vmt_oversees } : {}),
    ...(b.security_contact !== undefined ? { securityContact: b.security_contact } : {}),
    ...(b.branches !== undefined ? { branches: b.branches } : {}),
    ...(b.repositories !== undefined ? { repositories: b.repositories.map((r) => ({ name: r.name, remoteUrl: r.remote_url })) } : {}),
  };
}

export function projectRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  return [
    {
      method: 'GET',
      url: '/projects',
      audience: 'public',
      handler: async (req, reply, { actor }) => {
        const projects = await listProjects(db);
        return sendPage(app, req, reply, 'Projects', () => (
          <>
            <h1>Projects</h1>
            <p class="lead">The projects whose vulnerabilities this team coordinates.</p>
            {can(actor, 'admin.write') ? (
              <p>
                <a class="btn primary" href="/admin/projects/new">
                  Add a project
                </a>
              </p>
            ) : null}
            {projects.length === 0 ? (
              <EmptyState>No projects yet.</EmptyState>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th>Project</th>
                    <th>Description</th>
                    <th>Vulnerability management</th>
                  </tr>
                </thead>
                <tbody>
                  {projects.map((p) => (
                    <tr>
                      <td>
                        <a href={`/projects/${p.slug}`}>{p.name}</a>
                      </td>
                      <td>{p.description}</td>
                      <td>{p.vmt_oversees ? <Badge tone="ok">VMT overseen</Badge> : <Badge>self-managed</Badge>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        ), { wide: true });
      },
    },
    {
      method: 'GET',
      url: '/projects/:slug',
      schema: { params: Params('slug') },
      audience: 'public',
      leak: { params: { slug: 'project' } },
      handler: async (req, reply, { actor }) => {
        const project = await getProjectBySlug(db, (req.params as { slug: string }).slug);
        if (!project) throw errors.notFound('project');
        const view = presentProject(project, actor);
        return sendPage(app, req, reply, project.name, (ctx) => (
          <>
            <h1>{view.name}</h1>
            <p class="lead">{view.description}</p>
            <div class="card">
              <dl class="facts">
                <dt>Vulnerability management</dt>
                <dd>{view.vmt_oversees ? <>Overseen by the VMT: <a href={`/report?project=${encodeURIComponent(view.slug)}`}>report vulnerabilities here</a>.</> : <>Managed by the project itself. {view.security_contact ? <>Contact: {view.security_contact}</> : null}</>}</dd>
                <dt>Security advisories</dt>
                <dd><a href={`/projects/${view.slug}/advisories`}>Advisories for {view.name}</a></dd>
                <dt>Supported branches</dt>
                <dd>{view.supported_branches.length ? view.supported_branches.map((b) => <><code>{b}</code> </>) : <span class="muted">none listed</span>}</dd>
                {view.repositories ? (
                  <>
                    <dt>Repositories</dt>
                    <dd>
                      {view.repositories.length
                        ? view.repositories.map((r) => (
                            <div>
                              <code>{r.name}</code> {r.remote_url}
                            </div>
                          ))
                        : <span class="muted">none</span>}
                    </dd>
                  </>
                ) : null}
                {view.members ? (
                  <>
                    <dt>People</dt>
                    <dd>
                      {view.members.length
                        ? view.members.map((m) => (
                            <div>
                              {m.username} <Badge tone="info">{roleLabel(m.role)}</Badge>
                            </div>
                          ))
                        : <span class="muted">nobody yet</span>}
                    </dd>
                  </>
                ) : null}
              </dl>
            </div>
            {can(ctx.actor, 'admin.write') ? (
              <p>
                <a class="btn secondary" href={`/admin/projects/${project.slug}`}>
                  Manage project
                </a>
              </p>
            ) : null}
            {canEditProjectPublication(ctx.actor, project.id) ? (
              <p>
                <a href={`/projects/${project.slug}/publication`}>Publication settings</a> <span class="muted">(products, package ecosystem, vendor in published records)</span>
              </p>
            ) : null}
          </>
        ));
      },
    },
    { method: 'GET', url: '/admin/projects/new', audience: 'admin.write', handler: async (req, reply) => projectForm(app, req, reply, null) },
    {
      method: 'POST',
      url: '/admin/projects',
      audience: 'admin.write',
      handler: async (req, reply, scope) => {
        const form = formBody(req);
        const again = (issues: FieldIssue[], error: AppError) => projectForm(app, req, reply, null, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: '/admin/projects/new', again }, async () => {
          const project = await createProject(scope, projectFromForm(form));
          return { to: `/admin/projects/${project.slug}`, message: `Project ${project.name} created.` };
        });
      },
    },
    {
      method: 'GET',
      url: '/admin/projects/:slug',
      schema: { params: Params('slug') },
      audience: 'admin.write',
      leak: { params: { slug: 'project' } },
      handler: async (req, reply) => {
        const project = await getProjectBySlug(db, (req.params as { slug: string }).slug);
        if (!project) throw errors.notFound('project');
        return projectForm(app, req, reply, project);
      },
    },
    {
      method: 'POST',
      url: '/admin/projects/:slug',
      audience: 'admin.write',
      leak: { params: { slug: 'project' } },
      handler: async (req, reply, scope) => {
        const { slug } = req.params as { slug: string };
        const form = formBody(req);
        const existing = await getProjectBySlug(db, slug);
        if (!existing) throw errors.notFound('project');
        const again = (issues: FieldIssue[], error: AppError) => projectForm(app, req, reply, existing, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: `/admin/projects/${slug}`, again }, async () => {
          const project = await updateProject(scope, slug, projectFromForm(form));
          return { to: `/admin/projects/${project.slug}`, message: 'Project saved.' };
        });
      },
    },
    {
      method: 'POST',
      url: '/admin/projects/:slug/members',
      audience: 'admin.write',
      leak: { params: { slug: 'project' } },
      handler: async (req, reply, scope) => {
        const { slug } = req.params as { slug: string };
        const form = formBody(req);
        const user = await db.selectFrom('users').select('id').where('username', '=', str(form, 'username').trim().toLowerCase()).executeTakeFirst();
        if (!user) return redirectWithFlash(reply, `/admin/projects/${slug}`, 'error', 'No user with that username.');
        const remove = str(form, 'action') === 'remove';
        await setProjectMember(scope, slug, user.id, str(form, 'role') as ProjectRole, !remove);
        return redirectWithFlash(reply, `/admin/projects/${slug}`, 'success', remove ? 'Role removed.' : 'Role granted.');
      },
    },
    // JSON API
    {
      method: 'GET',
      url: '/api/v1/projects',
      audience: 'public',
      handler: async (_req, _reply, { actor }) => {
        const projects = await listProjects(db);
        const detailed = await Promise.all(projects.map((p) => getProjectBySlug(db, p.slug)));
        return { projects: detailed.filter((p): p is ProjectDetail => !!p).map((p) => presentProject(p, actor)) };
      },
    },
    {
      method: 'GET',
      url: '/api/v1/projects/:slug',
      schema: { params: Params('slug') },
      audience: 'public',
      leak: { params: { slug: 'project' } },
      handler: async (req, _reply, { actor }) => {
        const project = await getProjectBySlug(db, (req.params as { slug: string }).slug);
        if (!project) throw errors.notFound('project');
        return presentProject(project, actor);
      },
    },
    {
      method: 'POST',
      url: '/api/v1/projects',
      audience: 'admin.write',
      schema: { body: projectBody },
      handler: async (req, reply, scope) => {
        const project = await createProject(scope, projectFromJson(req.body as ProjectBody) as ProjectInput);
        return reply.code(201).send(presentProject(project, scope.actor));
      },
    },
    {
      method: 'PATCH',
      url: '/api/v1/projects/:slug',
      audience: 'admin.write',
      leak: { params: { slug: 'project' } },
      schema: { body: Type.Partial(projectBody, { additionalProperties: false }) },
      handler: async (req, _reply, scope) => {
        const project = await updateProject(scope, (req.params as { slug: string }).slug, projectFromJson(req.body as Partial<ProjectBody>));
        return presentProject(project, scope.actor);
      },
    },
    {
      method: 'PUT',
      url: '/api/v1/projects/:slug/members',
      audience: 'admin.write',
      leak: { params: { slug: 'project' } },
      schema: {
        body: Type.Object(
          { username: Type.String({ maxLength: 40 }), role: Type.Union(projectRoles.map((r) => Type.Literal(r))), member: Type.Boolean() },
          { additionalProperties: false },
        ),
      },
      handler: async (req, reply, scope) => {
        const body = req.body as { username: string; role: ProjectRole; member: boolean };
        const user = await db.selectFrom('users').select('id').where('username', '=', body.username.toLowerCase()).executeTakeFirst();
        if (!user) throw errors.field('username', 'No such user.');
        await setProjectMember(scope, (req.params as { slug: string }).slug, user.id, body.role, body.member);
        return reply.code(204).send();
      },
    },
  ];
}

function projectForm(app: AppContext, req: FastifyRequest, reply: FastifyReply, project: ProjectDetail | null, state?: FormState, status?: number) {
  const v = (name: string, fallback: string) => formValue(state?.values, name, fallback);
  const formState: FormState = {
    issues: state?.issues ?? [],
    values: {
      slug: v('slug', project?.slug ?? ''),
      name: v('name', project?.name ?? ''),
      description: v('description', project?.description ?? ''),
      security_contact: v('security_contact', project?.security_contact ?? ''),
      branches: v('branches', project?.branches.join('\n') ?? 'master'),
      repositories: v('repositories', project?.repositories.map((r) => `${r.name} ${r.remote_url}`).join('\n') ?? ''),
    },
  };
  const oversees = state?.values ? state.values.vmt_oversees === 'on' : project ? project.vmt_oversees === 1 : true;
  return sendPage(
    app,
    req,
    reply,
    project ? `Manage ${project.name}` : 'New project',
    (ctx) => (
      <>
        <h1>{project ? `Manage ${project.name}` : 'New project'}</h1>
        <ErrorSummary state={formState} />
        <form method="post" action={project ? `/admin/projects/${project.slug}` : '/admin/projects'} class="stack card">
          <CsrfField token={ctx.csrfToken} />
          <TextField name="name" label="Name" required state={formState} />
          <TextField name="slug" label="Slug" hint="Used in URLs and ids: lowercase letters, digits and dashes." required state={formState} />
          <TextField name="description" label="Description" multiline rows={3} state={formState} />
          <Checkbox name="vmt_oversees" label="The VMT oversees this project (reports are accepted here)" checked={oversees} />
          <TextField name="security_contact" label="Security contact" hint="For projects the VMT does not oversee: where reporters should go instead." state={formState} />
          <TextField name="branches" label="Supported branches" hint="One per line; fixes must land on each (e.g. master, stable/2026.1)." multiline rows={4} state={formState} />
          <TextField name="repositories" label="Git repositories" hint="One per line: NAME URL (https://, ssh:// or an absolute local path)." multiline rows={3} state={formState} />
          <div class="actions">
            <Button>{project ? 'Save project' : 'Create project'}</Button>
            {project ? <a href={`/projects/${project.slug}`}>View public page</a> : null}
            {project ? <a href={`/projects/${project.slug}/publication`}>Publication settings</a> : null}
          </div>
        </form>
        {project ? (
          <div class="card">
            <h2>People</h2>
            {project.members.length ? (
              <table>
                <thead>
                  <tr>
                    <th>User</th>
                    <th>Role</th>
                  </tr>
                </thead>
                <tbody>
                  {project.members.map((m) => (
                    <tr>
                      <td>{m.display_name} ({m.username})</td>
                      <td>
                        <Badge tone="info">{roleLabel(m.role)}</Badge>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <EmptyState>No project roles yet.</EmptyState>
            )}
            <form method="post" action={`/admin/projects/${project.slug}/members`} class="stack">
              <CsrfField token={ctx.csrfToken} />
              <TextField name="username" label="Username" required />
              <Select name="role" label="Role" options={projectRoles.map((r) => [r, roleLabel(r)])} />
              <div class="actions">
                <Button name="action" value="add">Grant role</Button>
                <Button kind="danger" name="action" value="remove">Remove role</Button>
              </div>
            </form>
          </div>
        ) : null}
      </>
    ),
    { status },
  );
}
