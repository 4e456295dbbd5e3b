// Administration: dashboard, people and their roles, invitations, the audit log and the job queue.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { route, type RouteDef } from '../http/route.js';
import { EmptyForm, FormFields, Params, StringEnum, Text, TextList } from '../http/schemas.js';
import { formBody, list, str } from '../http/forms.js';
import { redirectWithFlash, sendPage } from '../http/render.js';
import { Badge, Button, Checkbox, CsrfField, ErrorSummary, TextField, Time, type FormState } from '../web/components.js';
import { roleLabel } from '../web/layout.js';
import { createAccount, findUserById, instanceRoles, listUsers, rolesOf, setDisabled, setInstanceRoles } from '../accounts/users.js';
import { createInvite } from '../accounts/invites.js';
import { listAuditEvents } from '../audit/audit.js';
import { AuditTable } from '../audit/audit-page.js';
import { jobCounts } from '../jobs/queue.js';
import type { InstanceRole } from '../storage/tables.js';
import { firstRunChecklist, staffingNotes } from '../instance/checklist.js';
import { SetupCard } from '../instance/routes.js';
import { listProjects, projectRoles } from '../projects/projects.js';


const UserParams = Params('userId');
const InstanceRoleChoice = StringEnum(instanceRoles);
/** Checkboxes: none ticked sends nothing, one sends a string, several an array. */
const RoleBoxes = Type.Optional(Type.Union([InstanceRoleChoice, Type.Array(InstanceRoleChoice, { maxItems: 10 })]));
const boxes = <T,>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function presentUser(u: { id: number; username: string; email: string; display_name: string; disabled_at: string | null; totp_enabled_at: string | null; created_at: string }, roles: InstanceRole[]) {
  return { id: u.id, username: u.username, email: u.email, display_name: u.display_name, roles, disabled: !!u.disabled_at, second_factor: !!u.totp_enabled_at, created_at: u.created_at };
}

