// What an OpenID Connect identity means for an account (issue 19): a linked `sub` signs in its account; an
// unlinked one with a verified email of an existing account is linked only after the owner proves they hold
// that account; otherwise an account is created when REGISTRATION allows it, with no roles. Roles come only
// from the admin's claim rules (never admin); the provider's amr/acr stands in for TOTP only when trusted.
import { change, type ChangeContext, type Scope } from '../context.js';
import type { OidcProviderConfig } from '../config/config.js';
import { errors } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import type { InstanceRole, UserRow } from '../storage/tables.js';
import type { OidcFlowRow, OidcIdentityRow, OidcRoleRuleRow } from './tables.js';
import { OIDC_FLOW_TTL_MS, type OidcClaims } from './oidc.js';
import { randomToken, sha256Hex } from './secrets.js';
import { createSession, revokeSession } from './sessions.js';
import { insertAccount, type PreparedAccount } from './users.js';
import { claimInvite, invitedRoles } from './invites.js';
import { USERNAME_RE, normaliseEmail } from './validation.js';

export type OidcOutcome =
  | { kind: 'signed_in'; user: UserRow; sessionToken: string; needsTotp: boolean }
  | { kind: 'confirm' };

export interface SignInMeta {
  ip: string | null;
  userAgent: string | null;
  previousSessionHash: string | null;
}

/** Whether the ID token asserts multi-factor authentication in a way this provider is trusted for. */
export function providerAssertsMfa(provider: OidcProviderConfig, claims: OidcClaims): boolean {
  if (!provider.trustMfa) return false;
  const amr = Array.isArray(claims.amr) ? claims.amr.filter((v): v is string => typeof v === 'string') : [];
  const acr = typeof claims.acr === 'string' ? claims.acr : null;
  return amr.some((v) => provider.mfaAmrValues.includes(v)) || (acr !== null && provider.mfaAcrValues.includes(acr));
}

/** The verified email of the claims, refused when unverified or outside the provider's allowed domains. */
export function verifiedEmail(provider: OidcProviderConfig, claims: OidcClaims): string {
  const email = typeof claims.email === 'string' ? normaliseEmail(claims.email) : '';
  // OIDC Core §5.1: email_verified must be exactly true; anything else is not a verified address.
  if (!email || claims.email_verified !== true) {
    throw errors.signInRefused(`${provider.name} did not confirm that your email address is verified, so it cannot be used to sign in here. Verify it at ${provider.name} and try again; nothing was changed.`);
  }
  const domain = email.slice(email.lastIndexOf('@') + 1);
  if (provider.allowedEmailDomains.length && !provider.allowedEmailDomains.includes(domain)) {
    throw errors.signInRefused(`Accounts with an address at ${domain} cannot sign in with ${provider.name} here (allowed: ${provider.allowedEmailDomains.join(', ')}). Nothing was changed.`);
  }
  return email;
}

export async function findIdentity(db: Db, provider: string, subject: string): Promise<OidcIdentityRow | undefined> {
  return db.selectFrom('oidc_identities').selectAll().where('provider', '=', provider).where('subject', '=', subject).executeTakeFirst();
}

