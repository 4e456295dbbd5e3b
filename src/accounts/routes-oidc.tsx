// OpenID Connect sign-in pages (issue 19): the "Sign in with …" start, the provider's callback, and the page
// where an account's owner confirms linking a provider identity that carries the account's verified email.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { change, type AppContext } from '../context.js';
import type { OidcProviderConfig } from '../config/config.js';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { formBody, str } from '../http/forms.js';
import { safeNext, sendPage } from '../http/render.js';
import { route, type RouteDef } from '../http/route.js';
import { FormFields, Params, Query, Text } from '../http/schemas.js';
import { Button, CsrfField, ErrorSummary, TextField, type FormState } from '../web/components.js';
import { checkSecondFactor, secondFactorRefusal, type SecondFactorOutcome } from './login.js';
import { confirmingFlow, finishFlow, OIDC_BROWSER_COOKIE, OIDC_FLOW_TTL_MS, providerById, spendFlow, startFlow, type OidcClaims } from './oidc.js';
import { findIdentity, linkIdentity, resolveIdentity, startSession, type SignInMeta } from './oidc-identity.js';
import { dummyPasswordHash, verifyPassword } from './secrets.js';
import { setSessionCookie } from './routes-auth.js';
import { recordSignInSuccess, takeSignInAttempt, type Attempt } from './throttle.js';
import { findUserById } from './users.js';
import { findLiveInvite } from './invites.js';
import type { OidcFlowRow } from './tables.js';

const ProviderParams = Params('provider');
/** A provider id is public (it is in the sign-in page's links); its routes are probed by oidc.test.ts's matrix. */
const providerLeak = { params: { provider: 'oidc_provider' } };
const CallbackQuery = Query('code', 'state', 'error', 'iss', 'session_state');

function meta(req: FastifyRequest): SignInMeta {
  return { ip: req.ip, userAgent: req.headers['user-agent'] ?? null, previousSessionHash: req.sessionHash };
}

function setBrowserCookie(app: AppContext, reply: FastifyReply, value: string | null): void {
  const options = { path: '/auth/oidc', httpOnly: true, sameSite: 'lax' as const, secure: app.config.publicUrl.startsWith('https://') };
  if (value === null) void reply.clearCookie(OIDC_BROWSER_COOKIE, options);
  else void reply.setCookie(OIDC_BROWSER_COOKIE, value, { ...options, maxAge: OIDC_FLOW_TTL_MS / 1000 });
}

export function oidcRoutes(app: AppContext): RouteDef[] {
  return [
    route({
      method: 'GET',
      url: '/auth/oidc/:provider/start',
      audience: 'public',
      leak: providerLeak,
      rateLimitPerMinute: 20,
      schema: { params: ProviderParams, querystring: Query('next', 'invite') },
      handler: async (req, reply) => {
        const provider = providerById(app, req.params.provider);
        // From an invitation's page: the invitation (checked now and again at the callback) creates the account.
        const invite = req.query.invite ? await findLiveInvite(app.storage.db, app.clock.now(), 'invite', req.query.invite) : undefined;
        if (req.query.invite && !invite) throw errors.signInRefused('This invitation link was used already or has expired. Nothing was changed; ask for a new one.');
        const { url, browser } = await startFlow(app, provider, safeNext(req.query.next), invite?.id ?? null);
        setBrowserCookie(app, reply, browser);
        return reply.redirect(url, 303);
      },
    }),
    route({
      method: 'GET',
      url: '/auth/oidc/:provider/callback',
      audience: 'public',
      leak: providerLeak,
      rateLimitPerMinute: 20,
      schema: { params: ProviderParams, querystring: CallbackQuery },
      handler: async (req, reply, scope) => {
        const provider = providerById(app, req.params.provider);
        const browser = req.cookies[OIDC_BROWSER_COOKIE];
        const { flow, claims } = await finishFlow(app, provider, req.query, browser);
        const outcome = await resolveIdentity(scope, provider, flow, claims, meta(req));
        if (outcome.kind === 'confirm') return reply.redirect('/auth/oidc/link', 303);
        setBrowserCookie(app, reply, null);
        setSessionCookie(app, reply, outcome.sessionToken);
        return reply.redirect(outcome.needsTotp ? `/login/totp?next=${encodeURIComponent(flow.next)}` : flow.next, 303);
      },
    }),
    route({
      method: 'GET',
      url: '/auth/oidc/link',
      audience: 'public',
      handler: async (req, reply) => linkPage(app, req, reply, await pendingLink(app, req)),
    }),
    route({
      method: 'POST',
      url: '/auth/oidc/link',
      audience: 'public',
      form: true,
      rateLimitPerMinute: 20,
      schema: { body: FormFields({ password: Type.Optional(Text(1_024)), code: Type.Optional(Text(100)) }) },
      handler: async (req, reply, scope) => {
        const pending = await pendingLink(app, req);
        const form = formBody(req);
        const again = (issues: FieldIssue[], error: AppError) => linkPage(app, req, reply, pending, { values: {}, issues }, error.status);
        return formAction(req, reply, { back: '/auth/oidc/link', again }, async () => {
          const { flow, provider, user, claims } = pending;
          const signedInAsOwner = scope.actor.kind === 'user' && scope.actor.userId === user.id;
          let secondFactor = false;
          if (!signedInAsOwner) {
            if (!app.config.passwordSignIn) throw errors.signInRefused(`Sign in to ${user.username} another way first, then sign in with ${provider.name} again to link it.`);
            secondFactor = await provePassword(app, req, user, str(form, 'password'));
          }
          const outcome = await change({ ...scope, actor: signedInAsOwner ? scope.actor : { kind: 'anonymous' } }, async (tools): Promise<LinkOutcome> => {
            // The second factor exactly as at the sign-in step (login.ts): counted against the same lock, a
            // recovery code spent once; a failure is returned so that its count commits.
            if (secondFactor) {
              const check = await checkSecondFactor(scope, tools, user.id, str(form, 'code'));
              if (check.kind !== 'passed') return { refused: check };
            }
            const spent = await spendFlow(tools.trx, { stateHash: flow.state_hash, stage: 'confirming' });
            if (!spent) throw errors.signInRefused('This confirmation was already used or has expired. Nothing was changed; sign in again.');
            if (await findIdentity(tools.trx, provider.id, claims.sub)) throw errors.conflict(`This ${provider.name} identity is already linked to an account.`);
            await linkIdentity(tools, user.id, provider, claims, String(claims.email).toLowerCase(), signedInAsOwner ? 'session' : 'password');
            return { session: signedInAsOwner ? null : await startSession(tools, user, provider, claims, meta(req), secondFactor ? 'totp' : null) };
          });
          if ('refused' in outcome) throw secondFactorRefusal(outcome.refused);
          const result = outcome.session;
          setBrowserCookie(app, reply, null);
          if (!result) return { to: flow.next, message: `${provider.name} is now linked to your account.` };
          setSessionCookie(app, reply, result.sessionToken);
          if (result.needsTotp) return reply.redirect(`/login/totp?next=${encodeURIComponent(flow.next)}`, 303);
          return { to: flow.next, message: `${provider.name} is now linked to your account; next time it signs you in directly.` };
        });
      },
    }),
  ];
}

