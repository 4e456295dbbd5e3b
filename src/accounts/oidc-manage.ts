// Managing OpenID Connect links and the admin's claim → role rules (issue 19). Each change is audited in its
// own transaction. A rule never grants admin: the most powerful role stays granted by a person, on purpose.
import { change, type Scope } from '../context.js';
import { errors, IssueCollector } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import type { OidcIdentityRow, OidcRoleRuleRow } from './tables.js';

export const MAPPABLE_ROLES = ['vmt', 'security_core'] as const;
export type MappableRole = (typeof MAPPABLE_ROLES)[number];

export async function identitiesOf(db: Db, userId: number): Promise<OidcIdentityRow[]> {
  return db.selectFrom('oidc_identities').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}

/** Remove one of the user's own links, unless it is the last way left to sign in. */
export async function unlinkIdentity(scope: Scope, userId: number, identityId: number): Promise<OidcIdentityRow> {
  return change(scope, async ({ trx, audit }) => {
    const all = await identitiesOf(trx, userId);
    const identity = all.find((i) => i.id === identityId);
    if (!identity) throw errors.notFound('linked identity');
    const user = await trx.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirstOrThrow();
    const hasPassword = scope.app.config.passwordSignIn && user.password_hash !== '';
    if (all.length === 1 && !hasPassword) {
      throw errors.conflict(
        scope.app.config.passwordSignIn
          ? 'This is your only way to sign in: set a password first (sign out, then “Forgot your password?”), or link another provider.'
          : 'This is your only way to sign in: link another provider first.',
      );
    }
    await trx.deleteFrom('oidc_identities').where('id', '=', identity.id).execute();
    await audit('user.oidc_unlinked', 'user', userId, { provider: identity.provider, subject: identity.subject, email: identity.email });
    return identity;
  });
}

export interface RuleInput {
  provider: string;
  claim: string;
  value: string;
  role: string;
}

export async function addRoleRule(scope: Scope, input: RuleInput): Promise<OidcRoleRuleRow> {
  const issues = new IssueCollector();
  const provider = input.provider.trim();
  const claim = input.claim.trim();
  const value = input.value.trim();
  if (!scope.app.config.oidcProviders.some((p) => p.id === provider)) issues.add('provider', 'Choose one of the configured providers.');
  // Claims that identify or authenticate are not group memberships; a rule on them would be a per-person grant.
  if (!/^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/.test(claim) || ['sub', 'iss', 'aud', 'nonce', 'amr', 'acr', 'email_verified'].includes(claim)) {
    issues.add('claim', 'Use a claim name such as groups or roles (letters, digits, _ . : -), not sub, iss, aud, nonce, amr, acr or email_verified.');
  }
  if (!value || value.length > 200) issues.add('value', 'Give the value the claim must hold (1–200 characters), e.g. vmt.');
  if (input.role === 'admin') issues.add('role', 'Admin cannot be granted by a rule; an administrator grants it on the People page.');
  else if (!(MAPPABLE_ROLES as readonly string[]).includes(input.role)) issues.add('role', 'Choose vmt or security_core.');
  issues.throwIfAny();
  return change(scope, async ({ trx, now, audit }) => {
    const clash = await trx.selectFrom('oidc_role_rules').select('id').where('provider', '=', provider).where('claim', '=', claim).where('value', '=', value).where('role', '=', input.role as MappableRole).executeTakeFirst();
    if (clash) throw errors.validation([{ field: 'value', message: 'This rule exists already.' }]);
    const rule = await trx
      .insertInto('oidc_role_rules')
      .values({ provider, claim, value, role: input.role as MappableRole, created_by: scope.actor.kind === 'user' ? scope.actor.userId : null, created_at: now.toISOString() })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit('oidc.role_rule_added', 'oidc_role_rule', rule.id, undefined, { provider, claim, value, role: rule.role });
    return rule;
  });
}

export async function removeRoleRule(scope: Scope, ruleId: number): Promise<void> {
  await change(scope, async ({ trx, audit }) => {
    const rule = await trx.selectFrom('oidc_role_rules').selectAll().where('id', '=', ruleId).executeTakeFirst();
    if (!rule) throw errors.notFound('rule');
    await trx.deleteFrom('oidc_role_rules').where('id', '=', ruleId).execute();
    await audit('oidc.role_rule_removed', 'oidc_role_rule', rule.id, { provider: rule.provider, claim: rule.claim, value: rule.value, role: rule.role });
  });
}
