// The project pages' markup: the public list and page, and the admin's form with the project's people.
import type { SafeHtml } from '../web/jsx.js';
import { can, canEditProjectPublication, canManageProjectWebhooks } from '../access/policy.js';
import type { Actor } from '../access/actor.js';
import { Badge, Button, Checkbox, CsrfField, EmptyState, ErrorSummary, formValue, Select, TextField, type FormState } from '../web/components.js';
import { roleLabel, type PageContext } from '../web/layout.js';
import type { ProjectRow } from '../storage/tables.js';
import { projectRoles, type ProjectDetail } from './projects.js';
import type { presentProject } from './present.js';

export function ProjectsPage({ projects, actor }: { projects: ProjectRow[]; actor: Actor }): SafeHtml {
  return (
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
  );
}

export function ProjectPage({ ctx, project, view, sections }: { ctx: PageContext; project: ProjectDetail; view: ReturnType<typeof presentProject>; sections: SafeHtml[] }): SafeHtml {
  return (
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
    {canManageProjectWebhooks(ctx.actor, project.id) ? (
      <p>
        <a href={`/projects/${project.slug}/webhooks`}>Webhooks</a> <span class="muted">(signed notices of this project’s published advisories and notes to a chat room or tracker)</span>
      </p>
    ) : null}
    {sections}
  </>
  );
}

export function ProjectFormPage({ ctx, project, state }: { ctx: PageContext; project: ProjectDetail | null; state?: FormState | undefined }): SafeHtml {
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
  return (
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
  );
}
