// The single sign-on API (issue 19) through the HTTP stack on both databases: who may call it (admins, by
// session or by a token with the admin scope; everyone else 404, the anonymous 401), the page's checks and
// audit events on the rules, refusals that change nothing, providers without their secrets, and the
// OpenAPI document: each route described, and real answers valid against the schemas it publishes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OidcProviderConfig } from '../config/config.js';
import { testDialects } from '../testing/databases.js';
import { expectConforms, openApiDocument, type OpenApiDocument } from '../testing/openapi-document.js';
import { createTestApp, makeUser, signedInClient, type TestApp, type TestUser } from '../testing/harness.js';
import { createApiToken } from './api-tokens.js';

const corp: OidcProviderConfig = { id: 'corp', issuer: 'http://127.0.0.1:9', clientId: 'cordon', clientSecret: 'corp-secret-never-shown', name: 'Corp SSO', allowedEmailDomains: ['example.org'], trustMfa: false, mfaAmrValues: ['mfa'], mfaAcrValues: [] };
const dex: OidcProviderConfig = { id: 'dex', issuer: 'http://127.0.0.1:9/dex', clientId: 'c2', clientSecret: 'dex-secret-never-shown', name: 'Dex', allowedEmailDomains: [], trustMfa: true, mfaAmrValues: ['mfa'], mfaAcrValues: ['gold'] };

const ROUTES = [
  ['get', '/api/v1/sign-in/providers', '200', 'admin.read'],
  ['get', '/api/v1/sign-in/rules', '200', 'admin.read'],
  ['post', '/api/v1/sign-in/rules', '201', 'admin.write'],
  ['delete', '/api/v1/sign-in/rules/{ruleId}', '204', 'admin.write'],
] as const;

