// The administration pages' markup: the dashboard's tiles, the people list with its two forms (create an
// account, invite by email), and one person's page with their roles and recent events.
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Button, Checkbox, CsrfField, ErrorSummary, TextField, Time, type FormState } from '../web/components.js';
import { roleLabel, type PageContext } from '../web/layout.js';
import type { Actor } from '../access/actor.js';
import type { InstanceRole, ProjectRow, UserRow } from '../storage/tables.js';
import { AuditTable } from '../audit/audit-page.js';
import type { AuditEventRow } from '../audit/visible.js';
import type { Checklist } from '../instance/checklist.js';
import { SetupCard } from '../instance/instance-page.js';

export interface DashboardData {
  users: number;
  projects: number;
  orgs: number;
  jobs: Record<string, number>;
  setup: Checklist;
}

function Tile({ href, label, value, note }: { href: string; label: string; value: number | string; note: string }): SafeHtml {
  return (
    <a class="card" href={href}>
      <span class="muted">{label}</span>
      <div class="stat">{value}</div>
      <span class="muted">{note}</span>
    </a>
  );
}

export function DashboardPage({ d }: { d: DashboardData }): SafeHtml {
  const { setup } = d;
  return (
    <>
      <h1>Administration</h1>
      <SetupCard list={setup} />
      <div class="grid">
        <Tile href="/admin/users" label="People" value={d.users} note="accounts and roles" />
        <Tile href="/projects" label="Projects" value={d.projects} note="repositories, branches, project roles" />
        <Tile href="/admin/stakeholders" label="Stakeholders" value={d.orgs} note="downstream organisations" />
        <Tile href="/admin/jobs" label="Jobs" value={`${d.jobs.queued ?? 0} queued`} note={`${d.jobs.dead ?? 0} failed for good`} />
        <Tile href="/admin/audit" label="Audit log" value="view" note="every change, hash-chained" />
        <Tile href="/admin/settings" label="Settings" value="edit" note="name, public URL, mail addresses, test mail" />
        <Tile href="/admin/setup" label="First-run checklist" value={setup.complete ? 'done' : `${setup.steps.filter((s) => s.state === 'done').length}/${setup.steps.length}`} note="what a new instance still needs" />
        <Tile href="/admin/publication" label="Publication settings" value="edit" note="vendor, feed author, CNA" />
        <Tile href="/admin/keys" label="Team key" value="view" note="signs every mail; generate, import or replace" />
        <Tile href="/admin/webhooks" label="Webhooks" value="view" note="signed events for other services; deliveries and retries" />
        <Tile href="/admin/sign-in" label="Single sign-on" value="view" note="OpenID Connect providers and claim → role rules" />
      </div>
    </>
  );
}

export interface UsersPageData {
  users: (UserRow & { roles: InstanceRole[] })[];
  projects: ProjectRow[];
  instanceRoles: readonly InstanceRole[];
  projectRoles: readonly string[];
  /** What the two-person rules need that the staff does not give (checklist.ts). */
  staffing: string[];
}

export function UsersPage({ ctx, d, state }: { ctx: PageContext; d: UsersPageData; state?: FormState | undefined }): SafeHtml {
  return (
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
          {d.users.map((u) => (
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
            {d.instanceRoles.map((r) => (
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
            {d.instanceRoles.map((r) => (
              <Checkbox name="invite_roles" value={r} label={roleLabel(r)} />
            ))}
          </fieldset>
          {d.projects.length ? (
            <fieldset id="f-invite_project_roles">
              <legend>Project roles</legend>
              <p class="hint">One person may hold several hats at once, e.g. VMT member, a project's lead and its coresec.</p>
              {d.projects.map((p) => (
                <div class="project-role-choice">
                  <strong>{p.name}</strong>
                  {d.projectRoles.map((r) => (
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
          {d.staffing.map((n) => (
            <li>{n}</li>
          ))}
        </ul>
      </div>
    </>
  );
}

export interface UserPageData {
  user: UserRow;
  roles: InstanceRole[];
  instanceRoles: readonly InstanceRole[];
  events: AuditEventRow[];
  viewer: Actor;
}

export function UserPage({ ctx, d }: { ctx: PageContext; d: UserPageData }): SafeHtml {
  const { user, roles } = d;
  return (
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
        {d.instanceRoles.map((r) => (
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
      <AuditTable events={d.events} viewer={d.viewer} />
    </>
  );
}
