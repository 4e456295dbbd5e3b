// Sign-in, second factor, sign-out, registration, first-run setup, invitations and password reset pages.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { change, type AppContext, type Scope } from '../context.js';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { route, type RouteDef } from '../http/route.js';
import { formBody, keepValues, str } from '../http/forms.js';
import { redirectWithFlash, safeNext, sendPage } from '../http/render.js';
import { Button, CsrfField, ErrorSummary, TextField, type FormState } from '../web/components.js';
import type { PageContext } from '../web/layout.js';
import { login, passSecondFactor } from './login.js';
import { acceptInvite, findLiveInvite, requestPasswordReset, requestRegistration, resetPassword, setupOpen } from './invites.js';
import { knownDevice, rememberDevice } from './throttle.js';
import { createSession, revokeSession, SESSION_ABSOLUTE_MS, SESSION_COOKIE } from './sessions.js';
import { findUserById } from './users.js';
import { ProviderButtons } from './oidc-buttons.js';
import { Type } from '@sinclair/typebox';
import { FormFields, Params, Query, Text } from '../http/schemas.js';

const TokenParams = Params('token');
const Email = Type.Optional(Text(320));
const Password = Type.Optional(Text(1_024));


export function setSessionCookie(app: AppContext, reply: FastifyReply, token: string): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: app.config.publicUrl.startsWith('https://'),
    maxAge: SESSION_ABSOLUTE_MS / 1000,
  });
}

/** The status of a re-rendered form after `error`, with Retry-After when the error asks to wait. */
function LoginForm({ app, ctx, state, next }: { app: AppContext; ctx: PageContext; state?: FormState; next: string }) {
  if (!app.config.passwordSignIn) {
    // PASSWORD_SIGN_IN=off: only the providers (config.ts refuses off without one).
    return (
      <>
        <h1>Sign in</h1>
        <ErrorSummary state={state} />
        <ProviderButtons app={app} next={next} />
        <p>Reporting a vulnerability does not need an account.</p>
      </>
    );
  }
  return (
    <>
      <h1>Sign in</h1>
      <ErrorSummary state={state} />
      <ProviderButtons app={app} next={next} />
      <form method="post" action={`/login?next=${encodeURIComponent(next)}`} class="stack card">
        <CsrfField token={ctx.csrfToken} />
        <TextField name="login" label="Username or email" autocomplete="username" required state={state} />
        <TextField name="password" label="Password" type="password" autocomplete="current-password" required state={state} />
        <div class="actions">
          <Button>Sign in</Button>
          <a href="/password/forgot">Forgot your password?</a>
        </div>
      </form>
      <p>
        New here? <a href="/register">Create an account</a>. Reporting a vulnerability does not need an account.
      </p>
    </>
  );
}

function AccountForm({ ctx, state, action, intro, submit, fixedEmail }: { ctx: PageContext; state?: FormState; action: string; intro: string; submit: string; fixedEmail?: string | null }) {
  return (
    <>
      <p class="lead">{intro}</p>
      <ErrorSummary state={state} />
      <form method="post" action={action} class="stack card">
        <CsrfField token={ctx.csrfToken} />
        <TextField name="username" label="Username" hint="Lowercase letters, digits, dot, dash or underscore." autocomplete="username" required state={state} />
        <TextField name="display_name" label="Your name" hint="As others see it on reports and advisories." autocomplete="name" required state={state} />
        {fixedEmail ? (
          <p>
            Email: <strong>{fixedEmail}</strong>
          </p>
        ) : (
          <TextField name="email" label="Email" type="email" autocomplete="email" required state={state} />
        )}
        <TextField name="password" label="Password" type="password" hint="At least 12 characters. A passphrase is best." autocomplete="new-password" required state={state} />
        <div class="actions">
          <Button>{submit}</Button>
        </div>
      </form>
    </>
  );
}

function accountInput(form: Record<string, unknown>) {
  const f = form as Record<string, string>;
  return { username: str(f, 'username'), email: str(f, 'email'), displayName: str(f, 'display_name'), password: str(f, 'password') };
}

async function signIn(app: AppContext, req: FastifyRequest, reply: FastifyReply, userId: number, mfaPassed: boolean): Promise<void> {
  const now = app.clock.now();
  if (req.sessionHash) await revokeSession(app.storage.db, now, req.sessionHash);
  const { token } = await createSession(app.storage.db, now, userId, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null, mfaPassed });
  setSessionCookie(app, reply, token);
}

