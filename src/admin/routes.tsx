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
import type { FormState } from '../web/components.js';
import type { InstanceRole } from '../storage/tables.js';
import { countUsers, createAccount, findUserById, instanceRoles, listUsers, rolesOf, setDisabled, setInstanceRoles } from '../accounts/users.js';
import { createInvite } from '../accounts/invites.js';
import { listAuditEvents } from '../audit/audit.js';
import { jobCounts } from '../jobs/queue.js';
import { firstRunChecklist, staffingNotes } from '../instance/checklist.js';
import { countProjects, listProjects, projectRoles } from '../projects/projects.js';
import { countOrgs } from '../stakeholders/stakeholders.js';
import { DashboardPage, UserPage, UsersPage } from './admin-page.js';

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
        const [users, projects, jobs, orgs, setup] = await Promise.all([countUsers(db), countProjects(db), jobCounts(db), countOrgs(db), firstRunChecklist(db, app.config)]);
        return sendPage(app, req, reply, 'Administration', () => <DashboardPage d={{ users, projects, jobs, orgs, setup }} />, { wide: true });
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
        return sendPage(app, req, reply, user.username, (ctx) => <UserPage ctx={ctx} d={{ user, roles, instanceRoles, events, viewer: scope.actor }} />);
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
    route({
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
            roles: Type.Optional(Type.Array(InstanceRoleChoice, { maxItems: 10 })),
          },
          { additionalProperties: false },
        ),
      },
      handler: async (req, reply, scope) => {
        const b = req.body;
        const user = await createAccount(scope, { username: b.username, email: b.email, displayName: b.display_name, password: b.password, roles: b.roles ?? [] });
        return reply.code(201).send(presentUser(user, b.roles ?? []));
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/users/:userId',
      schema: { params: Params('userId') },
      audience: 'admin.read',
      leak: { params: { userId: 'user' } },
      handler: async (req) => {
        const user = await findUserById(db, Number(req.params.userId));
        if (!user) throw errors.notFound('user');
        return presentUser(user, await rolesOf(db, user.id));
      },
    }),
    route({
      method: 'PUT',
      url: '/api/v1/users/:userId/roles',
      audience: 'admin.write',
      leak: { params: { userId: 'user' } },
      schema: { params: UserParams, body: Type.Object({ roles: Type.Array(InstanceRoleChoice, { maxItems: 10 }) }, { additionalProperties: false }) },
      handler: async (req, _reply, scope) => {
        const id = Number(req.params.userId);
        await setInstanceRoles(scope, id, req.body.roles);
        return { roles: await rolesOf(db, id) };
      },
    }),
  ];
}

async function usersPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, state?: FormState, status?: number) {
  const users = await listUsers(app.storage.db, { limit: 500 });
  const projects = await listProjects(app.storage.db);
  const active = users.filter((u) => !u.disabled_at);
  const staffing = staffingNotes(active.filter((u) => u.roles.includes('vmt')).length, active.filter((u) => u.roles.includes('security_core')).length);
  return sendPage(app, req, reply, 'People', (ctx) => <UsersPage ctx={ctx} d={{ users, projects, instanceRoles, projectRoles, staffing }} state={state} />, { status, wide: true });
}
