// The single sign-on API's documented shapes (OpenAPI, /api/openapi.json): what it takes and what it answers.
// The presenters in routes-oidc-api.ts are typed from the answer schemas, and oidc-api.test.ts checks real
// answers against them, so the description cannot drift from what is served.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { StringEnum } from '../http/schemas.js';
import { MAPPABLE_ROLES } from './oidc-manage.js';

const Nullable = <T extends TSchema>(t: T, description: string) => Type.Union([t, Type.Null()], { description });

/** Checked by the same command as the admin page (oidc-manage.ts addRoleRule), so its refusals name the field. */
export const RuleBody = Type.Object(
  {
    provider: Type.String({ maxLength: 100, description: 'the id of a configured provider (OIDC_PROVIDERS), as GET /api/v1/sign-in/providers lists them' }),
    claim: Type.String({ maxLength: 100, description: 'the ID token claim to look at, e.g. groups (not sub, iss, aud, nonce, amr, acr or email_verified)' }),
    value: Type.String({ maxLength: 300, description: 'the value the claim must be, or (a list claim) contain; 1–200 characters' }),
    role: Type.String({ maxLength: 40, description: 'vmt or security_core; admin is refused: it is never granted by a rule' }),
  },
  { additionalProperties: false },
);

export const RuleView = Type.Object({
  id: Type.Integer(),
  provider: Type.String({ description: 'the provider’s id' }),
  claim: Type.String(),
  value: Type.String(),
  role: StringEnum(MAPPABLE_ROLES),
  created_by: Nullable(Type.Integer(), 'the id of the user who added it; null when added by the system'),
  created_at: Type.String({ format: 'date-time' }),
});

export const ProviderView = Type.Object({
  id: Type.String({ description: 'the id in OIDC_PROVIDERS and in the redirect URI' }),
  name: Type.String({ description: 'the name on the “Sign in with …” button' }),
  issuer: Type.String({ description: 'the issuer URL (discovery at ISSUER/.well-known/openid-configuration)' }),
  redirect_uri: Type.String({ description: 'the redirect URI to register at the provider' }),
  allowed_email_domains: Type.Array(Type.String(), { description: 'empty: any domain the provider verifies' }),
  trust_mfa: Type.Boolean({ description: 'whether the provider’s amr/acr may stand in for the TOTP step' }),
  mfa_amr_values: Type.Array(Type.String(), { description: 'amr values trusted as multi-factor (when trust_mfa)' }),
  mfa_acr_values: Type.Array(Type.String(), { description: 'acr values trusted as multi-factor (when trust_mfa)' }),
});

export const RuleList = Type.Object({ rules: Type.Array(RuleView) }, { description: 'Every claim → role rule, by provider and claim.' });
export const RuleAdded = Type.Object(RuleView.properties, { description: 'The rule as added; it applies from the next sign-in through its provider.' });
export const RuleRemoved = Type.Null({ description: 'Removed. Roles it granted stay until an administrator removes them.' });
export const ProviderList = Type.Object({ providers: Type.Array(ProviderView) }, { description: 'The configured providers, in OIDC_PROVIDERS order; never a client secret.' });

export type RuleViewOut = Static<typeof RuleView>;
export type ProviderViewOut = Static<typeof ProviderView>;