export function adminRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  return [
    {
      method: 'GET',
      url: '/admin',
      audience: 'admin.read',
      handler: async (req, reply) => {
        const [users, projects, counts, orgs, setup] = await Promise.all([
          db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
          db.selectFrom('projects').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
          jobCounts(db),
          db.selectFrom('stakeholder_orgs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
          firstRunChecklist(db, app.config),
        ]);
        const tile = (href: string, label: string, value: number | string, note: string) => (
          <a class="card" href={href}>
            <span class="muted">{label}</span>
            <div class="stat">{value}</div>
            <span class="muted">{note}</span>
          </a>
        );
        return sendPage(app, req, reply, 'Administration', () => (
          <>
            <h1>Administration</h1>
            <SetupCard list={setup} />
            <div class="grid">
              {tile('/admin/users', 'People', Number(users.n), 'accounts and roles')}
              {tile('/projects', 'Projects', Number(projects.n), 'repositories, branches, project roles')}
              {tile('/admin/stakeholders', 'Stakeholders', Number(orgs.n), 'downstream organisations')}
              {tile('/admin/jobs', 'Jobs', `${counts.queued ?? 0} queued`, `${counts.dead ?? 0} failed for good`)}
              {tile('/admin/audit', 'Audit log', 'view', 'every change, hash-chained')}
              {tile('/admin/settings', 'Settings', 'edit', 'name, public URL, mail addresses, test mail')}
              {tile('/admin/setup', 'First-run checklist', setup.complete ? 'done' : `${setup.steps.filter((s) => s.state === 'done').length}/${setup.steps.length}`, 'what a new instance still needs')}
              {tile('/admin/publication', 'Publication settings', 'edit', 'vendor, feed author, CNA')}
              {tile('/admin/keys', 'Team key', 'view', 'signs every mail; generate, import or replace')}
            </div>
          </>
        ), { wide: true });
      },
    },
    {
      method: 'GET',
      url: '/admin/users',
      audience: 'admin.read',
      handler: async (req, reply) => usersPage(app, req, reply),
    },
    route({
      method: 'POST',
      url: '/admin/users',
      audience: 'admin.write',
      form: true,
      schema: { body: FormFields({ username: Type.Optional(Text(200)), email: Type.Optional(Text(254)), display_name: Type.Optional(Text(200)), password: Type.Optional(Text(1_000)), roles: RoleBoxes }) },
      handler: async (req, reply, scope) => {
        const form = formBody(req);
        const again = (issues: FieldIssue[], error: AppError) => usersPage(app, req, reply, { values: { ...form, password: '' }, issues }, error.status);
        return formAction(req, reply, { back: '/admin/users', again }, async () => {
          const user = await createAccount(scope, {
            username: str(form, 'username'),
            email: str(form, 'email'),
            displayName: str(form, 'display_name'),
            password: str(form, 'password'),
            roles: boxes(req.body.roles),
          });
          return { to: `/admin/users/${user.id}`, message: `Account ${user.username} created.` };
        });
      },
    }),
    route({
      method: 'POST',
      url: '/admin/invites',
      audience: 'admin.write',
      form: true,
      schema: { body: FormFields({ invite_email: Type.Optional(Text(254)), invite_roles: RoleBoxes, invite_project_roles: Type.Optional(TextList(200)) }) },
      handler: async (req, reply, scope) => {
        const form = formBody(req);
        // The invitation's fields are named invite_* on the shared users page.
        const again = (issues: FieldIssue[], error: AppError) =>
          usersPage(app, req, reply, { values: { invite_email: str(form, 'invite_email') }, issues: issues.map((f) => ({ ...f, field: f.field.startsWith('invite_') ? f.field : `invite_${f.field}` })) }, error.status);
        return formAction(req, reply, { back: '/admin/users', again, field: 'email' }, async () => {
          // Project roles come as "slug:role" (one checkbox per project and role).
          const projectRoleValues = list(form, 'invite_project_roles').map((v) => ({ project: v.split(':')[0] ?? '', role: v.split(':')[1] ?? '' }));
          await createInvite(scope, { email: str(form, 'invite_email'), roles: boxes(req.body.invite_roles), projectRoles: projectRoleValues });
          return { to: '/admin/users', message: 'Invitation sent.' };
        });
      },
    }),
    route({
      method: 'GET',
      url: '/admin/users/:userId',
      audience: 'admin.read',
      leak: { params: { userId: 'user' } },
      schema: { params: UserParams },
      handler: async (req, reply, scope) => {
        const user = await findUserById(db, Number(req.params.userId));
        if (!user) throw errors.notFound('user');
        const roles = await rolesOf(db, user.id);
        const events = await listAuditEvents(db, { targetType: 'user', targetId: String(user.id), limit: 20 });
        return sendPage(app, req, reply, user.username, (ctx) => (
          <>
            <h1>
              {user.display_name} <span class="muted">({user.username})</span>
            </h1>
            <div class="card">
              <dl class="facts">
                <dt>Email</dt>
                <dd>{user.email}</dd>
                <dt>Created</dt>
                <dd>
                  <Time iso={user.created_at} />
                </dd>
                <dt>Two-factor</dt>
                <dd>{user.totp_enabled_at ? <Badge tone="ok">on</Badge> : <Badge tone="warn">off</Badge>}</dd>
                <dt>Status</dt>
                <dd>{user.disabled_at ? <Badge tone="danger">disabled</Badge> : <Badge tone="ok">active</Badge>}</dd>
              </dl>
            </div>
            <form method="post" action={`/admin/users/${user.id}/roles`} class="card">
              <CsrfField token={ctx.csrfToken} />
              <h2>Instance roles</h2>
              <p class="muted">Changes apply on the user's next request. Admin, VMT and security core need two-factor authentication to be active.</p>
              {instanceRoles.map((r) => (
                <Checkbox name="roles" value={r} label={roleLabel(r)} checked={roles.includes(r)} />
              ))}
              <div class="actions">
                <Button>Save roles</Button>
              </div>
            </form>
            <form method="post" action={`/admin/users/${user.id}/${user.disabled_at ? 'enable' : 'disable'}`} class="actions">
              <CsrfField token={ctx.csrfToken} />
              <Button kind={user.disabled_at ? 'secondary' : 'danger'}>{user.disabled_at ? 'Enable account' : 'Disable account and sign out everywhere'}</Button>
            </form>
            <h2>Recent events</h2>
            <AuditTable events={events} viewer={scope.actor} />
          </>
        ));
      },
    }),
    route({
      method: 'POST',
      url: '/admin/users/:userId/roles',
      audience: 'admin.write',
      leak: { params: { userId: 'user' } },
      form: true,
      // No box ticked sends no `roles` at all: no instance role.
      schema: { params: UserParams, body: FormFields({ roles: RoleBoxes }) },
      handler: async (req, reply, scope) => {
        const id = Number(req.params.userId);
        return formAction(req, reply, { back: `/admin/users/${id}` }, async () => {
          await setInstanceRoles(scope, id, boxes(req.body.roles));
          return { to: `/admin/users/${id}`, message: 'Roles saved.' };
        });
      },
    }),
    ...(['disable', 'enable'] as const).map((what) =>
      route({
        method: 'POST',
        url: `/admin/users/:userId/${what}`,
        audience: 'admin.write',
        leak: { params: { userId: 'user' } },
        schema: { params: UserParams, body: EmptyForm },
        handler: async (req, reply, scope) => {
          const id = Number(req.params.userId);
          if (what === 'disable' && id === scope.actor.userId) return redirectWithFlash(reply, `/admin/users/${id}`, 'error', 'You cannot disable your own account.');
          await setDisabled(scope, id, what === 'disable');
          return redirectWithFlash(reply, `/admin/users/${id}`, 'success', what === 'disable' ? 'Account disabled.' : 'Account enabled.');
        },
      }),
    ),
    // JSON API
    {
      method: 'GET',
      url: '/api/v1/users',
      audience: 'admin.read',
      handler: async () => ({ users: (await listUsers(db, { limit: 1000 })).map((u) => presentUser(u, u.roles)) }),
    },
    {
      method: 'POST',
      url: '/api/v1/users',
      audience: 'admin.write',
      schema: {
        body: Type.Object(
          {
            username: Type.String({ maxLength: 40 }),
            email: Type.String({ maxLength: 254 }),
            display_name: Type.String({ maxLength: 120 }),
            password: Type.String({ maxLength: 1024 }),
            roles: Type.Optional(Type.Array(Type.Union(instanceRoles.map((r) => Type.Literal(r))))),
          },
          { additionalProperties: false },
        ),
      },
      handler: async (req, reply, scope) => {
        const b = req.body as { username: string; email: string; display_name: string; password: string; roles?: InstanceRole[] };
        const user = await createAccount(scope, { username: b.username, email: b.email, displayName: b.display_name, password: b.password, roles: b.roles ?? [] });
        return reply.code(201).send(presentUser(user, b.roles ?? []));
      },
    },
    {
      method: 'GET',
      url: '/api/v1/users/:userId',
      schema: { params: Params('userId') },
      audience: 'admin.read',
      leak: { params: { userId: 'user' } },
      handler: async (req) => {
        const user = await findUserById(db, Number((req.params as { userId: string }).userId));
        if (!user) throw errors.notFound('user');
        return presentUser(user, await rolesOf(db, user.id));
      },
    },
    {
      method: 'PUT',
      url: '/api/v1/users/:userId/roles',
      audience: 'admin.write',
      leak: { params: { userId: 'user' } },
      schema: { body: Type.Object({ roles: Type.Array(Type.Union(instanceRoles.map((r) => Type.Literal(r)))) }, { additionalProperties: false }) },
      handler: async (req, _reply, scope) => {
        const id = Number((req.params as { userId: string }).userId);
        await setInstanceRoles(scope, id, (req.body as { roles: InstanceRole[] }).roles);
        return { roles: await rolesOf(db, id) };
      },
    },
  ];
}

