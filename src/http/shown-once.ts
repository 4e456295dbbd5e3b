// Post/redirect/get for forms whose answer holds something shown only once (issue 15, item 4): a
// reporter's private link, a new API token, recovery codes. The POST answers 303; the secret waits for
// the GET after it in a short-lived server-side row, sealed (AES-256-GCM) with a random key that only
// a cookie holds. The cookie is HttpOnly, SameSite=Lax and sent only to that GET page's path, so the
// secret is never in a URL, a Referer header or a request log, and the row alone opens nothing.
// The GET takes the row with one DELETE … RETURNING, so it is shown exactly once: a reload, a second
// tab or a replayed cookie finds nothing and the page says it was already shown.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';

/** How long the secret waits for its GET: the redirect follows at once, so minutes are plenty. */
const WAIT_MS = 10 * 60_000;

/** What waits, by purpose; each purpose has its own cookie, so two forms in two tabs do not clash. */
export type ShownOncePurpose = 'report_received' | 'api_token' | 'recovery_codes' | 'webhook_secret';

function cookieName(purpose: ShownOncePurpose): string {
  return `cordon_once_${purpose}`;
}

/** AES-256-GCM under `key`, with `aad` bound in: a value opens only for the purpose it was sealed for. */
export function sealWithKey(key: Buffer, aad: string, text: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  return Buffer.concat([iv, cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64url');
}

/** Opens what sealWithKey sealed; null for a wrong key, purpose or a tampered value. */
export function openWithKey(key: Buffer, aad: string, sealed: string): string | null {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

function idHash(key: Buffer): string {
  return createHash('sha256').update('cordon shown-once\0').update(key).digest('hex');
}

/**
 * Keep `payload` for the one GET of `pagePath` that follows this answer's redirect. Call before
 * `reply.redirect(pagePath, 303)`.
 */
export async function keepForOneView(app: AppContext, reply: FastifyReply, purpose: ShownOncePurpose, pagePath: string, payload: unknown): Promise<void> {
  const key = randomBytes(32);
  const now = app.clock.now();
  const db = app.storage.db;
  // Unclaimed rows (the browser never came back) go with the next write: an indexed range delete.
  await db.deleteFrom('shown_once').where('expires_at', '<=', now.toISOString()).execute();
  await db
    .insertInto('shown_once')
    .values({ id_hash: idHash(key), purpose, sealed: sealWithKey(key, purpose, JSON.stringify(payload)), expires_at: new Date(now.getTime() + WAIT_MS).toISOString() })
    .execute();
  void reply.setCookie(cookieName(purpose), key.toString('base64url'), {
    path: pagePath,
    httpOnly: true,
    sameSite: 'lax',
    secure: app.config.publicUrl.startsWith('https://'),
    maxAge: WAIT_MS / 1000,
  });
}

/** The payload kept for this page, once; null when there is none (never kept, already shown or expired). */
export async function takeForOneView<T>(app: AppContext, req: FastifyRequest, reply: FastifyReply, purpose: ShownOncePurpose, pagePath: string): Promise<T | null> {
  const raw = req.cookies[cookieName(purpose)];
  if (!raw) return null;
  void reply.clearCookie(cookieName(purpose), { path: pagePath });
  const key = Buffer.from(raw, 'base64url');
  if (key.length !== 32) return null;
  const row = await app.storage.db
    .deleteFrom('shown_once')
    .where('id_hash', '=', idHash(key))
    .where('purpose', '=', purpose)
    .where('expires_at', '>', app.clock.now().toISOString())
    .returning('sealed')
    .executeTakeFirst();
  const text = row ? openWithKey(key, purpose, row.sealed) : null;
  return text === null ? null : (JSON.parse(text) as T);
}
