// Reading urlencoded form bodies (JSON bodies are validated by route schemas instead).
import type { FastifyRequest } from 'fastify';

export type FormBody = Record<string, string | string[] | undefined>;

export function formBody(req: FastifyRequest): FormBody {
  const body = req.body;
  return body && typeof body === 'object' ? (body as FormBody) : {};
}

export function str(form: FormBody, name: string): string {
  const v = form[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

export function list(form: FormBody, name: string): string[] {
  const v = form[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function lines(form: FormBody, name: string): string[] {
  return str(form, name)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** The values to put back into a form after a rejected submission (never passwords). */
export function keepValues(form: FormBody): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(form)) if (!/password|_csrf|code/i.test(k)) out[k] = v;
  return out;
}