async function usersPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, state?: FormState, status?: number) {
  const users = await listUsers(app.storage.db, { limit: 500 });
  const projects = await listProjects(app.storage.db);
  const active = users.filter((u) => !u.disabled_at);
  const staffing = staffingNotes(active.filter((u) => u.roles.includes('vmt')).length, active.filter((u) => u.roles.includes('security_core')).length);
  return sendPage(
    app,
    req,
    reply,
    'People',
    (ctx) => (
      <>
        <h1>People</h1>
        <ErrorSummary state={state} />
        {/* In a card, so that on a phone the table scrolls inside it instead of widening the page. */}
        <div class="card">
        <table>
          <thead>
            <tr>
              <th>User</th>
              <th>Email</th>
              <th>Roles</th>
              <th>Two-factor</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr>
                <td>
                  <a href={`/admin/users/${u.id}`}>{u.display_name}</a> <span class="muted">{u.username}</span>
                </td>
                <td>{u.email}</td>
                <td>{u.roles.length ? u.roles.map((r) => <><Badge tone="info">{roleLabel(r)}</Badge> </>) : <span class="muted">—</span>}</td>
                <td>{u.totp_enabled_at ? <Badge tone="ok">on</Badge> : <Badge tone="warn">off</Badge>}</td>
                <td>{u.disabled_at ? <Badge tone="danger">disabled</Badge> : <Badge tone="ok">active</Badge>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
        <div class="grid">
          <form method="post" action="/admin/users" class="card stack">
            <h2>Create an account</h2>
            <CsrfField token={ctx.csrfToken} />
            <TextField name="username" label="Username" required state={state} />
            <TextField name="display_name" label="Name" required state={state} />
            <TextField name="email" label="Email" type="email" required state={state} />
            <TextField name="password" label="Initial password" type="password" hint="At least 12 characters; ask them to change it." required state={state} />
            <fieldset>
              <legend>Roles</legend>
              {instanceRoles.map((r) => (
                <Checkbox name="roles" value={r} label={roleLabel(r)} />
              ))}
            </fieldset>
            <Button>Create account</Button>
          </form>
          <form method="post" action="/admin/invites" class="card stack" id="invite">
            <h2>Invite by email</h2>
            <CsrfField token={ctx.csrfToken} />
            <TextField name="invite_email" label="Email" type="email" required state={state} />
            <fieldset>
              <legend>Roles</legend>
              {instanceRoles.map((r) => (
                <Checkbox name="invite_roles" value={r} label={roleLabel(r)} />
              ))}
            </fieldset>
            {projects.length ? (
              <fieldset id="f-invite_project_roles">
                <legend>Project roles</legend>
                <p class="hint">One person may hold several hats at once, e.g. VMT member, a project's lead and its coresec.</p>
                {projects.map((p) => (
                  <div class="project-role-choice">
                    <strong>{p.name}</strong>
                    {projectRoles.map((r) => (
                      <Checkbox name="invite_project_roles" value={`${p.slug}:${r}`} label={roleLabel(r)} />
                    ))}
                  </div>
                ))}
              </fieldset>
            ) : (
              <p class="hint">
                Project roles (lead, coresec, core reviewer) can be given here once a project exists: <a href="/admin/projects/new">create one</a>.
              </p>
            )}
            <Button>Send invitation</Button>
          </form>
        </div>
        <div class="card two-person-rules">
          <h2>When a rule needs someone else</h2>
          <ul>
            {staffing.map((n) => (
              <li>{n}</li>
            ))}
          </ul>
        </div>
      </>
    ),
    { status, wide: true },
  );
}