/** After a validated callback: sign in, create, or park the flow for the owner's confirmation. */
export async function resolveIdentity(scope: Scope, provider: OidcProviderConfig, flow: OidcFlowRow, claims: OidcClaims, meta: SignInMeta): Promise<OidcOutcome> {
  const { app } = scope;
  const db = app.storage.db;
  const linked = await findIdentity(db, provider.id, claims.sub);
  if (linked) {
    const user = await db.selectFrom('users').selectAll().where('id', '=', linked.user_id).executeTakeFirstOrThrow();
    if (user.disabled_at) throw errors.signInRefused('This account is disabled. Nothing was changed; ask an administrator.');
    return change({ ...scope, actor: { kind: 'anonymous' } }, async (tools) => {
      await tools.trx.updateTable('oidc_identities').set({ last_used_at: tools.now.toISOString() }).where('id', '=', linked.id).execute();
      return { kind: 'signed_in' as const, ...(await startSession(tools, user, provider, claims, meta)) };
    });
  }
  const email = verifiedEmail(provider, claims);
  const owner = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  if (owner) {
    if (owner.disabled_at) throw errors.signInRefused('This account is disabled. Nothing was changed; ask an administrator.');
    // Not signed in: the owner must prove they hold the account first (routes-oidc.tsx, /auth/oidc/link).
    const now = app.clock.now();
    await db
      .insertInto('oidc_flows')
      .values({
        provider: provider.id,
        state_hash: sha256Hex(randomToken(32)),
        browser_hash: flow.browser_hash,
        stage: 'confirming',
        nonce: '',
        code_verifier: '',
        next: flow.next,
        user_id: owner.id,
        claims_json: JSON.stringify(claims),
        invite_id: null,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + OIDC_FLOW_TTL_MS).toISOString(),
      })
      .execute();
    return { kind: 'confirm' };
  }
  if (flow.invite_id !== null) return acceptInviteWith(scope, provider, flow.invite_id, claims, email, meta);
  const registration = app.config.registration;
  if (registration !== 'open') {
    throw errors.signInRefused(
      registration === 'invite'
        ? `No account here uses ${email}, and new accounts need an invitation: open the link in your invitation and choose “Sign in with ${provider.name}” there. Nothing was changed.`
        : `No account here uses ${email}, and this instance does not take new accounts. Nothing was changed.`,
    );
  }
  return change({ ...scope, actor: { kind: 'anonymous' } }, async (tools) => {
    const user = await insertAccount(scope, tools, await newAccount(tools.trx, claims, email, []), 'user.created_by_oidc');
    await linkIdentity(tools, user.id, provider, claims, email, 'created');
    return { kind: 'signed_in' as const, ...(await startSession(tools, user, provider, claims, meta)) };
  });
}

/** The account of an invitation (its email must be the verified one), with the roles the invitation carries. */
async function acceptInviteWith(scope: Scope, provider: OidcProviderConfig, inviteId: number, claims: OidcClaims, email: string, meta: SignInMeta): Promise<OidcOutcome> {
  const invite = await scope.app.storage.db.selectFrom('invites').selectAll().where('id', '=', inviteId).executeTakeFirst();
  if (!invite || invite.used_at || invite.expires_at <= scope.app.clock.now().toISOString()) throw errors.signInRefused('This invitation was used already or has expired. Nothing was changed; ask for a new one.');
  if (invite.email && invite.email !== email) throw errors.signInRefused(`This invitation is for ${invite.email}, but ${provider.name} says you are ${email}. Nothing was changed.`);
  return change({ ...scope, actor: { kind: 'anonymous' } }, async (tools) => {
    const user = await claimInvite(scope, tools, invite, await newAccount(tools.trx, claims, email, invitedRoles(invite)), 'user.invite_accepted');
    await linkIdentity(tools, user.id, provider, claims, email, 'created');
    return { kind: 'signed_in' as const, ...(await startSession(tools, user, provider, claims, meta)) };
  });
}

/** A new account's fields: no password ('' verifies nothing, secrets.ts; the owner may set one through "forgot password"). */
async function newAccount(db: Db, claims: OidcClaims, email: string, roles: InstanceRole[]): Promise<PreparedAccount> {
  const username = await freeUsername(db, claims, email);
  const displayName = (typeof claims.name === 'string' && claims.name.trim().slice(0, 100)) || username;
  return { username, email, displayName, passwordHash: '', timeZone: 'UTC', roles };
}

