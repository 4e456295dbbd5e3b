// Review and downloads of patches through the HTTP stack (issue 5): votes by coresec and core reviewers
// only, pre-approval by the project's rule, a -2 that blocks, votes reset by a new version, line comments,
// and downloads that `git am` applies reproducing author, date and message.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../testing/databases.js';
import { assignCve } from '../reports/cve-impact.js';
import { git } from './git.js';
import { gitSync } from './testing/support.js';
import { createPatchWorld, STABLE, type PatchWorld } from './testing/world.js';
import { setReviewRule } from './review.js';

interface Detail {
  versions: { version: number; review: { state: string; missing: string[]; votes: { voter: string; score: number }[] } }[];
  comments: { body: string; file: string | null; line: number | null; version: number }[];
}

describe.each(testDialects())('patch review and downloads on %s', (dialect) => {
  let w: PatchWorld;
  let first: number;
  let second: number;
  const vote = (who: string, patchId: number, body: Record<string, unknown>) => w.clients[who]!.json('POST', `/api/v1/reports/${w.ref}/patches/${patchId}/votes`, body);
  const detail = async (id: number): Promise<Detail> => JSON.parse((await w.clients.vmt!.get(`/api/v1/reports/${w.ref}/patches/${id}`, 'application/json')).body) as Detail;
  const currentReview = async (id: number) => (await detail(id)).versions.at(-1)!.review;
  const masterReadiness = async () =>
    ((JSON.parse((await w.clients.vmt!.get(`/api/v1/reports/${w.ref}/patches`, 'application/json')).body) as { matrix: { branch: string; readiness: string }[] }).matrix.find((m) => m.branch === 'master'))!.readiness;

  beforeAll(async () => {
    w = await createPatchWorld(dialect);
    const res = await w.clients.developer!.json('POST', `/api/v1/reports/${w.ref}/patches`, { project: 'nova', branches: ['master'], mbox: w.patches.series });
    expect(res.statusCode, res.body).toBe(201);
    [first, second] = (JSON.parse(res.body) as { targets: { patches: number[] }[] }).targets[0]!.patches as [number, number];
    await w.drain();
  }, 60_000);
  afterAll(async () => w.close());

  it('refuses votes from people who are not coresec or core reviewers of the project', async () => {
    for (const who of ['outsider', 'stakeholder', 'reporter', 'vmt', 'developer']) {
      const res = await vote(who, first, { score: 2 });
      expect(res.statusCode, who).toBe(403);
      expect(res.body).toContain('Only coresec and core reviewers of Nova may vote');
    }
    // A core reviewer of the project who is not subscribed cannot read the report: 404, as for anyone.
    expect((await vote('unrelated', first, { score: 2 })).statusCode).toBe(404);
    expect((await currentReview(first)).votes).toEqual([]);
  });

  it('one +2 from coresec pre-approves; a core reviewer +1 does not; the matrix shows ready', async () => {
    expect((await vote('reviewer', first, { score: 1, comment: 'Looks right.' })).statusCode).toBe(201);
    expect(await currentReview(first)).toMatchObject({ state: 'needs_review', missing: ['1 more +2 from coresec'] });
    expect((await vote('coresec', first, { score: 2 })).statusCode).toBe(201);
    expect((await currentReview(first)).state).toBe('pre_approved');
    expect(await masterReadiness()).toBe('not_ready');
    // The web form: the vote is cast with the session and CSRF token of the page.
    const res = await w.clients.coresec!.post(`/reports/${w.ref}/patches/${second}/votes`, { score: '2', version: '1', comment: '' }, `/reports/${w.ref}/patches/${second}`);
    expect(res.statusCode).toBe(303);
    expect((await currentReview(second)).state).toBe('pre_approved');
    expect(await masterReadiness()).toBe('ready');
    const page = await w.clients.coresec!.get(`/reports/${w.ref}/patches`);
    expect(page.body).toContain('badge ok">ready<');
  });

  it('a -2 blocks (with a reason), and the voter’s later vote replaces it', async () => {
    const noReason = await vote('reviewer', first, { score: -2 });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Say why you block the patch with -2.');
    expect((await vote('reviewer', first, { score: -2, comment: 'Breaks the v2 API.' })).statusCode).toBe(201);
    expect(await currentReview(first)).toMatchObject({ state: 'blocked' });
    expect(await masterReadiness()).toBe('not_ready');
    const page = await w.clients.vmt!.get(`/reports/${w.ref}/patches`);
    expect(page.body).toContain('blocked (-2 by User reviewer)');
    expect((await vote('reviewer', first, { score: 0 })).statusCode).toBe(201);
    expect((await currentReview(first)).state).toBe('pre_approved');
    expect((await vote('reviewer', first, { score: 3 })).statusCode).toBe(400);
  });

  it('the project rule can ask for more: a core reviewer +2 as well', async () => {
    await setReviewRule(w.t.system, 'nova', { coresecApprovals: 1, coreReviewerApprovals: 1 });
    expect(await currentReview(first)).toMatchObject({ state: 'needs_review', missing: ['1 more +2 from core reviewers'] });
    expect((await vote('reviewer', first, { score: 2 })).statusCode).toBe(201);
    expect((await currentReview(first)).state).toBe('pre_approved');
    await expect(setReviewRule(w.t.system, 'nova', { coresecApprovals: 0, coreReviewerApprovals: 0 })).rejects.toThrow(/at least one \+2/);
    await setReviewRule(w.t.system, 'nova', { coresecApprovals: 1, coreReviewerApprovals: 0 });
  });

  it('comments per patch and per line; read-only stakeholders may read but not comment', async () => {
    const line = await w.clients.developer!.post(
      `/reports/${w.ref}/patches/${first}/comments`,
      { body: 'Is <script>alert(1)</script> escaped here?', file: 'nova/api.py', side: 'new', line: '5', version: '1' },
      `/reports/${w.ref}/patches/${first}`,
    );
    expect(line.statusCode).toBe(303);
    expect((await w.clients.reporter!.json('POST', `/api/v1/reports/${w.ref}/patches/${first}/comments`, { body: 'Thanks, this fixes it for me.' })).statusCode).toBe(201);
    const denied = await w.clients.stakeholder!.json('POST', `/api/v1/reports/${w.ref}/patches/${first}/comments`, { body: 'hello' });
    expect(denied.statusCode).toBe(403);
    const unknownFile = await w.clients.developer!.json('POST', `/api/v1/reports/${w.ref}/patches/${first}/comments`, { body: 'x', file: 'nova/nope.py', line: 3 });
    expect(unknownFile.statusCode).toBe(400);
    expect(unknownFile.body).toContain('does not change a file');
    expect((await detail(first)).comments.map((c) => [c.file, c.line, c.body])).toEqual([
      ['nova/api.py', 5, 'Is <script>alert(1)</script> escaped here?'],
      [null, null, 'Thanks, this fixes it for me.'],
    ]);
    const page = await w.clients.stakeholder!.get(`/reports/${w.ref}/patches/${first}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Is &lt;script&gt;alert(1)&lt;/script&gt; escaped here?');
    expect(page.body).not.toContain('<script>alert(1)');
    // The line comment sits right after line 5 of the new file.
    expect(page.body.indexOf('id="file-1-n5"')).toBeLessThan(page.body.indexOf('Is &lt;script&gt;'));
    expect(page.body).not.toContain('id="comment"'); // no comment form for a read-only reader
  });

  it('downloads are attachments named for the CVE and branch, and git am reproduces author, date and message', async () => {
    await assignCve(await w.scopeOf(w.users.vmt), w.ref, 'CVE-2026-31337');
    const series = await w.clients.stakeholder!.get(`/reports/${w.ref}/patches/series?target=${encodeURIComponent('nova|nova|master')}`, 'text/x-patch');
    expect(series.statusCode).toBe(200);
    expect(series.headers['content-disposition']).toBe('attachment; filename="cve-2026-31337-master.patch"');
    expect(series.headers['content-type']).toBe('text/x-patch; charset=utf-8');
    const one = await w.clients.reporter!.get(`/reports/${w.ref}/patches/${second}/download`, 'text/x-patch');
    expect(one.headers['content-disposition']).toBe('attachment; filename="cve-2026-31337-master-2.patch"');

    const clone = path.join(w.tmp, 'am-check');
    gitSync(w.tmp, ['clone', '-q', '--', w.upstream, clone]);
    await git(['am', '--quiet'], { cwd: clone, input: series.body });
    const log = ['log', '--format=%an%x00%ae%x00%ad%x00%B%x01', '--date=raw', 'origin/master..HEAD'];
    expect(gitSync(clone, log)).toBe(gitSync(w.dev, log));
    expect(gitSync(clone, log)).toContain('Jérôme Développeur\x00jerome@example.org\x001772543716 +0100\x00Validate the token');
    expect(gitSync(clone, ['rev-parse', 'HEAD^{tree}'])).toBe(gitSync(w.dev, ['rev-parse', 'master^{tree}']));
    // A branch without patches has nothing to download; an unknown target is a clear error.
    expect((await w.clients.vmt!.get(`/reports/${w.ref}/patches/series?target=${encodeURIComponent(`nova|nova|${STABLE}`)}`)).statusCode).toBe(404);
    const bad = await w.clients.vmt!.get(`/reports/${w.ref}/patches/series?target=${encodeURIComponent('nova|nova|$(reboot)')}`, 'application/json');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('is not a valid branch name');
  });

  it('a new version starts its review again; a vote on the superseded version is refused', async () => {
    const res = await w.clients.developer!.json('POST', `/api/v1/reports/${w.ref}/patches/${first}/versions`, { mbox: w.patches.first.replace('A token was accepted', 'A token was silently accepted') });
    expect(res.statusCode, res.body).toBe(201);
    const d = await detail(first);
    expect(d.versions.map((v) => [v.version, v.review.state, v.review.votes.length])).toEqual([
      [1, 'pre_approved', 2], // the latest vote of each of the two voters
      [2, 'needs_review', 0],
    ]);
    const stale = await vote('coresec', first, { score: 2, version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('superseded by version 2');
    expect(await masterReadiness()).toBe('not_ready');
  });
});
