// Bad patch uploads through the HTTP layer (issue 5, "Bad input"): each gets a clear error and nothing is
// stored or queued — not a patch, binary garbage, paths outside the repository, huge patches, hundreds of
// files, branch names with shell metacharacters, unknown targets, and callers who may not upload.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../testing/databases.js';
import { TestClient } from '../testing/harness.js';
import { createPatchWorld, postMultipart, type PatchWorld } from './testing/world.js';

const diffOf = (path: string) => `diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n@@ -1 +1 @@\n-old\n+new\n`;

describe.each(testDialects())('bad patch input over HTTP on %s', (dialect) => {
  let w: PatchWorld;
  const api = (body: unknown) => w.clients.developer!.json('POST', `/api/v1/reports/${w.ref}/patches`, body);
  const nothingStored = async () => {
    const db = w.t.ctx.storage.db;
    expect(await db.selectFrom('patches').select('id').execute()).toEqual([]);
    expect(await db.selectFrom('patch_versions').select('id').execute()).toEqual([]);
    expect(await db.selectFrom('jobs').select('id').where('kind', '=', 'patches.apply_check').execute()).toEqual([]);
  };

  beforeAll(async () => {
    w = await createPatchWorld(dialect);
  }, 60_000);
  afterAll(async () => w.close());

  it.each([
    ['not a patch', { mbox: 'Hello, this is my fix: please change line 5.\n' }, 400, 'This is not a patch'],
    ['binary garbage', { content_base64: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0xff, 0xfe]).toString('base64') }, 400, 'binary data'],
    ['a path with ../', { mbox: diffOf('../../etc/passwd') }, 400, 'writes outside the repository'],
    ['an absolute path', { mbox: diffOf('/etc/cron.d/evil') }, 400, 'is absolute'],
    ['a path into .git', { mbox: diffOf('.git/hooks/post-checkout') }, 400, 'goes into a .git directory'],
    ['hundreds of files', { mbox: Array.from({ length: 201 }, (_, i) => diffOf(`f${i}.txt`)).join('') }, 400, 'changes 201 files; the limit is 200'],
    ['a hunk whose counts lie', { mbox: 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n-old\n+new\n' }, 400, 'line counts do not match'],
    ['invalid base64', { content_base64: 'not base64!' }, 400, 'not valid base64'],
    ['both kinds of content', { mbox: diffOf('a'), content_base64: '' }, 400, 'either mbox or content_base64'],
    ['nothing', { mbox: '' }, 400, 'Choose a patch file or paste a patch'],
  ])('%s', async (_name, content, status, message) => {
    const res = await api({ project: 'nova', branch: 'master', ...content });
    expect(res.statusCode, res.body).toBe(status);
    expect((JSON.parse(res.body) as { error: { message: string } }).error.message).toContain(message);
    await nothingStored();
  });

  it('a huge patch is refused before it is parsed (413)', async () => {
    const huge = diffOf('big.txt').replace('+new\n', `+${'x'.repeat(6 * 1024 * 1024)}\n`);
    const res = await api({ project: 'nova', branch: 'master', content_base64: Buffer.from(huge).toString('base64') });
    expect(res.statusCode).toBe(413);
    const file = await postMultipart(w.t, w.clients.developer!, `/reports/${w.ref}/patches`, [['targets', 'nova|nova|master']], [{ field: 'files', filename: 'big.patch', content: huge }], `/reports/${w.ref}/patches`);
    expect(file.statusCode).toBe(413);
    expect(file.body).toContain('big.patch: The patch is');
    await nothingStored();
  });

  it.each([
    ['shell metacharacters in the branch', { branch: 'master;touch /tmp/cordon-pwned' }, 'is not a valid branch name'],
    ['a command substitution', { branch: '$(reboot)' }, 'is not a valid branch name'],
    ['an option as a branch', { branch: '--upload-pack=evil' }, 'must not start with \\"-\\"'],
    ['a branch the project does not support', { branch: 'stable/1999' }, 'is not a supported branch of nova'],
    ['a project not on the report', { project: 'swift' }, 'is not a project of this report'],
    ['a repository the project lacks', { repository: '../nova' }, 'has no repository'],
    ['no branch', { branch: undefined }, 'Name the branch'],
  ])('%s', async (_name, target, message) => {
    const res = await api({ project: 'nova', branch: 'master', mbox: diffOf('nova/api.py'), ...target });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.body).toContain(message);
    expect(existsSync('/tmp/cordon-pwned')).toBe(false);
    await nothingStored();
  });

  it('the web form shows what is wrong next to the kept choices, and stores nothing', async () => {
    const noTarget = await postMultipart(w.t, w.clients.developer!, `/reports/${w.ref}/patches`, [], [{ field: 'files', filename: 'fix.patch', content: w.patches.first }], `/reports/${w.ref}/patches`);
    expect(noTarget.statusCode).toBe(400);
    expect(noTarget.body).toContain('Choose at least one branch to aim the patch at.');
    const garbage = await postMultipart(
      w.t,
      w.clients.developer!,
      `/reports/${w.ref}/patches`,
      [['targets', 'nova|nova|master']],
      [{ field: 'files', filename: 'evil<b>.patch', content: diffOf('../outside') }],
      `/reports/${w.ref}/patches`,
    );
    expect(garbage.statusCode).toBe(400);
    expect(garbage.body).toContain('class="error-summary"');
    expect(garbage.body).toContain('evil&lt;b&gt;.patch: The patch writes outside the repository');
    expect(garbage.body).toMatch(/value="nova\|nova\|master" checked/);
    const pasted = await w.clients.developer!.post(`/reports/${w.ref}/patches`, { targets: 'nova|nova|master', mbox: 'just words' }, `/reports/${w.ref}/patches`);
    expect(pasted.statusCode).toBe(400);
    expect(pasted.body).toContain('the pasted patch: This is not a patch');
    await nothingStored();
  });

  it('only those working on the report may upload: read-only 403, strangers 404, anonymous sign in', async () => {
    const body = { project: 'nova', branch: 'master', mbox: w.patches.first };
    const stakeholder = await w.clients.stakeholder!.json('POST', `/api/v1/reports/${w.ref}/patches`, body);
    expect(stakeholder.statusCode).toBe(403);
    expect((await w.clients.reporter!.json('POST', `/api/v1/reports/${w.ref}/patches`, body)).statusCode).toBe(403);
    expect((await w.clients.unrelated!.json('POST', `/api/v1/reports/${w.ref}/patches`, body)).statusCode).toBe(404);
    expect((await new TestClient(w.t).json('POST', `/api/v1/reports/${w.ref}/patches`, body)).statusCode).toBe(401);
    await nothingStored();
    // The upload form is offered only to those who may use it.
    expect((await w.clients.stakeholder!.get(`/reports/${w.ref}/patches`)).body).not.toContain('Upload patches');
    expect((await w.clients.developer!.get(`/reports/${w.ref}/patches`)).body).toContain('Upload patches');
  });
});
