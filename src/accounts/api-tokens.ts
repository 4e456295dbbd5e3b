// Scoped API tokens for the JSON API (`Authorization: Bearer cdn_…`). Stored hashed; shown once.
import { apiScopes, type ApiScope } from '../access/actor.js';
import { change, type Scope } from '../context.js';
import { errors, IssueCollector } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import { randomToken, sha256Hex } from './secrets.js';

export const TOKEN_PREFIX = 'cdn_';

export async function createApiToken(
  scope: Scope,
  userId: number,
  input: { name: string; scopes: string[]; expiresInDays?: number | null },
): Promise<{ id: number; token: string }> {
  const issues = new IssueCollector();
  const name = (input.name ?? '').trim();
  if (!name || name.length > 80) issues.add('name', 'Give the token a name of 1–80 characters.');
  const scopes = [...new Set(input.scopes ?? [])];
  if (!scopes.length) issues.add('scopes', 'Choose at least one scope.');
  for (const s of scopes) if (!apiScopes.includes(s as ApiScope)) issues.add('scopes', `Unknown scope ${s}.`);
  const days = input.expiresInDays;
  if (days !== undefined && days !== null && (!Number.isInteger(days) || days < 1 || days > 366)) issues.add('expires_in_days', 'Use 1–366 days, or no expiry.');
  issues.throwIfAny();
  const token = TOKEN_PREFIX + randomToken(32);
  const id = await change(scope, async ({ trx, now, audit }) => {
    const row = await trx
      .insertInto('api_tokens')
      .values({
        user_id: userId,
        name,
        token_hash: sha256Hex(token),
        scopes: JSON.stringify(scopes),
        created_at: now.toISOString(),
        last_used_at: null,
        expires_at: days ? new Date(now.getTime() + days * 86_400_000).toISOString() : null,
        revoked_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit('api_token.created', 'user', userId, undefined, { token_id: row.id, name, scopes });
    return row.id;
  });
  return { id, token };
}

export async function revokeApiToken(scope: Scope, userId: number, tokenId: number): Promise<void> {
  await change(scope, async ({ trx, now, audit }) => {
    const r = await trx
      .updateTable('api_tokens')
      .set({ revoked_at: now.toISOString() })
      .where('id', '=', tokenId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw errors.notFound('token');
    await audit('api_token.revoked', 'user', userId, undefined, { token_id: tokenId });
  });
}

export async function findLiveToken(db: Db, now: Date, token: string): Promise<{ userId: number; scopes: ApiScope[]; id: number } | undefined> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return undefined;
  const row = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirst();
  if (!row || row.revoked_at || (row.expires_at && row.expires_at <= now.toISOString())) return undefined;
  if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() > 60_000) {
    await db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.id).execute();
  }
  return { userId: row.user_id, scopes: JSON.parse(row.scopes) as ApiScope[], id: row.id };
}

export async function listApiTokens(db: Db, userId: number) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'scopes', 'created_at', 'last_used_at', 'expires_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .execute();
}
