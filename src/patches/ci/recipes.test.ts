// Test recipes (issue 20) through the HTTP stack on both databases: the lead and the VMT set them (form and
// API), bad input is refused with the field named and changes nothing, only an admin may allow unsandboxed
// runs, everyone else gets 404 for the page, and every change is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, setProjectMember } from '../../projects/projects.js';
import { testDialects } from '../../testing/databases.js';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp } from '../../testing/harness.js';

describe.each(testDialects())('test recipes on %s', (dialect) => {
  let t: TestApp;
  const clients: Record<string, TestClient> = {};
  const recipe = async () => JSON.parse((await clients.vmt!.get('/api/v1/projects/nova/test-recipe', 'application/json')).body) as { recipes: { branch: string | null; test_command: string; setup_command: string; time_limit_seconds: number; artifact_paths: string[] }[]; require_passing: boolean; allow_unsandboxed: boolean };
  const audits = async (action: string) => (await t.ctx.storage.db.selectFrom('audit_events').select('action').where('action', '=', action).execute()).length;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master', 'stable/2026.1'] });
    const users = {
      lead: await makeUser(t, { username: 'lead', totp: false }),
      vmt: await makeUser(t, { username: 'vmt', roles: ['vmt'] }),
      admin: await makeUser(t, { username: 'admin', roles: ['admin'] }),
      coresec: await makeUser(t, { username: 'coresec', totp: false }),
      plain: await makeUser(t, { username: 'plain', totp: false }),
    };
    await setProjectMember(t.system, 'nova', users.lead.user.id, 'lead', true);
    await setProjectMember(t.system, 'nova', users.coresec.user.id, 'coresec', true);
    for (const [name, u] of Object.entries(users)) clients[name] = await signedInClient(t, u);
  }, 60_000);
  afterAll(async () => t.close());

  it('the lead sets the project recipe with the form; it shows on the page and is audited', async () => {
    const project = await clients.lead!.get('/projects/nova');
    expect(project.body).toContain('href="/projects/nova/tests"');
    const res = await clients.lead!.post('/projects/nova/tests', { branch: '', setup_command: 'pip install --no-index -e .', test_command: 'python -m pytest -q', time_limit_seconds: '120', artifact_paths: 'junit.xml\nhtmlcov/' }, '/projects/nova/tests');
    expect(res.statusCode, res.body).toBe(303);
    const page = await clients.lead!.get('/projects/nova/tests');
    expect(page.body).toContain('python -m pytest -q');
    expect(page.body).toContain('120 s');
    // The project page shows the recipe in force to the lead, and whether ready waits for the tests.
    const withRecipe = (await clients.lead!.get('/projects/nova')).body;
    expect(withRecipe).toContain('<h2 id="private-ci-heading">Private CI</h2>');
    expect(withRecipe).toContain('<code>python -m pytest -q</code>');
    expect(withRecipe).toContain('Passing tests are not required for a branch to be ready.');
    expect(await recipe()).toMatchObject({ recipes: [{ branch: null, test_command: 'python -m pytest -q', setup_command: 'pip install --no-index -e .', time_limit_seconds: 120, artifact_paths: ['junit.xml', 'htmlcov/'] }], require_passing: false });
    expect(await audits('ci.recipe_set')).toBe(1);
  });

  it('the VMT overrides it for a branch through the API and requires passing tests', async () => {
    const res = await clients.vmt!.json('PUT', '/api/v1/projects/nova/test-recipe', { branch: 'stable/2026.1', test_command: 'python -m pytest -q tests/unit', time_limit_seconds: 60, require_passing: true });
    expect(res.statusCode, res.body).toBe(200);
    const body = await recipe();
    expect(body.recipes.map((r) => [r.branch, r.test_command])).toEqual([[null, 'python -m pytest -q'], ['stable/2026.1', 'python -m pytest -q tests/unit']]);
    expect(body.require_passing).toBe(true);
    expect(await audits('ci.settings_changed')).toBe(1);
  });

  it('bad input is refused, names the field, and changes nothing', async () => {
    const before = await recipe();
    const count = await audits('ci.recipe_set');
    const cases: [Record<string, string>, string][] = [
      [{ branch: '', test_command: 'pytest', time_limit_seconds: '5', artifact_paths: '' }, 'time_limit_seconds'],
      [{ branch: '', test_command: 'pytest', time_limit_seconds: '99999', artifact_paths: '' }, 'time_limit_seconds'],
      [{ branch: '', test_command: 'pytest', time_limit_seconds: '60', artifact_paths: '../../etc/passwd' }, 'artifact_paths'],
      [{ branch: '', test_command: 'pytest', time_limit_seconds: '60', artifact_paths: '/var/lib/cordon' }, 'artifact_paths'],
      [{ branch: '', test_command: 'pytest\nrm -rf /', time_limit_seconds: '60', artifact_paths: '' }, 'test_command'],
      [{ branch: 'stable/none', test_command: 'pytest', time_limit_seconds: '60', artifact_paths: '' }, 'branch'],
      [{ branch: '', setup_command: 'make', test_command: '', time_limit_seconds: '60', artifact_paths: '' }, 'test_command'],
    ];
    for (const [form, field] of cases) {
      const res = await clients.lead!.post('/projects/nova/tests', form, '/projects/nova/tests');
      expect(res.statusCode, JSON.stringify(form)).toBe(400);
      // The branch is a hidden field: its problem is in the summary at the top of the form.
      expect(res.body).toContain(field === 'branch' ? 'is not a branch of this project' : `id="f-${field}-error"`);
    }
    const api = await clients.vmt!.json('PUT', '/api/v1/projects/nova/test-recipe', { test_command: 'pytest', artifact_paths: ['a/../../b'], require_passing: false });
    expect(api.statusCode).toBe(400);
    expect((JSON.parse(api.body) as { error: { code: string; fields: { field: string }[] } }).error).toMatchObject({ code: 'validation_failed', fields: [{ field: 'artifact_paths' }] });
    expect(await recipe()).toEqual(before);
    expect(await audits('ci.recipe_set')).toBe(count);
  });

  it('only an admin may allow unsandboxed runs; the lead is refused and nothing changes', async () => {
    const refused = await clients.lead!.json('PUT', '/api/v1/projects/nova/test-recipe', { allow_unsandboxed: true, require_passing: false });
    expect(refused.statusCode).toBe(403);
    expect((await recipe()).require_passing).toBe(true);
    const lead = await clients.lead!.get('/projects/nova/tests');
    expect(lead.body).not.toContain('name="allow_unsandboxed"');
    const admin = await clients.admin!.get('/projects/nova/tests');
    expect(admin.body).toContain('name="allow_unsandboxed"');
    // An admin who is not the VMT may not write the recipe itself.
    expect((await clients.admin!.json('PUT', '/api/v1/projects/nova/test-recipe', { test_command: 'true' })).statusCode).toBe(403);
    const res = await clients.admin!.post('/projects/nova/tests/settings', { allow_unsandboxed: 'on', present: 'on' }, '/projects/nova/tests');
    expect(res.statusCode, res.body).toBe(303);
    const body = await recipe();
    expect(body.allow_unsandboxed).toBe(true);
    expect(body.require_passing).toBe(true);
    expect((await clients.lead!.get('/projects/nova/tests')).body).toContain('allowed this project’s tests to run without the sandbox');
  });

  it('the recipe page and API are 404 for everyone but admins, the VMT and the lead', async () => {
    for (const name of ['coresec', 'plain']) {
      expect((await clients[name]!.get('/projects/nova/tests')).statusCode, name).toBe(404);
      expect((await clients[name]!.get('/api/v1/projects/nova/test-recipe', 'application/json')).statusCode, name).toBe(404);
      expect((await clients[name]!.json('PUT', '/api/v1/projects/nova/test-recipe', { test_command: 'true' })).statusCode, name).toBe(404);
      expect((await clients[name]!.get('/projects/nova')).body).not.toContain('/projects/nova/tests');
      expect((await clients[name]!.get('/projects/nova')).body).not.toContain('python -m pytest');
    }
    const anonymous = new TestClient(t);
    expect([303, 401]).toContain((await anonymous.get('/projects/nova/tests')).statusCode);
    expect((await anonymous.get('/projects/nova')).body).not.toContain('/projects/nova/tests');
  });

  it('the recipe and run routes are in the OpenAPI description', async () => {
    const doc = JSON.parse((await t.app.inject({ url: '/api/openapi.json' })).body) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/v1/projects/{slug}/test-recipe'] ?? {}).sort()).toEqual(['get', 'put']);
    expect(doc.paths['/api/v1/reports/{ref}/patches/runs']?.get).toBeDefined();
    expect(doc.paths['/api/v1/reports/{ref}/patches/runs/{runId}/rerun']?.post).toBeDefined();
  });

  it('an empty test command removes a recipe', async () => {
    const res = await clients.vmt!.json('PUT', '/api/v1/projects/nova/test-recipe', { branch: 'stable/2026.1', test_command: '' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await recipe()).recipes.map((r) => r.branch)).toEqual([null]);
    expect(await audits('ci.recipe_removed')).toBe(1);
  });
});