describe.each(testDialects())('the single sign-on API on %s', (dialect) => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let adminToken = '';
  let writeToken = '';
  let adminId = 0;
  let adminUser: TestUser;

  const call = async (token: string | null, method: string, url: string, payload?: unknown) => {
    const res = await t.app.inject({ method: method as 'GET', url, headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: res.statusCode, raw: res.body, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : null };
  };
  const conforms = (method: string, path: string, status: number, body: unknown) => expectConforms(doc, method, path, status, body);
  const state = async () => ({
    rules: await t.ctx.storage.db.selectFrom('oidc_role_rules').selectAll().orderBy('id').execute(),
    audits: Number((await t.ctx.storage.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  });
  const auditOf = (action: string, id: number) =>
    t.ctx.storage.db.selectFrom('audit_events').select(['actor_id', 'before_json', 'after_json']).where('action', '=', action).where('target_type', '=', 'oidc_role_rule').where('target_id', '=', String(id)).execute();

  beforeAll(async () => {
    t = await createTestApp(dialect, { oidcProviders: [{ ...corp }, { ...dex }] });
    const admin = await makeUser(t, { username: 'apiadmin', roles: ['admin'] });
    adminId = admin.user.id;
    adminUser = admin;
    adminToken = (await createApiToken(t.system, admin.user.id, { name: 'sso', scopes: ['admin'] })).token;
    writeToken = (await createApiToken(t.system, admin.user.id, { name: 'sso-write', scopes: ['write'] })).token;
    doc = await openApiDocument(t);
  });
  afterAll(async () => t.close());

  it('describes every route: summary, description, parameters, body and answer schemas', () => {
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/sign-in'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(documented.sort()).toEqual(ROUTES.map(([m, p]) => `${m} ${p}`).sort());
    for (const [method, path, success, permission] of ROUTES) {
      const op = doc.paths[path]![method]!;
      const where = `${method} ${path}`;
      expect(op.summary, where).not.toMatch(/^(GET|POST|PUT|DELETE) \//);
      expect(op.description, where).toMatch(new RegExp(`^Who may call it: holders of the \`${permission.replace('.', '\\.')}\` permission.*\\n\\n\\S`, 's'));
      if (path.includes('{ruleId}')) expect(op.parameters?.find((p) => p.in === 'path' && p.name === 'ruleId')?.schema, where).toMatchObject({ type: 'string', maxLength: expect.any(Number) });
      const answer = op.responses[success];
      expect(answer?.description, where).toBeTruthy();
      if (success === '204') expect(answer?.content, where).toBeUndefined();
      else expect(answer?.content?.['application/json'].schema, where).toMatchObject({ type: 'object', properties: expect.any(Object) });
      if (success !== '200') expect(op.responses['200'], where).toBeUndefined();
    }
    expect(doc.paths['/api/v1/sign-in/rules']!.post!.requestBody!.content['application/json'].schema).toMatchObject({ type: 'object', required: ['provider', 'claim', 'value', 'role'], additionalProperties: false });
  });

  it('lists the providers with their redirect URIs and MFA trust, never a secret', async () => {
    const res = await call(adminToken, 'GET', '/api/v1/sign-in/providers');
    expect(res.status).toBe(200);
    conforms('get', '/api/v1/sign-in/providers', 200, res.body);
    expect(res.body).toEqual({
      providers: [
        { id: 'corp', name: 'Corp SSO', issuer: corp.issuer, redirect_uri: `${t.ctx.config.publicUrl}/auth/oidc/corp/callback`, allowed_email_domains: ['example.org'], trust_mfa: false, mfa_amr_values: ['mfa'], mfa_acr_values: [] },
        { id: 'dex', name: 'Dex', issuer: dex.issuer, redirect_uri: `${t.ctx.config.publicUrl}/auth/oidc/dex/callback`, allowed_email_domains: [], trust_mfa: true, mfa_amr_values: ['mfa'], mfa_acr_values: ['gold'] },
      ],
    });
    expect(res.raw).not.toMatch(/never-shown|client_?secret/i);
  });

  it('adds, lists and removes a rule as the page does, audited under the admin’s name', async () => {
    const added = await call(adminToken, 'POST', '/api/v1/sign-in/rules', { provider: 'dex', claim: 'groups', value: ' /security/vmt ', role: 'vmt' });
    expect(added.status).toBe(201);
    conforms('post', '/api/v1/sign-in/rules', 201, added.body);
    expect(added.body).toMatchObject({ provider: 'dex', claim: 'groups', value: '/security/vmt', role: 'vmt', created_by: adminId });
    const id = Number(added.body!.id);
    const [addedEvent] = await auditOf('oidc.role_rule_added', id);
    expect(addedEvent?.actor_id).toBe(adminId);
    expect(JSON.parse(String(addedEvent?.after_json))).toEqual({ provider: 'dex', claim: 'groups', value: '/security/vmt', role: 'vmt' });

    const listed = await call(adminToken, 'GET', '/api/v1/sign-in/rules');
    expect(listed.status).toBe(200);
    conforms('get', '/api/v1/sign-in/rules', 200, listed.body);
    expect(listed.body!.rules).toContainEqual(added.body);
    // The admin page shows the same rule: one store, one command.
    expect((await (await signedInClient(t, adminUser)).get('/admin/sign-in')).body).toContain('/security/vmt');

    const removed = await call(adminToken, 'DELETE', `/api/v1/sign-in/rules/${id}`);
    expect(removed).toMatchObject({ status: 204, raw: '' });
    expect(await auditOf('oidc.role_rule_removed', id)).toHaveLength(1);
    expect(((await call(adminToken, 'GET', '/api/v1/sign-in/rules')).body!.rules as { id: number }[]).map((r) => r.id)).not.toContain(id);
    expect((await call(adminToken, 'DELETE', `/api/v1/sign-in/rules/${id}`)).status).toBe(404);
  });

  it('refuses bad input with the field named, and changes nothing', async () => {
    const kept = await call(adminToken, 'POST', '/api/v1/sign-in/rules', { provider: 'corp', claim: 'groups', value: 'kept', role: 'security_core' });
    expect(kept.status).toBe(201);
    const before = await state();
    const cases: [unknown, string][] = [
      [{ provider: 'corp', claim: 'groups', value: 'vmt', role: 'admin' }, 'role'],
      [{ provider: 'corp', claim: 'groups', value: 'vmt', role: 'owner' }, 'role'],
      [{ provider: 'nope', claim: 'groups', value: 'vmt', role: 'vmt' }, 'provider'],
      [{ provider: 'corp', claim: 'sub', value: 'alice', role: 'vmt' }, 'claim'],
      [{ provider: 'corp', claim: 'groups', value: '  ', role: 'vmt' }, 'value'],
      [{ provider: 'corp', claim: 'groups', value: 'kept', role: 'security_core' }, 'value'],
      [{ provider: 'corp', claim: 'groups', value: 'vmt' }, 'role'],
      [{ provider: 'corp', claim: 'groups', value: 'vmt', role: 'vmt', extra: 1 }, 'extra'],
      [{ provider: 'corp', claim: 'groups', value: 'x'.repeat(301), role: 'vmt' }, 'value'],
    ];
    for (const [body, field] of cases) {
      const res = await call(adminToken, 'POST', '/api/v1/sign-in/rules', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = res.body!.error as { code: string; fields?: { field: string; message: string }[] };
      expect(error.code, JSON.stringify(body)).toMatch(/^(validation_failed|bad_request)$/);
      expect(res.raw, JSON.stringify(body)).toContain(field);
    }
    const admin = await call(adminToken, 'POST', '/api/v1/sign-in/rules', { provider: 'corp', claim: 'groups', value: 'vmt', role: 'admin' });
    expect((admin.body!.error as { fields: { field: string; message: string }[] }).fields).toEqual([{ field: 'role', message: expect.stringContaining('Admin cannot be granted by a rule') as unknown }]);
    for (const id of ['999999', 'abc', '-1']) expect((await call(adminToken, 'DELETE', `/api/v1/sign-in/rules/${id}`)).status).toBe(404);
    expect(await state()).toEqual(before);
  });

  it('answers 404 to everyone but admins (401 to the anonymous), and to an admin’s token without the admin scope', async () => {
    const rule = await call(adminToken, 'POST', '/api/v1/sign-in/rules', { provider: 'corp', claim: 'roles', value: 'who-may', role: 'vmt' });
    const id = Number(rule.body!.id);
    const vmt = await signedInClient(t, await makeUser(t, { username: 'apivmt', roles: ['vmt'] }));
    const plain = await signedInClient(t, await makeUser(t, { username: 'apiplain', totp: false }));
    const before = await state();
    const requests: [string, string, unknown?][] = [
      ['GET', '/api/v1/sign-in/providers'],
      ['GET', '/api/v1/sign-in/rules'],
      ['POST', '/api/v1/sign-in/rules', { provider: 'corp', claim: 'groups', value: 'sneaky', role: 'vmt' }],
      ['DELETE', `/api/v1/sign-in/rules/${id}`],
    ];
    for (const [method, url, body] of requests) {
      expect((await call(writeToken, method, url, body)).status, `write token ${method} ${url}`).toBe(404);
      // The anonymous: asked to sign in; a change without a session or token fails the CSRF check first.
      expect((await call(null, method, url, body)).status, `anonymous ${method} ${url}`).toBe(method === 'GET' ? 401 : 403);
      for (const c of [vmt, plain]) expect((await c.json(method, url, body)).statusCode, `${method} ${url}`).toBe(404);
    }
    expect(await state()).toEqual(before);
    // An admin's own session may (by JSON with the CSRF header, as the UI's scripts would).
    const admin = await signedInClient(t, adminUser);
    expect((await admin.json('GET', '/api/v1/sign-in/rules')).statusCode).toBe(200);
    expect((await admin.json('DELETE', `/api/v1/sign-in/rules/${id}`)).statusCode).toBe(204);
    expect(await auditOf('oidc.role_rule_removed', id)).toEqual([expect.objectContaining({ actor_id: adminId })]);
  });
});
