// The one API-token scope check (issue 16): what each scope allows, and that sessions are not limited.
import { describe, expect, it } from 'vitest';
import { anonymous, apiScopes, tokenAllows, type ApiScope, type UserActor } from './actor.js';

function user(scopes: ApiScope[] | null): UserActor {
  const none = new Set<never>();
  return {
    kind: 'user', userId: 1, username: 'u', displayName: 'U', email: 'u@example.org', timeZone: 'UTC',
    heldRoles: none, roles: none, projectRoles: new Map(), via: scopes ? 'token' : 'session',
    scopes: scopes ? new Set(scopes) : null, mfaEnrolled: false, mfaPassed: false, mfaPendingRoles: none,
  };
}

describe('tokenAllows', () => {
  it('admin covers everything, write covers read, read only reads', () => {
    const table = apiScopes.map((held) => apiScopes.map((needed) => tokenAllows(user([held]), needed)));
    // rows: held read / write / admin; columns: needed read / write / admin
    expect(table).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
    expect(apiScopes.map((needed) => tokenAllows(user([]), needed))).toEqual([false, false, false]);
  });

  it('does not limit sessions or the anonymous (their roles do)', () => {
    for (const needed of apiScopes) {
      expect(tokenAllows(user(null), needed)).toBe(true);
      expect(tokenAllows(anonymous, needed)).toBe(true);
    }
  });
});
