// The signed-in user's own pages: profile, two-factor authentication, API tokens and sessions; and /api/v1/me.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { UserActor } from '../access/actor.js';
import { apiScopes } from '../access/actor.js';
import type { AppContext } from '../context.js';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { route, type RouteDef } from '../http/route.js';
import { EmptyForm, FormFields, Params, StringEnum, Text, TextList } from '../http/schemas.js';
import { formBody, list, str } from '../http/forms.js';
import { redirectWithFlash, sendPage } from '../http/render.js';
import { Badge, Button, Checkbox, CsrfField, ErrorSummary, TextField, Time, type FormState } from '../web/components.js';
import { roleLabel } from '../web/layout.js';
import { openTotpSecret } from './secrets-at-rest.js';
import { createApiToken, listApiTokens, revokeApiToken } from './api-tokens.js';
import { confirmTotpEnrolment, disableTotp, startTotpEnrolment } from './second-factor.js';
import { listSessions, revokeSession } from './sessions.js';
import { totpQrSvgDataUrl, totpUri } from './totp.js';
import { findUserById } from './users.js';
import { change } from '../context.js';
import { can } from '../access/policy.js';
import type { FirstRunSetup } from '../web/setup-notice.js';
import { keepForOneView, takeForOneView } from '../http/shown-once.js';


/** Where new recovery codes are shown, once (post/redirect/get). */
const RECOVERY_CODES_PATH = '/account/recovery-codes';

function me(actor: UserActor) {
  return {
    id: actor.userId,
    username: actor.username,
    display_name: actor.displayName,
    email: actor.email,
    time_zone: actor.timeZone,
    roles: [...actor.roles].sort(),
    roles_pending_second_factor: [...actor.mfaPendingRoles].sort(),
    project_roles: [...actor.projectRoles].map(([project_id, roles]) => ({ project_id, roles: [...roles].sort() })),
    second_factor: actor.mfaEnrolled,
  };
}

