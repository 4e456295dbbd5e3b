// Server-side sessions. The cookie holds a random id; the database holds only its hash, so sessions can be
// listed and revoked, and a stolen database holds no live cookies.
import type { Db } from '../storage/database.js';
import type { SessionsTable, UserRow } from '../storage/tables.js';
import type { Selectable } from 'kysely';
import { randomToken, sha256Hex } from './secrets.js';

export const SESSION_COOKIE = 'cordon_session';
export const SESSION_ABSOLUTE_MS = 7 * 24 * 3600_000;
export const SESSION_IDLE_MS = 24 * 3600_000;

export type SessionRow = Selectable<SessionsTable>;

export async function createSession(
  db: Db,
  now: Date,
  userId: number,
  meta: { ip: string | null; userAgent: string | null; mfaPassed: boolean; mfaVia?: 'totp' | 'provider' | null },
): Promise<{ token: string; idHash: string }> {
  const token = randomToken(32);
  const idHash = sha256Hex(token);
  await db
    .insertInto('sessions')
    .values({
      id_hash: idHash,
      user_id: userId,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + SESSION_ABSOLUTE_MS).toISOString(),
      revoked_at: null,
      mfa_passed: meta.mfaPassed ? 1 : 0,
      mfa_via: meta.mfaPassed ? (meta.mfaVia ?? 'totp') : null,
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return { token, idHash };
}

/** A live session and its user, or undefined when the cookie is unknown, revoked, expired or idle too long. */
export async function loadSession(db: Db, now: Date, token: string): Promise<{ session: SessionRow; user: UserRow } | undefined> {
  if (!token || token.length > 100) return undefined;
  const idHash = sha256Hex(token);
  const session = await db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
  if (!session || session.revoked_at) return undefined;
  const nowIso = now.toISOString();
  if (session.expires_at <= nowIso) return undefined;
  if (new Date(session.last_seen_at).getTime() + SESSION_IDLE_MS <= now.getTime()) return undefined;
  const user = await db.selectFrom('users').selectAll().where('id', '=', session.user_id).executeTakeFirst();
  if (!user || user.disabled_at) return undefined;
  // Touch at most once a minute to keep writes off the hot path.
  if (now.getTime() - new Date(session.last_seen_at).getTime() > 60_000) {
    await db.updateTable('sessions').set({ last_seen_at: nowIso }).where('id_hash', '=', idHash).execute();
  }
  return { session, user };
}

export async function revokeSession(db: Db, now: Date, idHash: string): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: now.toISOString() }).where('id_hash', '=', idHash).where('revoked_at', 'is', null).execute();
}

export async function listSessions(db: Db, userId: number, now: Date): Promise<SessionRow[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .orderBy('last_seen_at', 'desc')
    .execute();
}

/** Housekeeping: forgets sessions that expired before `cutoff` (an ISO time). */
export async function deleteSessionsExpiredBefore(db: Db, cutoff: string): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<', cutoff).execute();
}
