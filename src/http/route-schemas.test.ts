// Every route that takes input declares a schema for it (issue 16, item 7), walked over the registered
// routes so a new route is covered when it is added: a POST/PUT/PATCH/DELETE needs a body schema, a URL with
// :params a params schema. Fastify validates both before the handler runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/harness.js';
import type { CatalogueEntry } from './route.js';

/**
 * Routes whose input is checked elsewhere, with why. Multipart uploads: the body is a stream read part by
 * part with its own limits and per-field checks (intake-multipart.ts, patches/upload-form.ts); JSON schema
 * cannot describe it before it is read.
 */
const EXCEPTIONS: Record<string, string> = {
  'POST /report': 'multipart: read by readReportForm with per-field limits (intake-multipart.ts)',
  'POST /reports/:ref/attachments': 'multipart: read by readReportForm',
  'POST /r/:token/attachments': 'multipart: read by readReportForm',
  'POST /reports/:ref/patches': 'multipart or form: read by readPatchForm (patches/upload-form.ts)',
  'POST /reports/:ref/patches/:patchId/versions': 'multipart or form: read by readPatchForm',
  'POST /logout': 'takes nothing but the CSRF token',
};

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function missingSchemas(route: CatalogueEntry): string[] {
  const missing: string[] = [];
  if (WRITES.has(route.method) && !route.schema?.body) missing.push('body');
  if (/:[A-Za-z]/.test(route.url) && !route.schema?.params) missing.push('params');
  return missing;
}

describe('route schemas', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(async () => t.close());

  it('every route that takes input declares a schema for it, but for the explained exceptions', () => {
    const lacking = t.catalogue
      .map((r) => ({ key: `${r.method} ${r.url}`, missing: missingSchemas(r) }))
      .filter((r) => r.missing.length && !(r.key in EXCEPTIONS))
      .map((r) => `${r.key} (no ${r.missing.join(', ')} schema)`);
    expect(lacking).toEqual([]);
  });

  it('lists no exception that is not needed', () => {
    const keys = new Set(t.catalogue.filter((r) => missingSchemas(r).length).map((r) => `${r.method} ${r.url}`));
    expect(Object.keys(EXCEPTIONS).filter((k) => !keys.has(k))).toEqual([]);
  });
});
