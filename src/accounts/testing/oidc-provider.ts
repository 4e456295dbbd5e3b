// A real OpenID Connect provider for tests (the `oidc-provider` package) on 127.0.0.1, with a tiny login
// page a browser fills in (the login name picks one of the test identities), and hooks that play a
// hostile network: change a byte of the ID token's signature on its way out of the token endpoint, or
// replace the nonce of the authorization request.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { OidcProviderConfig } from '../../config/config.js';

export interface TestIdentity {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
  groups?: string[];
  /** What the login asserts (RFC 8176), e.g. ['pwd', 'mfa']. */
  amr?: string[];
  acr?: string;
}

export interface TestProvider {
  issuer: string;
  identities: Map<string, TestIdentity>;
  hooks: { tamperIdToken: boolean; replaceNonce: boolean; replaceState: boolean };
  config(redirectUri: string): OidcProviderConfig;
  close(): Promise<void>;
}

export const TEST_CLIENT_ID = 'cordon-test';
export const TEST_CLIENT_SECRET = 'a-client-secret-for-tests-only-0123456789';

function readBody(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString('utf8')));
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Start the provider; `redirectUris` are registered for the one client. */
export async function startTestProvider(redirectUris: string[]): Promise<TestProvider> {
  const identities = new Map<string, TestIdentity>();
  const hooks = { tamperIdToken: false, replaceNonce: false, replaceState: false };
  const holder: { provider?: Provider } = {};
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String((err as Error)?.message ?? err));
    });
  });
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const p = holder.provider!;
    const m = /^\/interaction\/([^/?]+)(\/login)?/.exec(req.url ?? '');
    if (!m) return void p.callback()(req, res);
    const details = await p.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        `<!doctype html><title>Test ID</title><h1>Test identity provider</h1>` +
          `<form method="post" action="/interaction/${esc(details.uid)}/login"><label>Login <input name="login" id="login"></label> <button type="submit">Sign in at Test ID</button></form>`,
      );
      return;
    }
    const login = (await readBody(req)).get('login') ?? '';
    const who = identities.get(login);
    if (!who) {
      res.statusCode = 400;
      res.end('unknown test login');
      return;
    }
    const grant = new p.Grant({ accountId: login, clientId: String(details.params.client_id) });
    grant.addOIDCScope('openid email profile');
    const grantId = await grant.save();
    await p.interactionFinished(req, res, { login: { accountId: login, ...(who.amr ? { amr: who.amr } : {}), ...(who.acr ? { acr: who.acr } : {}) }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET, redirect_uris: redirectUris, response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_post' }],
    claims: { acr: null, amr: null, sid: null, auth_time: null, iss: null, openid: ['sub', 'amr', 'acr'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['test-cookie-key'] },
    jwks: { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' }] },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    findAccount: (_ctx, id) => {
      const who = identities.get(id);
      if (!who) return undefined;
      return { accountId: id, claims: () => ({ sub: who.sub, email: who.email, email_verified: who.email_verified, name: who.name, groups: who.groups }) };
    },
  });
  holder.provider = provider;
  provider.use(async (ctx, next) => {
    if (hooks.replaceNonce && ctx.path === '/auth' && ctx.query.nonce) ctx.query = { ...ctx.query, nonce: 'a-nonce-the-app-never-sent' };
    await next();
    const location = ctx.response.get('location');
    if (hooks.replaceState && location.includes('/auth/oidc/') && location.includes('state=')) {
      const u = new URL(location);
      u.searchParams.set('state', 'a-state-this-browser-never-had');
      ctx.redirect(u.href);
    }
    const body = ctx.body as { id_token?: string } | undefined;
    if (hooks.tamperIdToken && ctx.path === '/token' && body?.id_token) {
      // One byte of the signature changes (a proxy between the app and the token endpoint).
      const [h, p, sig] = body.id_token.split('.');
      const flipped = (sig![5] === 'A' ? 'B' : 'A') + sig!.slice(6);
      ctx.body = { ...body, id_token: `${h}.${p}.${sig!.slice(0, 5)}${flipped}` };
    }
  });
  return {
    issuer,
    identities,
    hooks,
    config: () => ({
      id: 'testid',
      issuer,
      clientId: TEST_CLIENT_ID,
      clientSecret: TEST_CLIENT_SECRET,
      name: 'Test ID',
      allowedEmailDomains: [],
      trustMfa: false,
      mfaAmrValues: ['mfa'],
      mfaAcrValues: [],
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
