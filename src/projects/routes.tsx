// Projects: the public list and page, admin management pages, and the JSON API. Granting project roles
// names a person by username, so those routes live with the people (admin/routes-project-members.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { route, type RouteDef } from '../http/route.js';
import { formBody, keepValues, lines, str, type FormBody } from '../http/forms.js';
import { sendPage } from '../http/render.js';
import { FormFields, Params, Text } from '../http/schemas.js';
import type { FormState } from '../web/components.js';
import { createProject, getProjectBySlug, listProjects, updateProject, type ProjectDetail, type ProjectInput } from './projects.js';
import { ProjectFormPage, ProjectPage, ProjectsPage } from './project-pages.js';
import type { ProjectPageSection } from './page-sections.js';
import { presentProject } from './present.js';

const SlugParams = Params('slug');

/** The project form's fields (the two lists one entry a line). */
const projectForm = FormFields({
  slug: Type.Optional(Text(63)),
  name: Type.Optional(Text(100)),
  description: Type.Optional(Text(5000)),
  vmt_oversees: Type.Optional(Text(10)),
  security_contact: Type.Optional(Text(500)),
  branches: Type.Optional(Text(20_000)),
  repositories: Type.Optional(Text(50_000)),
});

function projectFromForm(f: FormBody): ProjectInput {
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

type ProjectBody = Static<typeof projectBody>;

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

/** `sections`: what domains above projects add to the project page (page-sections.ts). */
export function projectRoutes(app: AppContext, sections: readonly ProjectPageSection[] = []): RouteDef[] {
  const db = app.storage.db;
  return [
    {
      method: 'GET',
      url: '/projects',
      audience: 'public',
      handler: async (req, reply, { actor }) => {
        const projects = await listProjects(db);
        return sendPage(app, req, reply, 'Projects', () => <ProjectsPage projects={projects} actor={actor} />, { wide: true });
      },
    },
    route({
      method: 'GET',
      url: '/projects/:slug',
      schema: { params: Params('slug') },
      audience: 'public',
      leak: { params: { slug: 'project' } },
      handler: async (req, reply, { actor }) => {
        const project = await getProjectBySlug(db, req.params.slug);
        if (!project) throw errors.notFound('project');
        const view = presentProject(project, actor);
        const shown = (await Promise.all(sections.map((section) => section(db, actor, project)))).filter((s) => s !== null);
        return sendPage(app, req, reply, project.name, (ctx) => <ProjectPage ctx={ctx} project={project} view={view} sections={shown} />);
      },
    }),
    { method: 'GET', url: '/admin/projects/new', audience: 'admin.write', handler: async (req, reply) => projectFormPage(app, req, reply, null) },
    route({
      method: 'POST',
      url: '/admin/projects',
      audience: 'admin.write',
      form: true,
      schema: { body: projectForm },
      handler: async (req, reply, scope) => {
        const form = formBody(req);
        const again = (issues: FieldIssue[], error: AppError) => projectFormPage(app, req, reply, null, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: '/admin/projects/new', again }, async () => {
          const project = await createProject(scope, projectFromForm(form));
          return { to: `/admin/projects/${project.slug}`, message: `Project ${project.name} created.` };
        });
      },
    }),
    route({
      method: 'GET',
      url: '/admin/projects/:slug',
      schema: { params: SlugParams },
      audience: 'admin.write',
      leak: { params: { slug: 'project' } },
      handler: async (req, reply) => {
        const project = await getProjectBySlug(db, req.params.slug);
        if (!project) throw errors.notFound('project');
        return projectFormPage(app, req, reply, project);
      },
    }),
    route({
      method: 'POST',
      url: '/admin/projects/:slug',
      audience: 'admin.write',
      leak: { params: { slug: 'project' } },
      form: true,
      schema: { params: SlugParams, body: projectForm },
      handler: async (req, reply, scope) => {
        const { slug } = req.params;
        const form = formBody(req);
        const existing = await getProjectBySlug(db, slug);
        if (!existing) throw errors.notFound('project');
        const again = (issues: FieldIssue[], error: AppError) => projectFormPage(app, req, reply, existing, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: `/admin/projects/${slug}`, again }, async () => {
          const project = await updateProject(scope, slug, projectFromForm(form));
          return { to: `/admin/projects/${project.slug}`, message: 'Project saved.' };
        });
      },
    }),
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
    route({
      method: 'GET',
      url: '/api/v1/projects/:slug',
      schema: { params: SlugParams },
      audience: 'public',
      leak: { params: { slug: 'project' } },
      handler: async (req, _reply, { actor }) => {
        const project = await getProjectBySlug(db, req.params.slug);
        if (!project) throw errors.notFound('project');
        return presentProject(project, actor);
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/projects',
      audience: 'admin.write',
      schema: { body: projectBody },
      handler: async (req, reply, scope) => {
        const project = await createProject(scope, { ...projectFromJson(req.body), slug: req.body.slug, name: req.body.name });
        return reply.code(201).send(presentProject(project, scope.actor));
      },
    }),
    route({
      method: 'PATCH',
      url: '/api/v1/projects/:slug',
      audience: 'admin.write',
      leak: { params: { slug: 'project' } },
      schema: { params: SlugParams, body: Type.Partial(projectBody, { additionalProperties: false }) },
      handler: async (req, _reply, scope) => {
        const project = await updateProject(scope, req.params.slug, projectFromJson(req.body));
        return presentProject(project, scope.actor);
      },
    }),
  ];
}

function projectFormPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, project: ProjectDetail | null, state?: FormState, status?: number) {
  return sendPage(app, req, reply, project ? `Manage ${project.name}` : 'New project', (ctx) => <ProjectFormPage ctx={ctx} project={project} state={state} />, { status });
}
