// Table shapes of OpenID Connect sign-in (joined into the one Database type in src/storage/tables.ts; migration 0025).
import type { Generated, Selectable } from 'kysely';

type Timestamp = string;

/** One provider identity (issuer `sub`) linked to one account. */
export interface OidcIdentitiesTable {
  id: Generated<number>;
  provider: string;
  subject: string;
  user_id: number;
  /** The verified email the provider asserted when the link was made (shown on the account page). */
  email: string;
  created_at: Timestamp;
  last_used_at: Timestamp;
}

export type OidcFlowStage = 'authorizing' | 'confirming';

/** A sign-in in progress: until the callback ('authorizing'), then while the owner confirms a link ('confirming'). */
export interface OidcFlowsTable {
  id: Generated<number>;
  provider: string;
  /** SHA-256 of the `state` sent to the provider. */
  state_hash: string;
  /** SHA-256 of the random value in the browser's flow cookie: only that browser can finish the flow. */
  browser_hash: string;
  stage: OidcFlowStage;
  nonce: string;
  code_verifier: string;
  next: string;
  /** While confirming: the account whose owner must confirm the link. */
  user_id: number | null;
  /** While confirming: the validated ID token claims (JSON). */
  claims_json: string | null;
  /** The invitation the sign-in started from (REGISTRATION=invite): it creates the account, once. */
  invite_id: number | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

/** An admin's rule: a claim of a provider's ID token that holds `value` grants `role` (never admin). */
export interface OidcRoleRulesTable {
  id: Generated<number>;
  provider: string;
  claim: string;
  value: string;
  role: 'vmt' | 'security_core';
  created_by: number | null;
  created_at: Timestamp;
}

export type OidcIdentityRow = Selectable<OidcIdentitiesTable>;
export type OidcFlowRow = Selectable<OidcFlowsTable>;
export type OidcRoleRuleRow = Selectable<OidcRoleRulesTable>;

export interface OidcTables {
  oidc_identities: OidcIdentitiesTable;
  oidc_flows: OidcFlowsTable;
  oidc_role_rules: OidcRoleRulesTable;
}
