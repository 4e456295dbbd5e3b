// Route definitions by audience. A handler declares who it is for; the wrapper enforces it before the
// handler runs, so a handler for signed-in users always receives a UserActor (the type says so), and an
// admin handler cannot run for anyone else. Every route also declares what private objects its URL
// parameters name, so the leak-matrix tests can probe every route (DESIGN.md §5).
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify';
import type { Static, TSchema } from '@sinclair/typebox';
import type { Actor, UserActor } from '../access/actor.js';
import { can, type Permission } from '../access/policy.js';
import type { AppContext, Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';

/** What a URL parameter names: a private object kind (probed by the leak matrix) or a one-time secret link. */
export type ParamKind = 'user' | 'project' | 'stakeholder_org' | 'api_token' | 'job' | 'secret_link' | (string & {});

export interface LeakSpec {
  /** URL parameter name → the kind of object it identifies. */
  params?: Record<string, ParamKind>;
}

/** 'public', any signed-in 'user', or a policy permission the actor must hold. */
export type Audience = 'public' | 'user' | Permission;

/**
 * The TypeBox schemas of what a route takes (issue 16, item 7): Fastify validates each before the handler
 * runs, and the handler's request is typed from them, so nothing is cast.
 */
export interface RouteSchemas extends FastifySchema {
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  /** For the OpenAPI document only (src/http/openapi.ts), like fastify-swagger's keys; Fastify ignores them. */
  summary?: string;
  description?: string;
  /**
   * What the route answers, by status, for the OpenAPI document only: Fastify does not serialize with
   * these (a `response` schema would silently drop fields that drift), so tests check real answers against them.
   */
  answers?: Record<number, TSchema>;
}

type StaticOf<T> = T extends TSchema ? Static<T> : unknown;

/** A request whose params, query and body have the types their schemas declare. */
export type TypedRequest<S extends RouteSchemas = RouteSchemas> = FastifyRequest<{
  Params: StaticOf<S['params']>;
  Querystring: StaticOf<S['querystring']>;
  Body: StaticOf<S['body']>;
}>;

interface BaseRoute<S extends RouteSchemas> {
  method: HTTPMethods;
  url: string;
  schema?: S;
  /**
   * An HTML form handled by formAction (form-action.ts): a body its schema refuses reaches the handler as
   * req.validationError, so the handler loads and authorizes first and the refusal is shown on the form.
   */
  form?: true;
  leak?: LeakSpec;
  /**
   * Object-level check run before the body is validated (e.g. "may this actor read report :ref?"), so a
   * hidden object answers 404 whatever the body holds.
   */
  authorize?(req: TypedRequest<S>, scope: Scope): Promise<unknown>;
  /** A hook run once the headers are in, before the body is read (intake's size and concurrency limits). */
  onRequest?: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** A hook run before the response is written (intake gives back what its onRequest took). */
  onSend?: (req: FastifyRequest, reply: FastifyReply, payload: unknown) => Promise<unknown>;
  /** Per-route rate limit (requests per minute per IP). */
  rateLimitPerMinute?: number;
  bodyLimit?: number;
  /**
   * CSRF policy (default 'always': every state-changing request without a bearer token needs a token).
   * 'cookie-sessions-only': requests that carry no session cookie need none, as they carry no ambient
   * authority; for public endpoints that scripts call anonymously (report intake).
   */
  csrf?: CsrfPolicy;
}

export type CsrfPolicy = 'always' | 'cookie-sessions-only';

export interface PublicRoute<S extends RouteSchemas = RouteSchemas> extends BaseRoute<S> {
  audience: 'public';
  handler(req: TypedRequest<S>, reply: FastifyReply, scope: Scope & { actor: Actor }): Promise<unknown>;
}

export interface UserRoute<S extends RouteSchemas = RouteSchemas> extends BaseRoute<S> {
  audience: 'user' | Permission;
  handler(req: TypedRequest<S>, reply: FastifyReply, scope: Scope & { actor: UserActor }): Promise<unknown>;
}

// A list of routes holds each route's own schema types: handlers are methods (checked bivariantly), so each
// route's definition is checked against its own schemas where it is written, with route() below.
export type RouteDef = PublicRoute | UserRoute;

/** Defines one route with its request typed from its schemas (so `req.params.ref` needs no cast). */
export function route<S extends RouteSchemas>(def: PublicRoute<S> | UserRoute<S>): RouteDef {
  return def;
}

export interface CatalogueEntry {
  method: string;
  url: string;
  audience: Audience;
  leak: LeakSpec;
  api: boolean;
  schema?: FastifySchema;
}

export function isApiPath(url: string): boolean {
  return url.startsWith('/api/');
}

export function defineRoutes(app: FastifyInstance, ctx: AppContext, routes: RouteDef[]): void {
  for (const def of routes) {
    app.route({
      method: def.method,
      url: def.url,
      ...(def.schema ? { schema: def.schema } : {}),
      ...(def.form ? { attachValidation: true } : {}),
      ...(def.bodyLimit ? { bodyLimit: def.bodyLimit } : {}),
      ...(def.onRequest ? { onRequest: def.onRequest } : {}),
      ...(def.onSend ? { onSend: def.onSend } : {}),
      config: {
        leak: def.leak ?? {},
        audience: def.audience,
        ...(def.csrf ? { csrf: def.csrf } : {}),
        ...(def.rateLimitPerMinute ? { rateLimit: { max: def.rateLimitPerMinute, timeWindow: '1 minute' } } : {}),
      },
      // Who may call the route is settled before the body is validated, so a caller who may not use it
      // learns nothing from validation errors either (404 for hidden things, sign-in for anonymous).
      preValidation: async (req) => {
        if (def.audience !== 'public') {
          if (req.actor.kind !== 'user') throw errors.unauthenticated();
          if (def.audience !== 'user' && !can(req.actor, def.audience)) throw errors.notFound();
        }
        if (def.authorize) await def.authorize(req, { app: ctx, actor: req.actor, requestId: req.id });
      },
      handler: async (rawReq, reply) => {
        const req = rawReq as TypedRequest;
        const actor = req.actor;
        const scope = { app: ctx, actor, requestId: req.id };
        if (def.audience === 'public') return def.handler(req, reply, scope);
        if (actor.kind !== 'user') throw errors.unauthenticated();
        if (def.audience !== 'user' && !can(actor, def.audience)) throw errors.notFound();
        return def.handler(req, reply, { ...scope, actor });
      },
    });
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    /** sha256 of the session cookie when a session is present (also for a session waiting for its TOTP step). */
    sessionHash: string | null;
    /** A signed-in session still waiting for its second factor. */
    pendingMfaUserId: number | null;
  }
  interface FastifyContextConfig {
    leak?: LeakSpec;
    audience?: Audience;
    csrf?: CsrfPolicy;
  }
}
