// Idempotency keys on the JSON API (issue 15, item 4; draft-ietf-httpapi-idempotency-key-header).
// A POST or PATCH under /api/ may carry `Idempotency-Key`. The first request with a key claims it with
// one insert on the table's primary key (hash of caller and key), so of two concurrent duplicates only
// one runs; the other answers 409 while the first is running. A successful answer (2xx) is kept 24 h
// and replayed, status and body, to the same caller sending the same key with the same request; the
// same key with another request answers 422. A failed answer frees the key, so a corrected retry works.
// The kept body is sealed with a key derived from the Idempotency-Key itself, which is not stored: a
// database dump does not reveal the answers (an intake's private link, a new API token).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { isApiPath } from './route.js';
import { openWithKey, sealWithKey } from './shown-once.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** How long an answer is kept for replay (the draft leaves it to the server; 24 h as is common). */
export const KEEP_MS = 24 * 3_600_000;
/** A claim whose request never finished (the node stopped) may be taken over after this long. */
const ABANDONED_MS = 5 * 60_000;
const METHODS = new Set(['POST', 'PATCH']);

interface Claim {
  idHash: string;
  sealKey: Buffer;
}

const claims = new WeakMap<FastifyRequest, Claim>();

/** The key as sent: an sf-string (draft §2.1, RFC 8941 §3.3.3) in quotes, or bare as many clients send it. */
function parseKey(raw: string | string[] | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const text = Array.isArray(raw) ? raw.join(',') : raw;
  const m = /^"([\x20-\x21\x23-\x5b\x5d-\x7e]{1,255})"$/.exec(text.trim()) ?? /^([\x21\x23-\x2b\x2d-\x7e]{1,255})$/.exec(text.trim());
  if (!m) throw errors.badRequest('The Idempotency-Key header must be one printable ASCII string of 1 to 255 characters, e.g. "4f6b1e0c-…" (a UUID).');
  return m[1]!;
}

/** Who is asking: a key is only ever replayed to the caller that sent it. */
function callerOf(req: FastifyRequest): string {
  return req.actor.kind === 'user' ? `user:${req.actor.userId}` : `anonymous:${req.ip}`;
}

function digest(...parts: string[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest();
}

function fingerprintOf(req: FastifyRequest): string {
  return digest(req.method, req.url, JSON.stringify(req.body ?? null)).toString('hex');
}

async function claimOrReplay(app: AppContext, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const key = parseKey(req.headers[IDEMPOTENCY_HEADER]);
  if (key === undefined) return undefined;
  const caller = callerOf(req);
  const idHash = digest('cordon idempotency id', caller, key).toString('hex');
  const sealKey = digest('cordon idempotency seal', caller, key);
  const fingerprint = fingerprintOf(req);
  const db = app.storage.db;
  const now = app.clock.now();
  const nowIso = now.toISOString();
  // Expired keys go with the next write: an indexed range delete, no periodic job needed.
  await db.deleteFrom('idempotency_keys').where('expires_at', '<=', nowIso).execute();
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ id_hash: idHash, fingerprint, status: null, content_type: null, sealed_body: null, started_at: nowIso, expires_at: new Date(now.getTime() + KEEP_MS).toISOString() })
    .onConflict((oc) => oc.column('id_hash').doNothing())
    .returning('id_hash')
    .executeTakeFirst();
  if (inserted) {
    claims.set(req, { idHash, sealKey });
    return undefined;
  }
  const row = await db.selectFrom('idempotency_keys').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
  if (!row) throw errors.idempotencyKeyInUse();
  if (row.fingerprint !== fingerprint) throw errors.idempotencyKeyReused();
  if (row.status === null) {
    // A request that never finished (its node stopped) leaves its claim: taken over once it is old enough.
    if (new Date(row.started_at).getTime() > now.getTime() - ABANDONED_MS) throw errors.idempotencyKeyInUse();
    const taken = await db
      .updateTable('idempotency_keys')
      .set({ started_at: nowIso })
      .where('id_hash', '=', idHash)
      .where('status', 'is', null)
      .where('started_at', '=', row.started_at)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) throw errors.idempotencyKeyInUse();
    claims.set(req, { idHash, sealKey });
    return undefined;
  }
  const body = row.sealed_body === null ? null : openWithKey(sealKey, idHash, row.sealed_body);
  if (body === null) throw errors.idempotencyKeyInUse();
  return reply
    .code(row.status)
    .header('content-type', row.content_type ?? 'application/json; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('idempotent-replayed', 'true')
    .send(body);
}

/** Keep a successful answer for replay; free the key after a failure. */
async function settle(app: AppContext, req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<void> {
  const claim = claims.get(req);
  if (!claim) return;
  claims.delete(req);
  const db = app.storage.db;
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
  if (reply.statusCode >= 200 && reply.statusCode < 300 && text !== null) {
    const type = reply.getHeader('content-type');
    await db
      .updateTable('idempotency_keys')
      .set({ status: reply.statusCode, content_type: typeof type === 'string' ? type : null, sealed_body: sealWithKey(claim.sealKey, claim.idHash, text) })
      .where('id_hash', '=', claim.idHash)
      .execute();
  } else {
    await db.deleteFrom('idempotency_keys').where('id_hash', '=', claim.idHash).where('status', 'is', null).execute();
  }
}

/** Hooks for every POST and PATCH of the JSON API: after authorization and validation, around the handler. */
export function registerIdempotency(fastify: FastifyInstance, app: AppContext): void {
  fastify.addHook('preHandler', async (req, reply) => {
    if (!METHODS.has(req.method) || !isApiPath(req.url)) return;
    const replayed = await claimOrReplay(app, req, reply);
    if (replayed) return replayed;
  });
  fastify.addHook('onSend', async (req, reply, payload) => {
    // The change is made: a failure to keep its answer must not turn it into an error for the client.
    await settle(app, req, reply, payload).catch((error: unknown) => req.log.error({ err: error }, 'could not keep the answer for its Idempotency-Key'));
    return payload;
  });
}
