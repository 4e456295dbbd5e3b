// Builds the Fastify application: security headers and CSP, cookies, CSRF, rate limits, the actor of each
// request, error rendering, and every domain's routes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import helmet from '@fastify/helmet';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import { randomUUID } from 'node:crypto';
import { anonymous } from '../access/actor.js';
import { buildUserActor } from '../access/load-actor.js';
import { findLiveToken } from '../accounts/api-tokens.js';
import { loadSession, SESSION_COOKIE } from '../accounts/sessions.js';
import { sha256Hex } from '../accounts/secrets.js';
import { findUserById } from '../accounts/users.js';
import type { AppContext } from '../context.js';
import { AppError, errors } from '../errors/catalogue.js';
import { storageFault, storageFaultError } from '../errors/storage-faults.js';
import { ping } from '../storage/database.js';
import { instanceSecret } from '../storage/instance-secrets.js';
import { Metrics, metricsRoutes } from './metrics.js';
import { dbRateLimitStore } from './limits.js';
import { defineRoutes, isApiPath, type CatalogueEntry } from './route.js';
import { csrfUserInfo, sendPage } from './render.js';
import { ErrorPage } from '../web/error-page.js';
import { registerAllRoutes } from './routes-index.js';
import { openApiDocument } from './openapi.js';
import { leadingCsrfToken, readLeadingCsrfField } from './multipart.js';
import { registerIdempotency } from './idempotency.js';
import { schemaValidationError } from './validation-errors.js';
import { Params } from './schemas.js';
import { wireDomains } from '../open-context.js';

const assetsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'web', 'assets');
const assets: Record<string, { type: string; body: Buffer }> = {
  'app.css': { type: 'text/css; charset=utf-8', body: readFileSync(path.join(assetsDir, 'app.css')) },
  'app.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(path.join(assetsDir, 'app.js')) },
};

export interface BuiltApp {
  app: FastifyInstance;
  catalogue: CatalogueEntry[];
  metrics: Metrics;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function buildApp(ctx: AppContext): Promise<BuiltApp> {
  const { config } = ctx;
  wireDomains();
  const secure = config.publicUrl.startsWith('https://');
  // Typed as the plain instance: handlers take FastifyInstance, and pino's Logger is wider than Fastify's.
  const app = Fastify({
    loggerInstance: ctx.log,
    // Fastify logs two lines per request; ours (below) logs one, and only when LOG_REQUESTS asks for it.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.maxBodyBytes,
    trustProxy: config.trustProxy,
    genReqId: () => randomUUID(),
    ajv: {
      // Unknown fields are an error, not silently dropped; no type coercion of JSON bodies.
      customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, useDefaults: true },
    },
  }) as unknown as FastifyInstance;
  const catalogue: CatalogueEntry[] = [];
  const metrics = new Metrics();

  app.addHook('onRoute', (opts) => {
    const methods = Array.isArray(opts.method) ? opts.method : [opts.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      catalogue.push({
        method,
        url: opts.url,
        audience: opts.config?.audience ?? 'public',
        leak: opts.config?.leak ?? {},
        api: isApiPath(opts.url),
        ...(opts.schema ? { schema: opts.schema } : {}),
      });
    }
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        ...(secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
  const cookieSecret = await instanceSecret(ctx.storage, 'cookie_signing_key');
  await app.register(cookie, { secret: cookieSecret });
  await app.register(formbody, { bodyLimit: config.maxBodyBytes });
  // Multipart forms (report attachments) are read inside their handlers with req.parts(); these limits bound them.
  await app.register(multipart, { limits: { fileSize: config.maxAttachmentBytes, files: config.maxAttachments, fields: 50, fieldSize: 100_000 } });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: secure ? '__Host-cordon_csrf' : 'cordon_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: false },
    getUserInfo: (req: FastifyRequest) => csrfUserInfo(req),
    csrfOpts: { hmacKey: await instanceSecret(ctx.storage, 'csrf_hmac_key') },
    getToken: (req: FastifyRequest) => {
      const body = req.body as Record<string, unknown> | undefined;
      const fromBody = body && typeof body === 'object' && typeof body._csrf === 'string' ? body._csrf : undefined;
      const header = req.headers['x-csrf-token'];
      // A multipart form sends its token as its first field, read by the hook below (multipart.ts); never in the URL.
      return fromBody ?? leadingCsrfToken(req) ?? (typeof header === 'string' ? header : undefined) ?? '';
    },
  });
  // Counted in the database, so every app node shares the limits (limits.ts).
  await app.register(rateLimit, { global: false, store: dbRateLimitStore(ctx.storage, ctx.clock) });

  app.decorateRequest('actor', null as unknown as typeof anonymous);
  app.decorateRequest('sessionHash', null);
  app.decorateRequest('pendingMfaUserId', null);

  // Who is asking: an API token, a session cookie, or nobody. Loaded fresh on every request.
  app.addHook('onRequest', async (req) => {
    req.actor = anonymous;
    const now = ctx.clock.now();
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const match = /^Bearer\s+(\S+)$/.exec(auth);
      const token = match ? await findLiveToken(ctx.storage.db, now, match[1]!) : undefined;
      const user = token ? await findUserById(ctx.storage.db, token.userId) : undefined;
      if (!token || !user || user.disabled_at) throw errors.unauthenticated();
      req.actor = await buildUserActor(ctx.storage.db, config, user, { kind: 'token', scopes: token.scopes });
      return;
    }
    const cookieValue = req.cookies[SESSION_COOKIE];
    if (!cookieValue) return;
    const loaded = await loadSession(ctx.storage.db, now, cookieValue);
    if (!loaded) return;
    req.sessionHash = sha256Hex(cookieValue);
    if (loaded.user.totp_enabled_at && !loaded.session.mfa_passed) {
      req.pendingMfaUserId = loaded.user.id;
      return;
    }
    req.actor = await buildUserActor(ctx.storage.db, config, loaded.user, { kind: 'session', mfaPassed: loaded.session.mfa_passed === 1, mfaVia: loaded.session.mfa_via });
  });

