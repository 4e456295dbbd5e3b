// The single sign-on JSON API (admin scope, issue 19): the configured providers (never a secret) and the
// claim → role rules — list, add, remove — through the same commands, checks and audit events as /admin/sign-in.
import type { AppContext } from '../context.js';
import { route, type RouteDef } from '../http/route.js';
import { NoBody, Params } from '../http/schemas.js';
import { redirectUri } from './oidc.js';
import { roleRulesOf } from './oidc-identity.js';
import { addRoleRule, removeRoleRule } from './oidc-manage.js';
import { ProviderList, RuleAdded, RuleBody, RuleList, RuleRemoved, type ProviderViewOut, type RuleViewOut } from './oidc-api-schemas.js';
import type { OidcRoleRuleRow } from './tables.js';

function presentRule(r: OidcRoleRuleRow): RuleViewOut {
  return { id: r.id, provider: r.provider, claim: r.claim, value: r.value, role: r.role, created_by: r.created_by, created_at: r.created_at };
}

export function oidcApiRoutes(app: AppContext): RouteDef[] {
  return [
    route({
      method: 'GET',
      url: '/api/v1/sign-in/providers',
      audience: 'admin.read',
      schema: {
        summary: 'List the OpenID Connect providers',
        description: 'The providers configured by environment (OIDC_PROVIDERS, see docs/sign-in.md), each with the redirect URI to register and whether its MFA is trusted. Client secrets are never shown.',
        answers: { 200: ProviderList },
      },
      handler: async () => ({
        providers: app.config.oidcProviders.map(
          (p): ProviderViewOut => ({ id: p.id, name: p.name, issuer: p.issuer, redirect_uri: redirectUri(app, p), allowed_email_domains: p.allowedEmailDomains, trust_mfa: p.trustMfa, mfa_amr_values: p.mfaAmrValues, mfa_acr_values: p.mfaAcrValues }),
        ),
      }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/sign-in/rules',
      audience: 'admin.read',
      schema: { summary: 'List the claim → role rules', description: 'At each sign-in through its provider, a rule whose claim holds its value grants its role. Rules only grant; they never take a role away.', answers: { 200: RuleList } },
      handler: async () => ({ rules: (await roleRulesOf(app.storage.db)).map(presentRule) }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/sign-in/rules',
      audience: 'admin.write',
      schema: {
        summary: 'Add a claim → role rule',
        description:
          'Audited as `oidc.role_rule_added`. 400 `validation` names the field: an unknown provider, an identity claim (sub, iss, aud, nonce, amr, acr, email_verified), an empty value, ' +
          'a role other than vmt or security_core — `admin` is never granted by a rule — or a rule that exists already. Nothing is changed then.',
        body: RuleBody,
        answers: { 201: RuleAdded },
      },
      handler: async (req, reply, scope) => reply.code(201).send(presentRule(await addRoleRule(scope, req.body))),
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/sign-in/rules/:ruleId',
      audience: 'admin.write',
      schema: { summary: 'Remove a claim → role rule', description: 'Audited as `oidc.role_rule_removed`. Roles the rule granted stay until an administrator removes them (PUT /api/v1/users/{userId}/roles).', params: Params('ruleId'), body: NoBody, answers: { 204: RuleRemoved } },
      leak: { params: { ruleId: 'oidc_role_rule' } },
      handler: async (req, reply, scope) => {
        const id = Number(req.params.ruleId);
        await removeRoleRule(scope, Number.isSafeInteger(id) ? id : -1);
        return reply.code(204).send();
      },
    }),
  ];
}
