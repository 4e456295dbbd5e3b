// Test helpers for the intake and reporter-view suites: a team and projects, a real multipart body as a
// browser sends it, and counts of everything an intake may store.
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { buildUserActor } from '../../access/load-actor.js';
import type { Scope } from '../../context.js';
import { createProject } from '../../projects/projects.js';
import { makeUser, type TestApp, type TestClient, type TestUser } from '../../testing/harness.js';

export interface FilePart {
  name?: string;
  filename: string;
  content: Buffer;
  type?: string;
}

/** A multipart/form-data body (RFC 7578), fields first and files last, as browsers send the intake form. */
export function multipartBody(fields: [string, string][], files: FilePart[]): { payload: Buffer; contentType: string } {
  const boundary = `----cordontest${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of fields) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const f of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.name ?? 'attachments'}"; filename="${f.filename}"\r\nContent-Type: ${f.type ?? 'application/octet-stream'}\r\n\r\n`));
    chunks.push(f.content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * POST a multipart form with the client's cookies. The CSRF token goes first in the body, as the form's
 * leading hidden field sends it; `csrf: null` leaves it out, a string sends that instead of a fresh one.
 */
export async function postMultipart(
  t: TestApp,
  c: TestClient,
  url: string,
  fields: [string, string][],
  files: FilePart[] = [],
  options: { csrf?: string | null; tokenFrom?: string } = {},
): Promise<LightMyRequestResponse> {
  await c.get(options.tokenFrom ?? '/report');
  const token = options.csrf === undefined ? (c.lastCsrf ?? '') : options.csrf;
  const body = multipartBody(token === null ? fields : [['_csrf', token], ...fields], files);
  return c.request('POST', url, { body });
}

/** Everything an intake may write: a refused submission must leave every count unchanged. */
export async function storedCounts(t: TestApp): Promise<{ reports: number; attachments: number; jobs: number; events: number }> {
  const db = t.ctx.storage.db;
  const count = async (table: 'reports' | 'report_attachments' | 'jobs' | 'report_events') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { reports: await count('reports'), attachments: await count('report_attachments'), jobs: await count('jobs'), events: await count('report_events') };
}

/** The actor a signed-in user (second factor passed) gets, fresh from the database. */
export async function scopeOf(t: TestApp, u: TestUser): Promise<Scope> {
  const user = await t.ctx.storage.db.selectFrom('users').selectAll().where('id', '=', u.user.id).executeTakeFirstOrThrow();
  const actor = await buildUserActor(t.ctx.storage.db, t.ctx.config, user, { kind: 'session', mfaPassed: true });
  return { app: t.ctx, actor, requestId: `test-${u.user.username}` };
}

/** Projects: Nova and Glance (overseen), Horizon Extras (self-managed, with its own contact); one VMT member. */
export async function setUpIntake(t: TestApp): Promise<{ vmt: TestUser; vmtScope: Scope }> {
  await createProject(t.system, { slug: 'nova', name: 'Nova' });
  await createProject(t.system, { slug: 'glance', name: 'Glance' });
  await createProject(t.system, { slug: 'horizon-extras', name: 'Horizon Extras', vmtOversees: false, securityContact: 'security@horizon-extras.example' });
  const vmt = await makeUser(t, { roles: ['vmt'] });
  return { vmt, vmtScope: await scopeOf(t, vmt) };
}

export const GOOD_FIELDS: Record<string, string | string[]> = {
  title: 'Token leak in the image upload API',
  description: 'Uploading an image with a **crafted** name returns the service token.',
  projects: ['nova'],
  affected_versions: '<=29.0.1',
  reproduction: '1. upload\n2. read the response',
  disclosure_terms: 'I will publish on 2026-03-01.',
  credit_name: 'Ada Finder',
  credit_affiliation: 'Example Labs',
  email: 'ada@example.net',
  pgp_key: '',
};

/** Form fields as multipart pairs (repeated names for lists). */
export function pairs(fields: Record<string, string | string[]>): [string, string][] {
  return Object.entries(fields).flatMap(([k, v]): [string, string][] => (Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v]]));
}
