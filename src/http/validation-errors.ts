// A route schema's validation failure (Fastify + Ajv) as the catalogue's validation_failed error, each
// problem named by its dotted field path, so JSON clients get a problem body and HTML forms a readable
// message beside the field (src/http/form-action.ts).
import type { FastifySchemaValidationError } from 'fastify';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';

interface ValidationFailure extends Error {
  validation?: FastifySchemaValidationError[];
}

function issueOf(v: FastifySchemaValidationError): FieldIssue {
  const params = (v.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] } | undefined) ?? {};
  const base = (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.');
  if (params.missingProperty) return { field: [base, params.missingProperty].filter(Boolean).join('.'), message: 'is required' };
  if (params.additionalProperty) return { field: [base, params.additionalProperty].filter(Boolean).join('.'), message: 'is not a known field' };
  // An enum (a choice in a form): say which values are allowed rather than Ajv's generic sentence.
  if (v.keyword === 'enum' && Array.isArray(params.allowedValues)) return { field: base || 'body', message: `must be one of: ${params.allowedValues.map(String).join(', ')}` };
  return { field: base || 'body', message: v.message ?? 'is invalid' };
}

/** The summary of a schema failure; the field problems say what to fix. */
export const SCHEMA_MISMATCH_MESSAGE = 'The request body does not match the schema.';

/** The catalogue error for a schema failure. */
export function schemaValidationError(error: ValidationFailure): AppError {
  return errors.validation((error.validation ?? []).map(issueOf), SCHEMA_MISMATCH_MESSAGE);
}

