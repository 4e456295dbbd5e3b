// OpenID Connect sign-in, the protocol half (issue 19): authorization code flow with PKCE S256 (RFC 7636),
// `state` and `nonce` (OIDC Core §3.1.2.1, §15.5.2) kept server-side in oidc_flows, bound to the browser
// that started the flow by a random cookie (only its hash is stored) and spent once. openid-client checks
// the ID token: issuer, audience, signature against the provider's JWKS, expiry and nonce (OIDC Core
// §3.1.3.7). What the identity means for an account is in oidc-identity.ts.
import * as client from 'openid-client';
import type { AppContext } from '../context.js';
import type { OidcProviderConfig } from '../config/config.js';
import { errors } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import type { OidcFlowRow } from './tables.js';
import { randomToken, sha256Hex } from './secrets.js';

/** The cookie naming the browser's flows (`cordon_oidc`, path /auth/oidc, 10 min). */
export const OIDC_BROWSER_COOKIE = 'cordon_oidc';
export const OIDC_FLOW_TTL_MS = 10 * 60_000;

/** The claims of a validated ID token that Cordon reads. */
export interface OidcClaims {
  sub: string;
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
  preferred_username?: unknown;
  amr?: unknown;
  acr?: unknown;
  [claim: string]: unknown;
}

export function providerById(app: AppContext, id: string): OidcProviderConfig {
  const provider = app.config.oidcProviders.find((p) => p.id === id);
  if (!provider) throw errors.notFound('sign-in provider');
  return provider;
}

export function redirectUri(app: AppContext, provider: OidcProviderConfig): string {
  return `${app.config.publicUrl}/auth/oidc/${provider.id}/callback`;
}

// Discovery once per issuer and client; a failed discovery is forgotten so the next sign-in tries again.
const discovered = new Map<string, Promise<client.Configuration>>();
function clientFor(provider: OidcProviderConfig): Promise<client.Configuration> {
  const key = `${provider.issuer}\n${provider.clientId}`;
  let found = discovered.get(key);
  if (!found) {
    // http only for a loopback issuer (config.ts refuses it elsewhere): a provider run beside the app in tests.
    const insecure = new URL(provider.issuer).protocol === 'http:';
    // The ID token's signature is checked against the provider's JWKS too, not only trusted to TLS (OIDC
    // Core §3.1.3.7 allows skipping it): a proxy or a mis-issued certificate cannot hand us a forged identity.
    const execute = insecure ? [client.allowInsecureRequests, client.enableNonRepudiationChecks] : [client.enableNonRepudiationChecks];
    found = client.discovery(new URL(provider.issuer), provider.clientId, provider.clientSecret, undefined, { execute });
    discovered.set(key, found);
    found.catch(() => discovered.delete(key));
  }
  return found;
}

function unreachable(app: AppContext, provider: OidcProviderConfig, err: unknown) {
  app.log.warn({ provider: provider.id, err: (err as Error)?.message }, 'oidc provider unreachable');
  return errors.signInRefused(`${provider.name} cannot be reached right now, so nothing was changed. Try again in a minute, or tell the administrator.`);
}

/** Start a sign-in: a new flow row and the provider's authorization URL. `browser` is the flow cookie's value. */
export async function startFlow(app: AppContext, provider: OidcProviderConfig, next: string, inviteId: number | null = null): Promise<{ url: string; browser: string }> {
  const config = await clientFor(provider).catch((err: unknown) => {
    throw unreachable(app, provider, err);
  });
  const now = app.clock.now();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const verifier = client.randomPKCECodeVerifier();
  const browser = randomToken(32);
  const db = app.storage.db;
  // Flows are short-lived protocol state, like rate-limit counters: written directly, swept here.
  await db.deleteFrom('oidc_flows').where('expires_at', '<', now.toISOString()).execute();
  await db
    .insertInto('oidc_flows')
    .values({
      provider: provider.id,
      state_hash: sha256Hex(state),
      browser_hash: sha256Hex(browser),
      stage: 'authorizing',
      nonce,
      code_verifier: verifier,
      next,
      user_id: null,
      claims_json: null,
      invite_id: inviteId,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + OIDC_FLOW_TTL_MS).toISOString(),
    })
    .execute();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri(app, provider),
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url: url.href, browser };
}