type LinkOutcome = { refused: Exclude<SecondFactorOutcome, { kind: 'passed' }> } | { session: Awaited<ReturnType<typeof startSession>> | null };

interface PendingLink {
  flow: OidcFlowRow;
  provider: OidcProviderConfig;
  user: NonNullable<Awaited<ReturnType<typeof findUserById>>>;
  claims: OidcClaims;
}

async function pendingLink(app: AppContext, req: FastifyRequest): Promise<PendingLink> {
  const flow = await confirmingFlow(app, req.cookies[OIDC_BROWSER_COOKIE]);
  const user = flow?.user_id ? await findUserById(app.storage.db, flow.user_id) : undefined;
  const provider = flow ? app.config.oidcProviders.find((p) => p.id === flow.provider) : undefined;
  if (!flow || !user || !provider || user.disabled_at) throw errors.signInRefused('No sign-in is waiting for confirmation in this browser (it may have expired after 10 minutes). Start again from the sign-in page.');
  return { flow, provider, user, claims: JSON.parse(flow.claims_json ?? '{}') as OidcClaims };
}

/**
 * The account's password, throttled like the sign-in form (throttle.ts); whether a second factor must follow
 * (checked in the linking change, as the sign-in step checks it).
 */
async function provePassword(app: AppContext, req: FastifyRequest, user: PendingLink['user'], password: string): Promise<boolean> {
  const attempt: Attempt = { account: `u${user.id}`, address: req.ip ?? 'unknown', device: null };
  await takeSignInAttempt(app.storage.db, app.clock.now(), attempt);
  const wrong = () => errors.validation([{ field: 'password', message: 'Wrong password.' }], 'Wrong password.');
  if (!user.password_hash) {
    await verifyPassword(await dummyPasswordHash(), password);
    throw wrong();
  }
  if (!(await verifyPassword(user.password_hash, password))) throw wrong();
  await recordSignInSuccess(app.storage.db, attempt);
  return user.totp_enabled_at !== null;
}

function linkPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, pending: PendingLink, state?: FormState, status?: number) {
  const { provider, user } = pending;
  const signedInAsOwner = req.actor.kind === 'user' && req.actor.userId === user.id;
  return sendPage(
    app,
    req,
    reply,
    `Link ${provider.name}`,
    (ctx) => (
      <>
        <h1>Link {provider.name} to your account</h1>
        <p class="lead">
          {provider.name} says you are <strong>{user.email}</strong>. An account here already uses that address: <strong>{user.username}</strong>. Confirm that it is
          yours to link them; after that, {provider.name} signs you in to it directly.
        </p>
        <ErrorSummary state={state} />
        {signedInAsOwner ? (
          <form method="post" action="/auth/oidc/link" class="stack card">
            <CsrfField token={ctx.csrfToken} />
            <p>You are signed in as {user.username}.</p>
            <div class="actions">
              <Button>Link {provider.name}</Button>
              <a href="/">Cancel</a>
            </div>
          </form>
        ) : app.config.passwordSignIn ? (
          <form method="post" action="/auth/oidc/link" class="stack card">
            <CsrfField token={ctx.csrfToken} />
            <TextField name="password" label={`Password of ${user.username}`} type="password" autocomplete="current-password" required state={state} />
            {user.totp_enabled_at ? <TextField name="code" label="Authentication code" hint="The 6-digit code from your authenticator app, or one of your recovery codes." autocomplete="one-time-code" required state={state} /> : null}
            <div class="actions">
              <Button>Confirm and link</Button>
              <a href="/login">Cancel</a>
            </div>
          </form>
        ) : (
          <div class="card">
            <p>
              Sign in to <strong>{user.username}</strong> another way first (a provider already linked to it), then sign in with {provider.name} again: you will be asked to confirm here.
            </p>
          </div>
        )}
        <p class="muted">Not you, or not now? Nothing is linked until you confirm; this request expires in 10 minutes.</p>
      </>
    ),
    { status },
  );
}