export async function linkIdentity(tools: ChangeContext, userId: number, provider: OidcProviderConfig, claims: OidcClaims, email: string, confirmedBy: 'created' | 'password' | 'session'): Promise<void> {
  const at = tools.now.toISOString();
  await tools.trx.insertInto('oidc_identities').values({ provider: provider.id, subject: claims.sub, user_id: userId, email, created_at: at, last_used_at: at }).execute();
  await tools.audit('user.oidc_linked', 'user', userId, undefined, { provider: provider.id, subject: claims.sub, email, confirmed_by: confirmedBy });
}

/**
 * The session of an OIDC sign-in, in the caller's change: the browser's old session revoked (fixation),
 * the admin's role rules applied, MFA satisfied by the provider when trusted and asserted, else the TOTP
 * step follows for an enrolled account (as after a password).
 */
export async function startSession(
  tools: ChangeContext,
  user: UserRow,
  provider: OidcProviderConfig,
  claims: OidcClaims,
  meta: SignInMeta,
  /** A TOTP code proven in this same step (the link confirmation). */
  proven: 'totp' | null = null,
): Promise<{ user: UserRow; sessionToken: string; needsTotp: boolean }> {
  const { trx, now, audit } = tools;
  if (meta.previousSessionHash) await revokeSession(trx, now, meta.previousSessionHash);
  await applyRoleRules(tools, user.id, provider, claims);
  const via = proven ?? (providerAssertsMfa(provider, claims) ? 'provider' : null);
  const needsTotp = via === null && user.totp_enabled_at !== null;
  const { token } = await createSession(trx, now, user.id, { ip: meta.ip, userAgent: meta.userAgent, mfaPassed: via !== null, mfaVia: via });
  await audit('user.signed_in', 'user', user.id, undefined, { via: 'oidc', provider: provider.id, second_factor: via ?? (needsTotp ? 'pending' : 'none') });
  return { user, sessionToken: token, needsTotp };
}

export async function roleRulesOf(db: Db, provider?: string): Promise<OidcRoleRuleRow[]> {
  let q = db.selectFrom('oidc_role_rules').selectAll();
  if (provider) q = q.where('provider', '=', provider);
  return q.orderBy('provider').orderBy('claim').orderBy('id').execute();
}

/** A claim holds `value` when it is that string, or a list containing it (e.g. `groups`). */
function claimHolds(claim: unknown, value: string): boolean {
  return claim === value || (Array.isArray(claim) && claim.includes(value));
}

/** Grant the roles whose rules match; only granted, never taken away here (an admin removes roles). */
async function applyRoleRules(tools: ChangeContext, userId: number, provider: OidcProviderConfig, claims: OidcClaims): Promise<void> {
  const rules = await roleRulesOf(tools.trx, provider.id);
  const held = new Set((await tools.trx.selectFrom('user_roles').select('role').where('user_id', '=', userId).execute()).map((r) => r.role));
  for (const rule of rules) {
    if (held.has(rule.role) || !claimHolds(claims[rule.claim], rule.value)) continue;
    await tools.trx.insertInto('user_roles').values({ user_id: userId, role: rule.role, granted_at: tools.now.toISOString(), granted_by: null }).execute();
    held.add(rule.role);
    await tools.audit('user.role_granted_by_rule', 'user', userId, undefined, { role: rule.role, rule: rule.id, provider: provider.id, claim: rule.claim, value: rule.value });
  }
}

/** A free username from preferred_username or the email's local part (suffixed -2, -3… when taken). */
async function freeUsername(db: Db, claims: OidcClaims, email: string): Promise<string> {
  const wanted = typeof claims.preferred_username === 'string' ? claims.preferred_username : email.slice(0, email.indexOf('@'));
  let base = wanted.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 32);
  if (!USERNAME_RE.test(base)) base = `user-${randomToken(4).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  for (let n = 1; n < 1000; n += 1) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    const taken = await db.selectFrom('users').select('id').where('username', '=', candidate).executeTakeFirst();
    if (!taken) return candidate;
  }
  throw errors.conflict('Could not find a free username; ask an administrator.');
}
