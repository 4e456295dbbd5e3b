// The account's "Sign-in methods" page (linked identities, unlink) and the admin's single sign-on page
// (configured providers, their redirect URIs, and the claim → role rules).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { UserActor } from '../access/actor.js';
import type { AppContext } from '../context.js';
import type { AppError, FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { formBody, keepValues, str } from '../http/forms.js';
import { sendPage } from '../http/render.js';
import { route, type RouteDef } from '../http/route.js';
import { EmptyForm, FormFields, Params, Text } from '../http/schemas.js';
import { Badge, Button, CsrfField, ErrorSummary, formValue, Select, TextField, Time, type FormState } from '../web/components.js';
import { redirectUri } from './oidc.js';
import { oidcApiRoutes } from './routes-oidc-api.js';
import { roleRulesOf } from './oidc-identity.js';
import { addRoleRule, identitiesOf, MAPPABLE_ROLES, removeRoleRule, unlinkIdentity } from './oidc-manage.js';

const providerName = (app: AppContext, id: string) => app.config.oidcProviders.find((p) => p.id === id)?.name ?? id;

export function oidcManageRoutes(app: AppContext): RouteDef[] {
  return [
    route({ method: 'GET', url: '/account/sign-in', audience: 'user', handler: async (req, reply, { actor }) => signInMethodsPage(app, req, reply, actor) }),
    route({
      method: 'POST',
      url: '/account/sign-in/:identityId/unlink',
      audience: 'user',
      form: true,
      leak: { params: { identityId: 'oidc_identity' } },
      schema: { params: Params('identityId'), body: EmptyForm },
      handler: async (req, reply, scope) => {
        const id = Number(req.params.identityId);
        return formAction(req, reply, { back: '/account/sign-in' }, async () => {
          const identity = await unlinkIdentity(scope, scope.actor.userId, Number.isSafeInteger(id) ? id : -1);
          return { to: '/account/sign-in', message: `${providerName(app, identity.provider)} is no longer linked to your account.` };
        });
      },
    }),
    route({ method: 'GET', url: '/admin/sign-in', audience: 'admin.read', handler: async (req, reply) => adminPage(app, req, reply) }),
    route({
      method: 'POST',
      url: '/admin/sign-in/rules',
      audience: 'admin.write',
      form: true,
      schema: { body: FormFields({ provider: Type.Optional(Text(100)), claim: Type.Optional(Text(100)), value: Type.Optional(Text(300)), role: Type.Optional(Text(40)) }) },
      handler: async (req, reply, scope) => {
        const form = formBody(req);
        const again = (issues: FieldIssue[], error: AppError) => adminPage(app, req, reply, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: '/admin/sign-in', again }, async () => {
          const rule = await addRoleRule(scope, { provider: str(form, 'provider'), claim: str(form, 'claim'), value: str(form, 'value'), role: str(form, 'role') });
          return { to: '/admin/sign-in', message: `Rule added: ${rule.claim} holding “${rule.value}” grants ${rule.role} at the next sign-in through ${providerName(app, rule.provider)}.` };
        });
      },
    }),
    route({
      method: 'POST',
      url: '/admin/sign-in/rules/:ruleId/delete',
      audience: 'admin.write',
      form: true,
      leak: { params: { ruleId: 'oidc_role_rule' } },
      schema: { params: Params('ruleId'), body: EmptyForm },
      handler: async (req, reply, scope) => {
        const id = Number(req.params.ruleId);
        return formAction(req, reply, { back: '/admin/sign-in' }, async () => {
          await removeRoleRule(scope, Number.isSafeInteger(id) ? id : -1);
          return { to: '/admin/sign-in', message: 'Rule removed. Roles it granted stay until an administrator removes them on the People page.' };
        });
      },
    }),
  ...oidcApiRoutes(app),
  ];
}