/** `setup`: the first-run checklist, from the instance domain above accounts (passed in by http/routes-index.ts). */
export function accountRoutes(app: AppContext, setup: FirstRunSetup): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/api/v1/me',
      audience: 'user',
      handler: async (_req, _reply, { actor }) => me(actor),
    },
    {
      method: 'GET',
      url: '/account',
      audience: 'user',
      handler: async (req, reply, { actor }) =>
        sendPage(app, req, reply, 'Your account', () => (
          <>
            <h1>Your account</h1>
            <div class="card">
              <dl class="facts">
                <dt>Name</dt>
                <dd>{actor.displayName}</dd>
                <dt>Username</dt>
                <dd>{actor.username}</dd>
                <dt>Email</dt>
                <dd>{actor.email}</dd>
                <dt>Roles</dt>
                <dd>
                  {actor.heldRoles.size === 0 ? <span class="muted">none</span> : null}
                  {[...actor.heldRoles].map((r) => (
                    <>
                      <Badge tone={actor.roles.has(r) ? 'ok' : 'warn'}>{roleLabel(r)}{actor.roles.has(r) ? '' : ' (inactive)'}</Badge>{' '}
                    </>
                  ))}
                </dd>
                <dt>Two-factor</dt>
                <dd>{actor.mfaEnrolled ? <Badge tone="ok">on</Badge> : <Badge tone="warn">off</Badge>}</dd>
              </dl>
            </div>
            <div class="grid">
              <a class="card" href="/account/security">
                <strong>Two-factor authentication</strong>
                <br />
                <span class="muted">Authenticator app and recovery codes</span>
              </a>
              <a class="card" href="/account/sign-in">
                <strong>Sign-in methods</strong>
                <br />
                <span class="muted">Linked identity providers (single sign-on)</span>
              </a>
              <a class="card" href="/account/tokens">
                <strong>API tokens</strong>
                <br />
                <span class="muted">Scoped tokens for the JSON API</span>
              </a>
              <a class="card" href="/account/pgp-key">
                <strong>OpenPGP key</strong>
                <br />
                <span class="muted">So the team can send you encrypted mail</span>
              </a>
              <a class="card" href="/account/sessions">
                <strong>Sessions</strong>
                <br />
                <span class="muted">Where you are signed in</span>
              </a>
            </div>
          </>
        )),
    },
    { method: 'GET', url: '/account/security', audience: 'user', handler: async (req, reply, { actor }) => securityPage(app, req, reply, actor) },
    route({
      method: 'POST',
      url: '/account/totp/start',
      schema: { body: EmptyForm },
      audience: 'user',
      handler: async (req, reply, scope) => {
        await startTotpEnrolment(scope, scope.actor.userId);
        return reply.redirect('/account/security', 303);
      },
    }),
    route({
      method: 'POST',
      url: '/account/totp/confirm',
      form: true,
      schema: { body: FormFields({ code: Type.Optional(Text(100)) }) },
      audience: 'user',
      handler: async (req, reply, scope) => {
        const again = (issues: FieldIssue[], error: AppError) => securityPage(app, req, reply, scope.actor, { issues }, error.status);
        return formAction(req, reply, { back: '/account/security', again }, async () => {
          const codes = await confirmTotpEnrolment(scope, scope.actor.userId, req.sessionHash, str(formBody(req), 'code'));
          // Post/redirect/get: the codes wait for the one GET after the redirect, never in a URL (shown-once.ts).
          await keepForOneView(app, reply, 'recovery_codes', RECOVERY_CODES_PATH, { codes });
          return reply.redirect(RECOVERY_CODES_PATH, 303);
        });
      },
    }),
    {
      method: 'GET',
      url: RECOVERY_CODES_PATH,
      audience: 'user',
      handler: async (req, reply) => {
        const kept = await takeForOneView<{ codes: string[] }>(app, req, reply, 'recovery_codes', RECOVERY_CODES_PATH);
        if (!kept) {
          return sendPage(app, req, reply, 'Recovery codes', () => (
            <>
              <h1>Recovery codes</h1>
              <p class="lead">Your recovery codes were shown once, right after you turned on two-factor authentication, and are not shown again.</p>
              <p>
                If you did not save them, turn two-factor authentication off and on again on the <a href="/account/security">two-factor page</a> to get new ones.
              </p>
            </>
          ));
        }
        const codes = kept.codes;
        // An admin of an instance still being set up goes on to the first-run checklist (issue 15).
        const setupNext = can(req.actor, 'admin.read') && (await setup.open(app.storage.db, app.config));
        return sendPage(app, req, reply, 'Recovery codes', (ctx) => (
          <>
            <h1>Two-factor authentication is on</h1>
            <div class="flash success" role="status">Your authenticator app is set up{ctx.actor.kind === 'user' && ctx.actor.heldRoles.size ? ' and your roles are active' : ''}.</div>
            <div class="card">
              <h2>Save your recovery codes</h2>
              <p>Each code signs you in once if you lose your phone. They are shown only now.</p>
              <ul class="codes" aria-label="Recovery codes">
                {codes.map((c) => (
                  <li>{c}</li>
                ))}
              </ul>
            </div>
            <p>
              <a class="btn primary" href={setupNext ? '/admin/setup' : '/account'}>
                {setupNext ? 'I have saved them: continue to the first-run checklist' : 'I have saved them'}
              </a>
            </p>
          </>
        ));
      },
    },
    route({
      method: 'POST',
      url: '/account/totp/disable',
      form: true,
      schema: { body: FormFields({ code: Type.Optional(Text(100)) }) },
      audience: 'user',
      handler: async (req, reply, scope) => {
        const again = (issues: FieldIssue[], error: AppError) => securityPage(app, req, reply, scope.actor, { issues }, error.status);
        return formAction(req, reply, { back: '/account/security', again }, async () => {
          await disableTotp(scope, scope.actor.userId, str(formBody(req), 'code'));
          return { to: '/account/security', message: 'Two-factor authentication is off.', kind: 'info' };
        });
      },
    }),
    {
      method: 'GET',
      url: '/account/tokens',
      audience: 'user',
      handler: async (req, reply, { actor }) => {
        // A token just made is shown on this one view after the redirect (shown-once.ts).
        const made = await takeForOneView<{ token: string }>(app, req, reply, 'api_token', '/account/tokens');
        return tokensPage(app, req, reply, actor, undefined, made?.token);
      },
    },
    route({
      method: 'POST',
      url: '/account/tokens',
      form: true,
      schema: { body: FormFields({ name: Type.Optional(Text(200)), scopes: Type.Optional(TextList(100)), expires_in_days: Type.Optional(Text(10)) }) },
      audience: 'user',
      handler: async (req, reply, scope) => {
        const form = formBody(req);
        requireFullSession(scope.actor);
        const again = (issues: FieldIssue[], error: AppError) => tokensPage(app, req, reply, scope.actor, { values: { name: str(form, 'name') }, issues }, undefined, error.status);
        return formAction(req, reply, { back: '/account/tokens', again }, async () => {
          const days = str(form, 'expires_in_days');
          const { token } = await createApiToken(scope, scope.actor.userId, { name: str(form, 'name'), scopes: list(form, 'scopes'), expiresInDays: days ? Number(days) : null });
          // Post/redirect/get: a reload makes no second token; the secret is never in the URL.
          await keepForOneView(app, reply, 'api_token', '/account/tokens', { token });
          return reply.redirect('/account/tokens', 303);
        });
      },
    }),
    route({
      method: 'POST',
      url: '/account/tokens/:tokenId/revoke',
      schema: { params: Params('tokenId'), body: EmptyForm },
      audience: 'user',
      leak: { params: { tokenId: 'api_token' } },
      handler: async (req, reply, scope) => {
        await revokeApiToken(scope, scope.actor.userId, Number(req.params.tokenId));
        return redirectWithFlash(reply, '/account/tokens', 'success', 'Token revoked.');
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/tokens',
      audience: 'user',
      schema: {
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 80 }),
            scopes: Type.Array(StringEnum(apiScopes), { minItems: 1, maxItems: 50 }),
            expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
          },
          { additionalProperties: false },
        ),
      },
      handler: async (req, reply, scope) => {
        requireFullSession(scope.actor);
        const body = req.body;
        const { id, token } = await createApiToken(scope, scope.actor.userId, { name: body.name, scopes: body.scopes, expiresInDays: body.expires_in_days ?? null });
        return reply.code(201).send({ id, token, note: 'Store this token now; it is not shown again.' });
      },
    }),
    { method: 'GET', url: '/account/sessions', audience: 'user', handler: async (req, reply, { actor }) => sessionsPage(app, req, reply, actor) },
    route({
      method: 'POST',
      url: '/account/sessions/revoke-others',
      schema: { body: EmptyForm },
      audience: 'user',
      handler: async (req, reply, scope) => {
        await change(scope, async ({ trx, now, audit }) => {
          const sessions = await listSessions(trx, scope.actor.userId, now);
          for (const s of sessions) if (s.id_hash !== req.sessionHash) await revokeSession(trx, now, s.id_hash);
          await audit('user.sessions_revoked', 'user', scope.actor.userId, undefined, { count: sessions.length - 1 });
        });
        return redirectWithFlash(reply, '/account/sessions', 'success', 'Signed out everywhere else.');
      },
    }),
  ];
}

