// The OpenAPI 3.1 description of the JSON API, generated from the registered routes and their schemas,
// so it cannot drift from what the server accepts.
import type { CatalogueEntry } from './route.js';

const audienceText: Record<string, string> = {
  public: 'Anyone.',
  user: 'Any signed-in user (session cookie + X-CSRF-Token header, or a bearer API token).',
};

export function openApiDocument(catalogue: CatalogueEntry[], title: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of catalogue.filter((r) => r.api)) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const params = (route.url.match(/:[A-Za-z0-9_]+/g) ?? []).map((p) => ({ name: p.slice(1), in: 'path', required: true, schema: { type: 'string' } }));
    const body = route.schema?.body;
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      summary: `${route.method} ${route.url}`,
      description: `Who may call it: ${audienceText[String(route.audience)] ?? `holders of the \`${String(route.audience)}\` permission; everyone else gets 404.`}`,
      ...(params.length ? { parameters: params } : {}),
      ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } } : {}),
      responses: {
        '200': { description: 'Success' },
        '400': { description: 'Validation failed: `{ error: { code, message, fields: [{ field, message }] } }`' },
        '401': { description: 'Not signed in' },
        '404': { description: 'Unknown, or not visible to the caller' },
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