async function signInMethodsPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, actor: UserActor) {
  const identities = await identitiesOf(app.storage.db, actor.userId);
  return sendPage(app, req, reply, 'Sign-in methods', (ctx) => (
    <>
      <h1>Sign-in methods</h1>
      <p class="lead">
        {app.config.passwordSignIn ? 'Your password, and the identity providers linked to your account.' : 'This instance signs people in through identity providers only.'}
      </p>
      <h2>Linked identity providers</h2>
      {identities.length === 0 ? (
        <p class="empty">None linked. Use “Sign in with …” on the sign-in page; you will be asked to confirm the link.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Provider</th>
              <th>Email</th>
              <th>Linked</th>
              <th>Last used</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {identities.map((i) => (
              <tr>
                <td>{providerName(app, i.provider)}</td>
                <td>{i.email}</td>
                <td>
                  <Time iso={i.created_at} />
                </td>
                <td>
                  <Time iso={i.last_used_at} />
                </td>
                <td>
                  <form method="post" action={`/account/sign-in/${i.id}/unlink`}>
                    <CsrfField token={ctx.csrfToken} />
                    <Button kind="danger">Unlink</Button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  ));
}

async function adminPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, state?: FormState, status?: number) {
  const rules = await roleRulesOf(app.storage.db);
  const providers = app.config.oidcProviders;
  return sendPage(
    app,
    req,
    reply,
    'Single sign-on',
    (ctx) => (
      <>
        <h1>Single sign-on</h1>
        <p class="lead">
          OpenID Connect providers come from the environment (OIDC_PROVIDERS, see docs/sign-in.md). Password sign-in is{' '}
          {app.config.passwordSignIn ? <Badge tone="ok">on</Badge> : <Badge tone="warn">off</Badge>}.
        </p>
        <h2>Providers</h2>
        {providers.length === 0 ? (
          <p class="empty">No provider is configured.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Button</th>
                <th>Issuer</th>
                <th>Redirect URI to register</th>
                <th>Provider MFA</th>
              </tr>
            </thead>
            <tbody>
              {providers.map((p) => (
                <tr>
                  <td>{p.name}</td>
                  <td>
                    <code>{p.issuer}</code>
                  </td>
                  <td>
                    <code>{redirectUri(app, p)}</code>
                  </td>
                  <td>{p.trustMfa ? <Badge tone="info">trusted: amr {p.mfaAmrValues.join(', ') || '—'}{p.mfaAcrValues.length ? `; acr ${p.mfaAcrValues.join(', ')}` : ''}</Badge> : <Badge tone="muted">not trusted</Badge>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2>Claim → role rules</h2>
        <p>
          At each sign-in through a provider, a rule whose claim holds its value grants its role (a claim that is a list, such as <code>groups</code>, holds a value it contains).
          Rules only grant; removing a rule or leaving a group does not take a role away. Admin cannot be granted by a rule.
        </p>
        {rules.length === 0 ? (
          <p class="empty">No rules: providers grant no roles.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Provider</th>
                <th>Claim</th>
                <th>Holds</th>
                <th>Grants</th>
                <th>Added</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {rules.map((r) => (
                <tr>
                  <td>{providerName(app, r.provider)}</td>
                  <td>
                    <code>{r.claim}</code>
                  </td>
                  <td>
                    <code>{r.value}</code>
                  </td>
                  <td>
                    <Badge tone="info">{r.role}</Badge>
                  </td>
                  <td>
                    <Time iso={r.created_at} day />
                  </td>
                  <td>
                    <form method="post" action={`/admin/sign-in/rules/${r.id}/delete`}>
                      <CsrfField token={ctx.csrfToken} />
                      <Button kind="danger">Remove</Button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {providers.length ? (
          <form method="post" action="/admin/sign-in/rules" class="stack card">
            <h3>Add a rule</h3>
            <ErrorSummary state={state} />
            <CsrfField token={ctx.csrfToken} />
            <Select name="provider" label="Provider" options={providers.map((p) => [p.id, p.name])} selected={formValue(state?.values, 'provider')} state={state} />
            <TextField name="claim" label="Claim" hint="The ID token claim to look at, e.g. groups." required state={state} />
            <TextField name="value" label="Holds the value" hint="e.g. vmt, or /security/vmt for a Keycloak group path." required state={state} />
            <Select name="role" label="Grants the role" options={MAPPABLE_ROLES.map((r) => [r, r])} selected={formValue(state?.values, 'role')} state={state} />
            <div class="actions">
              <Button>Add rule</Button>
            </div>
          </form>
        ) : null}
      </>
    ),
    { status, wide: true },
  );
}