/**
 * The callback: spend the flow named by `state` (once, whatever happens next), check it belongs to this
 * browser and is fresh, then redeem the code and validate the ID token. Any failure refuses and changes nothing else.
 */
export async function finishFlow(app: AppContext, provider: OidcProviderConfig, query: Record<string, string | undefined>, browser: string | undefined): Promise<{ flow: OidcFlowRow; claims: OidcClaims }> {
  const now = app.clock.now();
  if (query.error) throw errors.signInRefused(`${provider.name} did not sign you in (${String(query.error).slice(0, 60)}). Nothing was changed; try again.`);
  const state = query.state ?? '';
  const stale = errors.signInRefused('This sign-in was already used, has expired or was started in another browser. Nothing was changed; start again from the sign-in page.');
  if (!state || !browser) throw stale;
  const flow = await spendFlow(app.storage.db, { stateHash: sha256Hex(state), provider: provider.id, stage: 'authorizing' });
  if (!flow || flow.browser_hash !== sha256Hex(browser) || flow.expires_at <= now.toISOString()) throw stale;
  const config = await clientFor(provider).catch((err: unknown) => {
    throw unreachable(app, provider, err);
  });
  const current = new URL(redirectUri(app, provider));
  for (const [k, v] of Object.entries(query)) if (v !== undefined) current.searchParams.set(k, v);
  try {
    const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: flow.code_verifier, expectedState: state, expectedNonce: flow.nonce, idTokenExpected: true });
    const claims = tokens.claims();
    if (!claims) throw new Error('no ID token');
    // OIDC Core §5.4: claims asked for by scope (email, groups…) may come only from the UserInfo endpoint;
    // its `sub` must match the ID token's (checked by fetchUserInfo). What the signed ID token says wins.
    const info = config.serverMetadata().userinfo_endpoint ? await client.fetchUserInfo(config, tokens.access_token, claims.sub) : {};
    return { flow, claims: { ...info, ...claims } };
  } catch (err) {
    app.log.warn({ provider: provider.id, err: (err as Error)?.message, code: (err as { code?: string })?.code }, 'oidc sign-in refused');
    throw errors.signInRefused(`The answer from ${provider.name} could not be verified (its ID token was invalid, expired, or not meant for this sign-in). Nothing was changed; start again from the sign-in page.`);
  }
}

/** Delete and return the flow, atomically: of two uses of one state only one gets it. */
export async function spendFlow(db: Db, where: { stateHash?: string; browserHash?: string; provider?: string; stage: OidcFlowRow['stage'] }): Promise<OidcFlowRow | undefined> {
  let q = db.deleteFrom('oidc_flows').where('stage', '=', where.stage);
  if (where.stateHash) q = q.where('state_hash', '=', where.stateHash);
  if (where.browserHash) q = q.where('browser_hash', '=', where.browserHash);
  if (where.provider) q = q.where('provider', '=', where.provider);
  return q.returningAll().executeTakeFirst();
}

/** The flow waiting for its owner's confirmation in this browser, if any (not spent). */
export async function confirmingFlow(app: AppContext, browser: string | undefined): Promise<OidcFlowRow | undefined> {
  if (!browser) return undefined;
  return app.storage.db
    .selectFrom('oidc_flows')
    .selectAll()
    .where('browser_hash', '=', sha256Hex(browser))
    .where('stage', '=', 'confirming')
    .where('expires_at', '>', app.clock.now().toISOString())
    .orderBy('id', 'desc')
    .executeTakeFirst();
}