/** Tokens can only be minted from a browser session that met the second-factor rule, never from another token. */
function requireFullSession(actor: UserActor): void {
  if (actor.via !== 'session') throw errors.forbiddenAction('API tokens are created from a signed-in browser session.');
  if (actor.mfaPendingRoles.size > 0) throw errors.forbiddenAction('Turn on two-factor authentication before creating API tokens.');
}

async function securityPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, actor: UserActor, state?: FormState, status?: number) {
  const user = (await findUserById(app.storage.db, actor.userId))!;
  const pending = user.totp_secret && !user.totp_enabled_at ? openTotpSecret(app.storage, user.totp_secret) : null;
  const qr = pending ? await totpQrSvgDataUrl(totpUri(pending, user.username, app.config.instanceName)) : null;
  return sendPage(
    app,
    req,
    reply,
    'Two-factor authentication',
    (ctx) => (
      <>
        <h1>Two-factor authentication</h1>
        {actor.mfaPendingRoles.size > 0 ? (
          <p class="lead">Your {[...actor.mfaPendingRoles].map(roleLabel).join(' and ')} role needs a second factor. It becomes active as soon as you finish below.</p>
        ) : null}
        <ErrorSummary state={state} />
        {user.totp_enabled_at ? (
          <div class="card">
            <p>
              <Badge tone="ok">On</Badge> since <Time iso={user.totp_enabled_at} />.
            </p>
            <form method="post" action="/account/totp/disable" class="stack">
              <CsrfField token={ctx.csrfToken} />
              <TextField name="code" label="Current code (to turn it off)" autocomplete="one-time-code" inputmode="numeric" state={state} />
              <Button kind="danger">Turn off two-factor authentication</Button>
            </form>
          </div>
        ) : pending ? (
          <div class="card">
            <h2>Scan this code with your authenticator app</h2>
            <div class="split">
              <img class="qr" src={qr!} alt="QR code for your authenticator app" />
              <div>
                <p>Or enter this key by hand:</p>
                <p class="secret" id="totp-secret">{pending}</p>
                <form method="post" action="/account/totp/confirm" class="stack">
                  <CsrfField token={ctx.csrfToken} />
                  <TextField name="code" label="Code shown in the app" autocomplete="one-time-code" inputmode="numeric" required state={state} />
                  <Button>Turn on</Button>
                </form>
              </div>
            </div>
          </div>
        ) : (
          <div class="card">
            <p>Use an authenticator app (such as FreeOTP, Aegis or Google Authenticator) for a code at each sign-in.</p>
            <form method="post" action="/account/totp/start">
              <CsrfField token={ctx.csrfToken} />
              <Button>Set up authenticator app</Button>
            </form>
          </div>
        )}
      </>
    ),
    { status },
  );
}

