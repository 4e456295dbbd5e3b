// The one rule for form errors (form-action.ts): which errors a form shows to its sender, and how, and
// which keep their status. Run through a real Fastify instance (inject) with the cookie plugin the flash uses.
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, ERROR_CODES, errors, isFormRefusal, type ErrorCode } from '../errors/catalogue.js';
import { formAction, formRefusal, refusalMessage } from './form-action.js';
import { FLASH_COOKIE } from './render.js';

describe('the form-refusal rule', () => {
  it('never shows an access refusal, a sign-in error, a stale form or a server fault as a form message', () => {
    for (const code of ERROR_CODES) {
      const status = new AppError(code, 'x').status;
      if (isFormRefusal(code)) {
        // DESIGN.md §5: a 404 must stay a 404, never become a message that confirms the object exists.
        expect([401, 404].includes(status) || status >= 500, `${code} (${status}) is a form refusal`).toBe(false);
        expect(status, code).toBeGreaterThanOrEqual(400);
      }
    }
    for (const code of ['not_found', 'unauthenticated', 'mfa_required', 'csrf_invalid', 'internal', 'database_unavailable', 'storage_full'] as ErrorCode[]) {
      expect(isFormRefusal(code), code).toBe(false);
    }
  });

  it('shows what the sender can fix or wait out', () => {
    for (const code of ['validation_failed', 'conflict', 'forbidden_action', 'precondition_failed', 'payload_too_large', 'rate_limited', 'account_locked'] as ErrorCode[]) {
      expect(formRefusal(new AppError(code, 'm')), code).not.toBeNull();
    }
    expect(formRefusal(new Error('plain'))).toBeNull();
    expect(formRefusal(errors.notFound('report'))).toBeNull();
  });

  it('says the message, then the field problems, never the generic summary or a problem twice', () => {
    expect(refusalMessage(errors.validation([{ field: 'a', message: 'A is wrong.' }, { field: 'b', message: 'B too.' }]))).toBe('A is wrong. B too.');
    expect(refusalMessage(errors.validation([{ field: 'a', message: 'A is wrong.' }], 'It cannot be published yet.'))).toBe('It cannot be published yet. A is wrong.');
    expect(refusalMessage(errors.field('title', 'Give a title.'))).toBe('Give a title.');
    expect(refusalMessage(errors.conflict('Someone else saved first.'))).toBe('Someone else saved first.');
  });
});

describe('formAction over HTTP', () => {
  let app: FastifyInstance;
  let runs = 0;
  const thrower = (code: string): (() => never) => {
    const byCode: Record<string, () => AppError> = {
      hidden: () => errors.notFound('report'),
      conflict: () => errors.conflict('Already done.'),
      field: () => errors.field('title', 'Give a title.'),
      locked: () => errors.secondFactorLocked(120),
    };
    return () => {
      throw byCode[code]!();
    };
  };

  beforeAll(async () => {
    app = Fastify();
    await app.register(cookie, { secret: 'form-action-test-secret-of-some-length' });
    await app.register(formbody);
    app.setErrorHandler(async (error: AppError, _req, reply) => reply.code(error.status ?? 500).send({ code: error.code }));
    const schema = { body: Type.Object({ state: Type.Unsafe<string>({ type: 'string', enum: ['open', 'closed'] }) }) };
    app.post('/flash/:what', { schema, attachValidation: true }, async (req, reply) =>
      formAction(req, reply, { back: '/back' }, async () => {
        runs++;
        thrower((req.params as { what: string }).what)();
        return { to: '/done', message: 'Done.' };
      }),
    );
    app.post('/again/:what', async (req, reply) =>
      formAction(req, reply, { back: '/back', again: (issues, error) => reply.code(error.status).send({ shown: issues }) }, async () => {
        thrower((req.params as { what: string }).what)();
        return { to: '/done', message: 'Done.' };
      }),
    );
    app.post('/ok', async (req, reply) => formAction(req, reply, { back: '/back' }, async () => ({ to: '/done', message: 'Done.' })));
    await app.ready();
  });
  afterAll(async () => app.close());

  const flashOf = (res: { cookies: { name: string; value: string }[] }) => {
    const raw = res.cookies.find((c) => c.name === FLASH_COOKIE)?.value;
    const unsigned = raw ? app.unsignCookie(raw) : null;
    return unsigned?.valid ? (JSON.parse(unsigned.value) as { kind: string; message: string }) : null;
  };
  const post = (url: string, form: Record<string, string> = { state: 'open' }) =>
    app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() });

  it('a success is a 303 with a success flash', async () => {
    const res = await post('/ok');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/done');
    expect(flashOf(res)).toEqual({ kind: 'success', message: 'Done.' });
  });

  it('a 404 stays a 404: no flash, no redirect', async () => {
    const res = await post('/flash/hidden');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ code: 'not_found' });
    expect(flashOf(res)).toBeNull();
  });

  it('a refusal is flashed on the page the form is on', async () => {
    const res = await post('/flash/conflict');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/back');
    expect(flashOf(res)).toEqual({ kind: 'error', message: 'Already done.' });
  });

  it('a form value the schema refuses is refused the same way, before the command runs', async () => {
    const before = runs;
    const res = await post('/flash/conflict', { state: 'reopened' });
    expect(res.statusCode).toBe(303);
    expect(flashOf(res)).toEqual({ kind: 'error', message: 'must be one of: open, closed' });
    expect(runs).toBe(before);
  });

  it('with a form page, a refusal shows it again with the issues and the error’s own status', async () => {
    const field = await post('/again/field');
    expect(field.statusCode).toBe(400);
    expect(field.json()).toEqual({ shown: [{ field: 'title', message: 'Give a title.' }] });
    const conflict = await post('/again/conflict');
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toEqual({ shown: [{ field: 'form', message: 'Already done.' }] });
    const locked = await post('/again/locked');
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('120');
    expect((await post('/again/hidden')).statusCode).toBe(404);
  });
});