/** PASSWORD_SIGN_IN=off: the password routes refuse before reading anything (the CLI is the admin's break-glass). */
function refuseWhenPasswordOff(app: AppContext): void {
  if (!app.config.passwordSignIn) throw errors.badRequest('Password sign-in is turned off on this instance: use “Sign in with …” on the sign-in page.');
}

/** `?next=`: where the sign-in leads afterwards (checked by safeNext). */
const Next = Query('next');

export function authRoutes(app: AppContext): RouteDef[] {
  // Where to go after signing in (`?next=`, kept through the second factor), a path on this site only.
  const loginPage = (req: FastifyRequest, reply: FastifyReply, next: string | undefined, state?: FormState, status?: number) =>
    sendPage(app, req, reply, 'Sign in', (ctx) => <LoginForm app={app} ctx={ctx} state={state} next={safeNext(next)} />, { status });

  return [
    route({ method: 'GET', url: '/login', schema: { querystring: Next }, audience: 'public', handler: async (req, reply) => loginPage(req, reply, req.query.next) }),
    route({
      method: 'POST',
      url: '/login',
      form: true,
      schema: { querystring: Next, body: FormFields({ login: Type.Optional(Text(320)), password: Password }) },
      audience: 'public',
      rateLimitPerMinute: 20,
      handler: async (req, reply, scope) => {
        refuseWhenPasswordOff(app);
        const form = formBody(req);
        const again = (issues: FieldIssue[], error: AppError) => loginPage(req, reply, req.query.next, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: '/login', again }, async () => {
          const result = await login(
            scope,
            { login: str(form, 'login'), password: str(form, 'password') },
            { ip: req.ip, userAgent: req.headers['user-agent'] ?? null, previousSessionHash: req.sessionHash, device: (userId) => knownDevice(req, userId) },
          );
          setSessionCookie(app, reply, result.sessionToken);
          if (!result.needsTotp) rememberDevice(app, reply, result.user.id, result.attempt.device);
          const next = safeNext(req.query.next);
          return reply.redirect(result.needsTotp ? `/login/totp?next=${encodeURIComponent(next)}` : next, 303);
        });
      },
    }),
    route({
      method: 'GET',
      url: '/login/totp',
      schema: { querystring: Next },
      audience: 'public',
      handler: async (req, reply) => {
        if (!req.pendingMfaUserId) return reply.redirect('/login', 303);
        return totpPage(app, req, reply, req.query.next);
      },
    }),
    route({
      method: 'POST',
      url: '/login/totp',
      form: true,
      schema: { querystring: Next, body: FormFields({ code: Type.Optional(Text(100)) }) },
      audience: 'public',
      rateLimitPerMinute: 20,
      handler: async (req, reply, scope) => {
        const sessionHash = req.sessionHash;
        if (!req.pendingMfaUserId || !sessionHash) return reply.redirect('/login', 303);
        const form = formBody(req);
        const user = await findUserById(app.storage.db, req.pendingMfaUserId);
        if (!user) return reply.redirect('/login', 303);
        const again = (issues: FieldIssue[], error: AppError) => totpPage(app, req, reply, req.query.next, { values: {}, issues }, error.status);
        return formAction(req, reply, { back: '/login/totp', again }, async () => {
          await passSecondFactor(scope, user, sessionHash, str(form, 'code'));
          rememberDevice(app, reply, user.id, knownDevice(req, user.id));
          return reply.redirect(safeNext(req.query.next), 303);
        });
      },
    }),
    {
      method: 'POST',
      url: '/logout',
      audience: 'public',
      handler: async (req, reply, scope) => {
        if (req.sessionHash) {
          const hash = req.sessionHash;
          await change(scope, async ({ trx, now, audit }) => {
            await revokeSession(trx, now, hash);
            if (scope.actor.kind === 'user') await audit('user.signed_out', 'user', scope.actor.userId);
          });
        }
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.redirect('/', 303);
      },
    },
    {
      method: 'GET',
      url: '/register',
      audience: 'public',
      handler: async (req, reply) => registerPage(app, req, reply),
    },
    route({
      method: 'POST',
      url: '/register',
      form: true,
      schema: { body: FormFields({ email: Email }) },
      audience: 'public',
      rateLimitPerMinute: 10,
      handler: async (req, reply, scope) => {
        if (app.config.registration !== 'open') throw errors.notFound();
        refuseWhenPasswordOff(app);
        const form = formBody(req);
        const again = (issues: FieldIssue[], error: AppError) => registerPage(app, req, reply, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: '/register', again }, async () => {
          // The same answer whether or not the address has an account (requestRegistration mails either way).
          await requestRegistration(scope, str(form, 'email'));
          return { to: '/', message: 'Check your mail: we have sent the next step to that address.', kind: 'info' };
        });
      },
    }),
    ...(['setup', 'invite'] as const).flatMap((purpose): RouteDef[] => [
      route({
        method: 'GET',
        url: `/${purpose}/:token`,
        audience: 'public',
        leak: { params: { token: 'secret_link' } },
        schema: { params: TokenParams },
        handler: async (req, reply) => invitePage(app, req, reply, purpose, req.params.token),
      }),
      route({
        method: 'POST',
        url: `/${purpose}/:token`,
        audience: 'public',
        rateLimitPerMinute: 10,
        leak: { params: { token: 'secret_link' } },
        form: true,
        schema: { params: TokenParams, body: FormFields({ username: Type.Optional(Text(200)), email: Email, display_name: Type.Optional(Text(200)), password: Password }) },
        handler: async (req, reply, scope) => {
          if (purpose === 'invite') refuseWhenPasswordOff(app);
          const { token } = req.params;
          const form = formBody(req);
          const again = (issues: FieldIssue[], error: AppError) => invitePage(app, req, reply, purpose, token, { values: keepValues(form), issues }, error.status);
          return formAction(req, reply, { back: `/${purpose}/${token}`, again }, async () => {
            const user = await acceptInvite(scope, purpose, token, accountInput(form));
            await signIn(app, req, reply, user.id, false);
            // The first admin lands on the first-run checklist, after enrolling 2FA when the admin role needs it (issue 15).
            const mfaFirst = app.config.mfaRequiredRoles.has('admin');
            return {
              to: purpose === 'setup' ? (mfaFirst ? '/account/security' : '/admin/setup') : '/account',
              message:
                purpose === 'setup'
                  ? mfaFirst
                    ? 'Your admin account is ready. Turn on two-factor authentication to activate the admin role; the first-run checklist comes next.'
                    : 'Your admin account is ready. Here is what the instance still needs.'
                  : 'Welcome! Your account is ready.',
            };
          });
        },
      }),
    ]),
    {
      method: 'GET',
      url: '/password/forgot',
      audience: 'public',
      handler: async (req, reply) => forgotPage(app, req, reply),
    },
    route({
      method: 'POST',
      url: '/password/forgot',
      schema: { body: FormFields({ email: Email }) },
      audience: 'public',
      rateLimitPerMinute: 5,
      handler: async (req, reply, scope) => {
        refuseWhenPasswordOff(app);
        await requestPasswordReset(scope, str(formBody(req), 'email'));
        return redirectWithFlash(reply, '/login', 'info', 'If an account uses that address, a reset link is on its way.');
      },
    }),
    route({
      method: 'GET',
      url: '/password/reset/:token',
      schema: { params: TokenParams },
      audience: 'public',
      leak: { params: { token: 'secret_link' } },
      handler: async (req, reply) => resetPage(app, req, reply, req.params.token),
    }),
    route({
      method: 'POST',
      url: '/password/reset/:token',
      form: true,
      schema: { params: TokenParams, body: FormFields({ password: Password }) },
      audience: 'public',
      rateLimitPerMinute: 10,
      leak: { params: { token: 'secret_link' } },
      handler: async (req, reply, scope) => {
        refuseWhenPasswordOff(app);
        const { token } = req.params;
        const again = (issues: FieldIssue[], error: AppError) => resetPage(app, req, reply, token, { values: {}, issues }, error.status);
        return formAction(req, reply, { back: `/password/reset/${token}`, again }, async () => {
          await resetPassword(scope, token, str(formBody(req), 'password'));
          return { to: '/login', message: 'Your password was changed. Sign in with the new one.' };
        });
      },
    }),
  ];
}

function totpPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, nextParam: string | undefined, state?: FormState, status?: number) {
  const next = safeNext(nextParam);
  return sendPage(
    app,
    req,
    reply,
    'Authentication code',
    (ctx) => (
      <>
        <h1>Enter your authentication code</h1>
        <p class="lead">Open your authenticator app and enter the 6-digit code for this account, or one of your recovery codes.</p>
        <ErrorSummary state={state} />
        <form method="post" action={`/login/totp?next=${encodeURIComponent(next)}`} class="stack card">
          <CsrfField token={ctx.csrfToken} />
          <TextField name="code" label="Code" autocomplete="one-time-code" inputmode="numeric" required state={state} />
          <div class="actions">
            <Button>Verify</Button>
          </div>
        </form>
      </>
    ),
    { status },
  );
}

function registerPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, state?: FormState, status?: number) {
  if (app.config.registration !== 'open') {
    return sendPage(app, req, reply, 'Registration', () => (
      <>
        <h1>Registration is by invitation</h1>
        <p class="lead">Accounts on this instance are created by invitation from an administrator. You can still report a vulnerability without an account.</p>
      </>
    ));
  }
  return sendPage(
    app,
    req,
    reply,
    'Create an account',
    (ctx) => (
      <>
        <h1>Create an account</h1>
        <p class="lead">An account lets you follow your reports, take part in reviews you are invited to, and give feedback on security notes.</p>
        <ErrorSummary state={state} />
        <form method="post" action="/register" class="stack card">
          <CsrfField token={ctx.csrfToken} />
          <TextField name="email" label="Email" type="email" hint="We send a link there to choose your username and password." autocomplete="email" required state={state} />
          <div class="actions">
            <Button>Send me the link</Button>
          </div>
        </form>
      </>
    ),
    { status },
  );
}

