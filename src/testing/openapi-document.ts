// The OpenAPI document (/api/openapi.json) as tests read it, and the check that a real answer validates against
// the schema the document publishes for its route and status (JSON Schema 2020-12, as OpenAPI 3.1).
import { expect } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { TestApp } from './harness.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

export interface OpenApiOperation {
  summary: string;
  description: string;
  parameters?: { name: string; in: string; schema: Record<string, unknown> }[];
  requestBody?: { content: { 'application/json': { schema: Record<string, unknown> } } };
  responses: Record<string, { description: string; content?: { 'application/json': { schema: Record<string, unknown> } } }>;
}
export type OpenApiDocument = { paths: Record<string, Record<string, OpenApiOperation>> };

export async function openApiDocument(t: TestApp): Promise<OpenApiDocument> {
  return (await t.app.inject({ url: '/api/openapi.json' })).json<OpenApiDocument>();
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);

/** The answer validates against the schema the document gives for this route and status. */
export function expectConforms(doc: OpenApiDocument, method: string, path: string, status: number, body: unknown): void {
  const validate = ajv.compile(doc.paths[path]![method]!.responses[String(status)]!.content!['application/json'].schema);
  expect(validate(body), `${method} ${path}: ${ajv.errorsText(validate.errors)}`).toBe(true);
}
