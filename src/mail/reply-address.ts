// Per-report reply addresses: security+r-TOKEN@domain. Replies are matched by this token, never by the
// subject. The token is an HMAC of the report id under an instance secret, so outgoing mail can name it
// again at any time while the database stores only its hash (a leaked table names no reply address).
import { createHash, createHmac } from 'node:crypto';
import type { Db, Storage } from '../storage/database.js';
import { instanceSecret } from '../storage/instance-secrets.js';

const TOKEN_SECRET = 'mail_reply_token';
const tokenPattern = /^r-([0-9a-f]{32})$/;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function replyTokenFor(storage: Storage, reportId: number): Promise<string> {
  const secret = await instanceSecret(storage, TOKEN_SECRET);
  return createHmac('sha256', secret).update(`report-reply:${reportId}`).digest('hex').slice(0, 32);
}

/** Makes sure the token's hash is on file (idempotent), and returns the token. */
export async function ensureReplyToken(storage: Storage, reportId: number, now: Date): Promise<string> {
  const token = await replyTokenFor(storage, reportId);
  await storage.db
    .insertInto('report_reply_tokens')
    .values({ report_id: reportId, token_hash: hashToken(token), created_at: now.toISOString() })
    .onConflict((oc) => oc.column('report_id').doNothing())
    .execute();
  return token;
}

/** The reply address for a token: the team address with a `+r-TOKEN` sub-address (RFC 5233). */
export function replyAddress(teamEmail: string, token: string): string {
  const at = teamEmail.lastIndexOf('@');
  return `${teamEmail.slice(0, at)}+r-${token}@${teamEmail.slice(at + 1)}`;
}

/** The token in a recipient address, if it is one of our reply addresses. */
export function tokenInAddress(teamEmail: string, address: string): string | null {
  const at = address.lastIndexOf('@');
  const teamAt = teamEmail.lastIndexOf('@');
  if (at < 0 || address.slice(at + 1).toLowerCase() !== teamEmail.slice(teamAt + 1).toLowerCase()) return null;
  const local = address.slice(0, at);
  const plus = local.indexOf('+');
  if (plus < 0 || local.slice(0, plus).toLowerCase() !== teamEmail.slice(0, teamAt).toLowerCase()) return null;
  return tokenPattern.exec(local.slice(plus + 1).toLowerCase())?.[1] ?? null;
}

/** Whether an address is the team address itself (case-insensitive). */
export function isTeamAddress(teamEmail: string, address: string): boolean {
  return address.trim().toLowerCase() === teamEmail.toLowerCase();
}

export async function reportIdForToken(db: Db, token: string): Promise<number | null> {
  const row = await db.selectFrom('report_reply_tokens').select('report_id').where('token_hash', '=', hashToken(token)).executeTakeFirst();
  return row?.report_id ?? null;
}
