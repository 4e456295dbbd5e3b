// An in-process Cordon for tests: real storage, real HTTP stack (Fastify inject), a clock the test moves.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { ManualClock } from '../clock.js';
import { testConfig, type Config } from '../config/config.js';
import type { AppContext, Scope } from '../context.js';
import { buildApp } from '../http/app.js';
import type { CatalogueEntry } from '../http/route.js';
import { createLogger } from '../logging.js';
import type { DialectName } from '../storage/database.js';
import type { InstanceRole, UserRow } from '../storage/tables.js';
import { createAccount } from '../accounts/users.js';
import { currentTotp, newTotpSecret, TOTP_PERIOD_S } from '../accounts/totp.js';
import { sealTotpSecret } from '../accounts/secrets-at-rest.js';
import { createTestStorage, type TestStorage } from './databases.js';

export interface TestApp {
  ctx: AppContext;
  app: FastifyInstance;
  catalogue: CatalogueEntry[];
  clock: ManualClock;
  db: TestStorage;
  system: Scope;
  close(): Promise<void>;
}

export async function createTestApp(dialect: DialectName, overrides: Partial<Config> = {}): Promise<TestApp> {
  const db = await createTestStorage(dialect);
  const clock = new ManualClock();
  const config = testConfig({ dataDir: db.dataDir, ...overrides });
  const ctx: AppContext = { config, storage: db.storage, clock, log: createLogger({ logLevel: 'silent' }) };
  const { app, catalogue } = await buildApp(ctx);
  return {
    ctx,
    app,
    catalogue,
    clock,
    db,
    system: { app: ctx, actor: { kind: 'anonymous' }, requestId: null },
    close: async () => {
      await app.close();
      await db.cleanup();
    },
  };
}

export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestUser {
  user: UserRow;
  totpSecret: string | null;
}

let counter = 0;
/** Create an account directly; with `totp: true` the second factor is enrolled already. */
export async function makeUser(t: TestApp, options: { username?: string; roles?: InstanceRole[]; totp?: boolean } = {}): Promise<TestUser> {
  counter += 1;
  const username = options.username ?? `user${counter}`;
  let user = await createAccount(t.system, { username, email: `${username}@example.org`, displayName: `User ${username}`, password: TEST_PASSWORD, roles: options.roles ?? [] });
  let totpSecret: string | null = null;
  if (options.totp ?? (options.roles?.length ?? 0) > 0) {
    totpSecret = newTotpSecret();
    user = await t.ctx.storage.db
      .updateTable('users')
      .set({ totp_secret: sealTotpSecret(t.ctx.storage, totpSecret), totp_enabled_at: t.clock.now().toISOString() })
      .where('id', '=', user.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  return { user, totpSecret };
}

/** A browser-like client: keeps cookies, finds CSRF tokens in pages, follows nothing automatically. */
let clientCounter = 0;

export class TestClient {
  readonly cookies = new Map<string, string>();
  lastCsrf: string | null = null;
  /** Each client is its own browser on its own address, so per-IP rate limits apply per client as in life. */
  readonly remoteAddress = `127.0.${Math.floor(++clientCounter / 250)}.${clientCounter % 250}`;

  constructor(private readonly t: TestApp) {}

  private cookieHeader(): string | undefined {
    if (!this.cookies.size) return undefined;
    // res.cookies holds decoded values; send them back encoded, as a browser returns what it was given.
    return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  }

  private absorb(res: LightMyRequestResponse): void {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const m = /name="(?:_csrf|csrf-token)" (?:value|content)="([^"]+)"/.exec(res.body);
    if (m) this.lastCsrf = m[1]!;
  }

  async request(
    method: string,
    url: string,
    options: { form?: Record<string, string | string[]>; json?: unknown; body?: { payload: Buffer; contentType: string }; headers?: Record<string, string>; accept?: string } = {},
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { accept: options.accept ?? 'text/html', ...(options.headers ?? {}) };
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    let payload: string | Buffer | undefined;
    if (options.body) {
      headers['content-type'] = options.body.contentType;
      payload = options.body.payload;
    } else if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const pairs = Object.entries(options.form).flatMap(([k, v]): [string, string][] => (Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v]]));
      payload = new URLSearchParams(pairs).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(options.json);
    }
    const res = await this.t.app.inject({ method: method as 'GET', url, headers, remoteAddress: this.remoteAddress, ...(payload !== undefined ? { payload } : {}) });
    this.absorb(res);
    return res;
  }

  get(url: string, accept?: string): Promise<LightMyRequestResponse> {
    return this.request('GET', url, accept ? { accept } : {});
  }

  /** POST a form with a fresh CSRF token taken from `tokenFrom` (a page with a form). */
  async post(url: string, form: Record<string, string | string[]>, tokenFrom = '/'): Promise<LightMyRequestResponse> {
    await this.get(tokenFrom);
    return this.request('POST', url, { form: { ...form, _csrf: this.lastCsrf ?? '' } });
  }

  /** JSON call with the session cookie and CSRF header (as the UI's scripts would). */
  async json(method: string, url: string, body?: unknown): Promise<LightMyRequestResponse> {
    await this.get('/');
    return this.request(method, url, { json: body, accept: 'application/json', headers: { 'x-csrf-token': this.lastCsrf ?? '' } });
  }

  async signIn(u: TestUser): Promise<void> {
    const res = await this.post('/login', { login: u.user.username, password: TEST_PASSWORD }, '/login');
    if (res.statusCode !== 303) throw new Error(`sign-in failed: ${res.statusCode} ${res.body.slice(0, 200)}`);
    if (u.totpSecret) {
      const res2 = await this.post('/login/totp', { code: await unusedTotpCode(this.t, u) }, '/login/totp');
      if (res2.statusCode !== 303) throw new Error(`totp failed: ${res2.statusCode}`);
    }
  }
}

/**
 * A code the account has not used yet: each TOTP step is accepted once (RFC 6238 §5.2), so a test that
 * signs one user in again in the same 30 s uses the next step (accepted for clock drift), and only when
 * that is spent too moves the test clock on by one step.
 */
export async function unusedTotpCode(t: TestApp, u: TestUser): Promise<string> {
  const row = await t.ctx.storage.db.selectFrom('users').select('totp_last_step').where('id', '=', u.user.id).executeTakeFirstOrThrow();
  const stepOf = (d: Date) => Math.floor(d.getTime() / 1000 / TOTP_PERIOD_S);
  const last = row.totp_last_step ?? -1;
  const now = t.clock.now();
  if (stepOf(now) > last) return currentTotp(u.totpSecret!, now);
  if (stepOf(now) + 1 > last) return currentTotp(u.totpSecret!, new Date(now.getTime() + TOTP_PERIOD_S * 1000));
  t.clock.advance((last - stepOf(now) + 1) * TOTP_PERIOD_S * 1000);
  return currentTotp(u.totpSecret!, t.clock.now());
}

export async function signedInClient(t: TestApp, u: TestUser): Promise<TestClient> {
  const c = new TestClient(t);
  await c.signIn(u);
  return c;
}