async function invitePage(app: AppContext, req: FastifyRequest, reply: FastifyReply, purpose: 'setup' | 'invite', token: string, state?: FormState, status?: number) {
  const invite = await findLiveInvite(app.storage.db, app.clock.now(), purpose, token);
  if (!invite) throw errors.notFound('invitation');
  const setup = purpose === 'setup';
  // Once any account exists there is nothing to set up: the page is gone, whatever link is presented.
  if (setup && !(await setupOpen(app.storage.db))) throw errors.notFound('invitation');
  // Links from open registration (/register) are invitations nobody sent.
  const selfService = !setup && invite.created_by === null;
  return sendPage(
    app,
    req,
    reply,
    setup ? 'Set up Cordon' : selfService ? 'Create your account' : 'Accept invitation',
    (ctx) => (
      <>
        <h1>{setup ? `Set up ${app.config.instanceName}` : selfService ? 'Create your account' : 'Accept your invitation'}</h1>
        {/* With PASSWORD_SIGN_IN=off an invitation is accepted through a provider only. */}
        {setup || app.config.passwordSignIn ? (
          <AccountForm
            ctx={ctx}
            state={state}
            action={`/${purpose}/${encodeURIComponent(token)}`}
            intro={setup ? 'Create the first administrator account. This link works once; there is no default password.' : 'Choose a username and password for your new account.'}
            submit={setup ? 'Create admin account' : 'Create account'}
            fixedEmail={invite.email}
          />
        ) : null}
        {!setup && app.config.oidcProviders.length ? (
          <>
            <h2>{app.config.passwordSignIn ? 'Or use your identity provider' : 'Use your identity provider'}</h2>
            <ProviderButtons app={app} next="/account" invite={token} />
          </>
        ) : null}
      </>
    ),
    { status },
  );
}

function forgotPage(app: AppContext, req: FastifyRequest, reply: FastifyReply) {
  return sendPage(app, req, reply, 'Forgot password', (ctx) => (
    <>
      <h1>Reset your password</h1>
      <p class="lead">Enter the email address of your account. We will send a link to choose a new password.</p>
      <form method="post" action="/password/forgot" class="stack card">
        <CsrfField token={ctx.csrfToken} />
        <TextField name="email" label="Email" type="email" autocomplete="email" required />
        <div class="actions">
          <Button>Send reset link</Button>
        </div>
      </form>
    </>
  ));
}

async function resetPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, token: string, state?: FormState, status?: number) {
  const invite = await findLiveInvite(app.storage.db, app.clock.now(), 'password_reset', token);
  if (!invite) throw errors.notFound('reset link');
  return sendPage(
    app,
    req,
    reply,
    'Choose a new password',
    (ctx) => (
      <>
        <h1>Choose a new password</h1>
        <ErrorSummary state={state} />
        <form method="post" action={`/password/reset/${encodeURIComponent(token)}`} class="stack card">
          <CsrfField token={ctx.csrfToken} />
          <TextField name="password" label="New password" type="password" hint="At least 12 characters." autocomplete="new-password" required state={state} />
          <div class="actions">
            <Button>Change password</Button>
          </div>
        </form>
      </>
    ),
    { status },
  );
}

export type { Scope };
