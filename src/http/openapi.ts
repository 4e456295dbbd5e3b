// The OpenAPI 3.1 description of the JSON API, generated from the registered routes and their schemas,
// so it cannot drift from what the server accepts.
import type { CatalogueEntry, RouteSchemas } from './route.js';

const audienceText: Record<string, string> = {
  public: 'Anyone.',
  user: 'Any signed-in user (session cookie + X-CSRF-Token header, or a bearer API token).',
};

// draft-ietf-httpapi-idempotency-key-header, as src/http/idempotency.ts implements it.
const IDEMPOTENCY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'A unique value (a UUID) per request. Sent again with the same request by the same caller within 24 h, the first answer (status and body) is replayed, marked `Idempotent-Replayed: true`, and nothing is created again. Only successful answers are kept.',
  schema: { type: 'string', minLength: 1, maxLength: 257 },
};
const IDEMPOTENCY_RESPONSES = {
  '409': { description: '`idempotency_key_in_use`: the first request with this Idempotency-Key is still being answered; retry after `Retry-After` seconds. (Other conflicts use `conflict`.)' },
  '422': { description: '`idempotency_key_reused`: this Idempotency-Key was used with a different request (another body or path).' },
};

/** What a route says about itself beyond its schema: `schema.description` (as fastify-swagger reads it). */
function routeNotes(route: CatalogueEntry): string {
  const description = docsOf(route).description;
  return typeof description === 'string' ? `\n\n${description}` : '';
}

function docsOf(route: CatalogueEntry): Pick<RouteSchemas, 'summary' | 'description' | 'answers'> {
  return (route.schema ?? {}) as RouteSchemas;
}

/** A path parameter's schema: the route's own (its pattern and limits) where it declares one. */
function paramSchema(route: CatalogueEntry, name: string): unknown {
  const declared = (route.schema?.params as { properties?: Record<string, unknown> } | undefined)?.properties?.[name];
  return declared ?? { type: 'string' };
}

/** The answers a route documents (`schema.answers`), each with its JSON schema. */
function documentedAnswers(route: CatalogueEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(docsOf(route).answers ?? {})) {
    const description = (schema as { description?: unknown }).description;
    // A 204 has no content (RFC 9110 §15.3.5).
    out[status] = { description: typeof description === 'string' ? description : 'Success', ...(status === '204' ? {} : { content: { 'application/json': { schema } } }) };
  }
  return out;
}

export function openApiDocument(catalogue: CatalogueEntry[], title: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of catalogue.filter((r) => r.api)) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const params: Record<string, unknown>[] = (route.url.match(/:[A-Za-z0-9_]+/g) ?? []).map((p) => ({ name: p.slice(1), in: 'path', required: true, schema: paramSchema(route, p.slice(1)) }));
    const idempotent = route.method === 'POST' || route.method === 'PATCH';
    if (idempotent) params.push(IDEMPOTENCY_PARAMETER);
    const body = route.schema?.body;
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      summary: docsOf(route).summary ?? `${route.method} ${route.url}`,
      description: `Who may call it: ${audienceText[String(route.audience)] ?? `holders of the \`${String(route.audience)}\` permission; everyone else gets 404.`}${routeNotes(route)}`,
      ...(params.length ? { parameters: params } : {}),
      ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } } : {}),
      responses: {
        ...(docsOf(route).answers ? {} : { '200': { description: 'Success' } }),
        ...documentedAnswers(route),
        '400': { description: 'Validation failed: `{ error: { code, message, fields: [{ field, message }] } }`' },
        '401': { description: 'Not signed in' },
        '404': { description: 'Unknown, or not visible to the caller' },
        ...(idempotent ? IDEMPOTENCY_RESPONSES : {}),
        '503': { description: '`database_unavailable`: the database is restarting or unreachable; nothing was changed. Retry after the `Retry-After` seconds.' },
        '507': { description: '`storage_full`: the server’s storage is full; nothing was changed. Reads keep working.' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: `${title} API`, version: '1' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token (cdn_…) from /account/tokens' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