async function tokensPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, actor: UserActor, state?: FormState, newToken?: string, status?: number) {
  const tokens = await listApiTokens(app.storage.db, actor.userId);
  return sendPage(
    app,
    req,
    reply,
    'API tokens',
    (ctx) => (
      <>
        <h1>API tokens</h1>
        <p class="lead">
          Tokens let scripts use the JSON API as you: send <code>Authorization: Bearer TOKEN</code>. A token can do at most what its scopes and your roles allow.
        </p>
        {newToken ? (
          <div class="card">
            <h2>Your new token</h2>
            <p>Copy it now; it is not shown again.</p>
            <p class="secret" id="new-token">{newToken}</p>
          </div>
        ) : null}
        <ErrorSummary state={state} />
        <form method="post" action="/account/tokens" class="stack card">
          <CsrfField token={ctx.csrfToken} />
          <TextField name="name" label="Name" hint="What will use it, e.g. ‘CI export job’." required state={state} />
          <fieldset>
            <legend>Scopes</legend>
            <Checkbox name="scopes" value="read" label="read" hint="read what you can see" checked />
            <Checkbox name="scopes" value="write" label="write" hint="change what you can change" />
            <Checkbox name="scopes" value="admin" label="admin" hint="administration (admins only)" />
          </fieldset>
          <TextField name="expires_in_days" label="Expires after (days)" hint="Leave empty for no expiry." inputmode="numeric" state={state} />
          <Button>Create token</Button>
        </form>
        <h2>Your tokens</h2>
        {tokens.length === 0 ? (
          <p class="empty">No tokens yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Scopes</th>
                <th>Created</th>
                <th>Last used</th>
                <th>Status</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr>
                  <td>{t.name}</td>
                  <td>{(JSON.parse(t.scopes) as string[]).join(', ')}</td>
                  <td>
                    <Time iso={t.created_at} />
                  </td>
                  <td>
                    <Time iso={t.last_used_at} />
                  </td>
                  <td>{t.revoked_at ? <Badge tone="muted">revoked</Badge> : <Badge tone="ok">active</Badge>}</td>
                  <td>
                    {t.revoked_at ? null : (
                      <form method="post" action={`/account/tokens/${t.id}/revoke`}>
                        <CsrfField token={ctx.csrfToken} />
                        <Button kind="danger">Revoke</Button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </>
    ),
    { status, wide: true },
  );
}

async function sessionsPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, actor: UserActor) {
  const sessions = await listSessions(app.storage.db, actor.userId, app.clock.now());
  return sendPage(
    app,
    req,
    reply,
    'Sessions',
    (ctx) => (
      <>
        <h1>Where you are signed in</h1>
        <table>
          <thead>
            <tr>
              <th>Started</th>
              <th>Last seen</th>
              <th>Address</th>
              <th>Browser</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr>
                <td>
                  <Time iso={s.created_at} /> {s.id_hash === req.sessionHash ? <Badge tone="info">this session</Badge> : null}
                </td>
                <td>
                  <Time iso={s.last_seen_at} />
                </td>
                <td>{s.ip ?? '—'}</td>
                <td>{s.user_agent ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="post" action="/account/sessions/revoke-others" class="actions">
          <CsrfField token={ctx.csrfToken} />
          <Button kind="danger">Sign out everywhere else</Button>
        </form>
      </>
    ),
    { wide: true },
  );
}