  // CSRF on every state-changing request made with cookies (DESIGN.md §5). Bearer-token calls carry no
  // ambient credentials, so they need no token. preValidation runs after the form body is parsed.
  app.addHook('preValidation', (req, reply, done) => {
    if (SAFE_METHODS.has(req.method) || req.headers.authorization !== undefined) return done();
    // Routes marked 'cookie-sessions-only' (the anonymous intake API) let through requests without a session
    // cookie: such a request acts as nobody, so a forged one gains nothing a direct call would not.
    if (req.routeOptions.config.csrf === 'cookie-sessions-only' && !req.cookies[SESSION_COOKIE]) return done();
    // A multipart body is still unread here: read its leading _csrf field first (multipart.ts).
    if (req.isMultipart()) {
      readLeadingCsrfField(req).then(() => app.csrfProtection(req, reply, done), done);
      return;
    }
    app.csrfProtection(req, reply, done);
  });

  // Idempotency-Key on the JSON API's POST and PATCH requests (idempotency.ts).
  registerIdempotency(app, ctx);

  app.addHook('onResponse', async (req, reply) => {
    metrics.observeRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    if (config.logRequests) req.log.info({ req, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime }, 'request');
  });

  app.setErrorHandler(async (error: FastifyError | AppError, req, reply) => toErrorResponse(ctx, error, req, reply));
  app.setNotFoundHandler(async (req, reply) => toErrorResponse(ctx, errors.notFound(), req, reply));

  app.get<{ Params: { file: string } }>('/assets/:file', { schema: { params: Params('file') }, config: { leak: { params: { file: 'public_asset' } } } }, async (req, reply) => {
    // Own keys only: "constructor" names no asset.
    const asset = Object.hasOwn(assets, req.params.file) ? assets[req.params.file] : undefined;
    if (!asset) throw errors.notFound();
    return reply.header('content-type', asset.type).header('cache-control', 'public, max-age=300').send(asset.body);
  });
  // For load balancers and monitors: 503 while the database cannot be reached, saying so.
  app.get('/healthz', async (req, reply) => {
    try {
      await ping(ctx.storage);
    } catch (error) {
      const fault = storageFault(error) ?? 'database_error';
      req.log.warn({ err: error, fault }, 'health check: database not usable');
      return reply.code(503).header('cache-control', 'no-store').header('retry-after', '5').send({ status: 'unavailable', database: ctx.storage.dialect, problem: fault });
    }
    return reply.send({ status: 'ok', database: ctx.storage.dialect });
  });
  defineRoutes(app, ctx, metricsRoutes(ctx, metrics));

  registerAllRoutes(app, ctx);
  app.get('/api/openapi.json', async () => openApiDocument(catalogue, config.instanceName));
  await app.ready();
  return { app, catalogue, metrics };
}

/** One error → one response: JSON for the API, an HTML page for the site. Unknown errors are logged, not shown. */
async function toErrorResponse(ctx: AppContext, error: FastifyError | AppError, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const appError = toAppError(error);
  if (appError.code === 'storage_full') req.log.error({ err: error, fault: appError.code }, 'request failed: storage full (free disk space; writes resume by themselves)');
  else if (appError.code === 'database_unavailable') req.log.warn({ err: error, fault: appError.code }, 'request failed: database unavailable');
  else if (appError.status >= 500 && appError.code !== 'server_busy') req.log.error({ err: error }, 'request failed');
  if (appError.retryAfterSeconds !== undefined) void reply.header('retry-after', String(appError.retryAfterSeconds));
  // A request that presented a bearer token gets 401 for a bad one (RFC 6750 §3.1), never a sign-in
  // redirect: a script would follow it to /login for ever.
  const bearer = req.headers.authorization !== undefined;
  if (appError.code === 'unauthenticated' && !isApiPath(req.url) && req.method === 'GET' && !bearer) {
    return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
  }
  if (appError.code === 'unauthenticated' && bearer) void reply.header('www-authenticate', 'Bearer error="invalid_token"');
  if (isApiPath(req.url) || !(req.headers.accept ?? '').includes('text/html')) {
    if (appError.code === 'unauthenticated' && !bearer) void reply.header('www-authenticate', 'Bearer');
    return reply.code(appError.status).header('cache-control', 'no-store').send(appError.toJSON());
  }
  return sendPage(ctx, req, reply, appError.status === 404 ? 'Not found' : 'Error', () => ErrorPage({ error: appError }), { status: appError.status });
}

export function toAppError(error: FastifyError | AppError | Error): AppError {
  if (error instanceof AppError) return error;
  const fe = error as FastifyError;
  if (fe.validation) return schemaValidationError(fe);
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.tooLarge();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.unsupportedMediaType('Send application/json or a form.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.badRequest('The body is not valid JSON.');
    case 'FST_CSRF_INVALID_TOKEN':
    case 'FST_CSRF_MISSING_SECRET':
      return errors.csrf();
  }
  if (fe.statusCode === 429) return errors.rateLimited();
  if (fe instanceof SyntaxError || fe.statusCode === 400) return errors.badRequest('The request could not be read: ' + fe.message.slice(0, 200));
  if (fe.statusCode && fe.statusCode < 500) return errors.badRequest(fe.message.slice(0, 200));
  return storageFaultError(error) ?? errors.internal();
}
