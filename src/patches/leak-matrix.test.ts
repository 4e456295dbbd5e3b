// The leak matrix for patches (issue 5): a patch on a private report — its subject and message, its diff,
// a comment on it and its downloads — across anonymous, the reporter, a developer, coresec, a read-only
// stakeholder, the VMT, an unrelated user, another project's lead, an admin who is not VMT and API tokens,
// on every registered page and API route; a patch id of another report is 404 for everyone; notification
// mail carries no patch content; once the report is public its patches are public too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../accounts/api-tokens.js';
import type { CatalogueEntry } from '../http/route.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { makePublic } from '../reports/embargo/decisions.js';
import { receiveReport } from '../reports/intake.js';
import { testDialects } from '../testing/databases.js';
import { makeUser, signedInClient, TestClient } from '../testing/harness.js';
import { probeLeaks, type LeakRole } from '../testing/leak-matrix.js';
import { createPatchWorld, type PatchWorld } from './testing/world.js';
import { saveRecipe } from './ci/recipe-commands.js';
import { whenSandboxKnown } from './ci/run-job.js';
import { runsOfReport } from './ci/runs.js';

const READERS = ['reporter', 'developer', 'coresec', 'stakeholder', 'vmt', 'developer-read-token'];
const SUBJECT = 'leakmarker-subject-k7';
const DIFF_LINE = 'leakmarker-diff-q2';
const COMMENT = 'leakmarker-comment-z9';
const PAGE = '/reports/:ref/patches/:patchId';
const DOWNLOAD = `${PAGE}/download`;
const API = '/api/v1/reports/:ref/patches/:patchId';
// Private CI (issue 20): a run's page, log, artifacts and API follow the patches.
const LOG_MARKER = 'leakmarker-cilog-c4';
const ARTIFACT_MARKER = 'leakmarker-artifact-p8';
const RUN = '/reports/:ref/patches/runs/:runId';
const RUN_API = '/api/v1/reports/:ref/patches/runs/:runId';

describe.each(testDialects())('leak matrix (patches) on %s', (dialect) => {
  let w: PatchWorld;
  let roles: LeakRole[];
  let patchId: number;
  let otherPatchId: number;
  let runId: number;
  let otherRunId: number;
  let catalogue: CatalogueEntry[];

  beforeAll(async () => {
    w = await createPatchWorld(dialect);
    const t = w.t;
    await createProject(t.system, { slug: 'swift', name: 'Swift', branches: ['master'] });
    const otherLead = await makeUser(t, { username: 'swiftlead', totp: false });
    await setProjectMember(t.system, 'swift', otherLead.user.id, 'lead', true);
    const admin = await makeUser(t, { username: 'admin', roles: ['admin'] });
    const readToken = await createApiToken(t.system, w.users.developer.user.id, { name: 'ro', scopes: ['read'] });

    // A recipe for nova, so every series that applies is tested; the run prints a marker and keeps a file (the
    // command does not hold the markers: it is in the audit log, which admins read).
    await saveRecipe(await w.scopeOf(w.users.vmt), 'nova', { branch: '', setupCommand: '', testCommand: "printf 'leakmarker-%s-c4\\n' cilog && mkdir -p out && printf 'leakmarker-%s-p8\\n' artifact > out/kept.txt", timeLimitSeconds: 30, artifactPaths: ['out/kept.txt'] });
    await whenSandboxKnown();
    const patch = w.patches.first.replace('Validate the token', `Validate ${SUBJECT}`).replace('validate(token)', `${DIFF_LINE}(token)`);
    const up = await w.clients.developer!.json('POST', `/api/v1/reports/${w.ref}/patches`, { project: 'nova', branch: 'master', mbox: patch });
    expect(up.statusCode, up.body).toBe(201);
    patchId = (JSON.parse(up.body) as { targets: { patches: number[] }[] }).targets[0]!.patches[0]!;
    expect((await w.clients.developer!.json('POST', `/api/v1/reports/${w.ref}/patches/${patchId}/comments`, { body: COMMENT })).statusCode).toBe(201);
    await w.drain();

    // Another private report of the same developer, with a patch of its own.
    const other = await receiveReport(await w.scopeOf(w.users.developer), { title: 'Other', description: 'other report', projects: ['nova'], email: 'developer@example.org' }, [], 'web');
    const otherUp = await w.clients.vmt!.json('POST', `/api/v1/reports/${other.report.ref}/patches`, { project: 'nova', branch: 'master', mbox: w.patches.second });
    expect(otherUp.statusCode, otherUp.body).toBe(201);
    otherPatchId = (JSON.parse(otherUp.body) as { targets: { patches: number[] }[] }).targets[0]!.patches[0]!;
    await w.drain();
    const runIds = async (reportId: number) => (await runsOfReport(t.ctx.storage.db, reportId)).map((r) => r.id);
    runId = (await runIds(w.reportId))[0]!;
    otherRunId = (await runIds(other.report.id))[0]!;
    expect(runId).toBeGreaterThan(0);
    expect(otherRunId).toBeGreaterThan(0);

    roles = [{ name: 'anonymous', client: null }];
    for (const name of ['reporter', 'developer', 'coresec', 'stakeholder', 'vmt', 'unrelated']) roles.push({ name, client: w.clients[name]! });
    roles.push({ name: 'swiftlead', client: await signedInClient(t, otherLead) });
    roles.push({ name: 'admin', client: await signedInClient(t, admin) });
    roles.push({ name: 'developer-read-token', client: null, bearer: readToken.token });
    // Routes naming a report and a patch are aimed at this report's patch.
    catalogue = t.catalogue.map((r) => (r.url.includes(':patchId') ? { ...r, url: r.url.replace(':ref', w.ref) } : r));
  }, 60_000);
  afterAll(async () => w.close());

  const patchObject = (marker: string, shownBy: string[]) => ({
    kind: 'patch',
    get paramValue() {
      return String(patchId);
    },
    marker,
    allowed: (role: string) => READERS.includes(role),
    mustShow: (route: CatalogueEntry) => route.method === 'GET' && shownBy.includes(route.url.replace(w.ref, ':ref')),
  });

  it('the patch, its message and its comments: only those who may read the report; everyone else 404', async () => {
    expect(await probeLeaks(w.t, roles, patchObject(SUBJECT, [PAGE, DOWNLOAD, API]), catalogue)).toEqual([]);
    expect(await probeLeaks(w.t, roles, patchObject(COMMENT, [PAGE, API]), catalogue)).toEqual([]);
  });

  it('the diff (page, JSON and download) follows the patch', async () => {
    expect(await probeLeaks(w.t, roles, patchObject(DIFF_LINE, [PAGE, DOWNLOAD, `${API}/diff`]), catalogue)).toEqual([]);
  });

  it('the matrix, the patch list and the series download show the patch only to readers of the report', async () => {
    const v = await probeLeaks(w.t, roles, {
      kind: 'report',
      paramValue: w.ref,
      marker: SUBJECT,
      allowed: (role) => READERS.includes(role),
      mustShow: (route) => route.url === '/reports/:ref/patches' || route.url === '/api/v1/reports/:ref/patches',
    });
    expect(v).toEqual([]);
    for (const role of roles) {
      const url = `/reports/${w.ref}/patches/series?target=${encodeURIComponent('nova|nova|master')}`;
      const res = role.bearer
        ? await w.t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${role.bearer}` } })
        : await (role.client ?? new TestClient(w.t)).get(url, 'text/x-patch');
      if (READERS.includes(role.name)) {
        expect(res.statusCode, role.name).toBe(200);
        expect(res.headers['content-disposition'], role.name).toMatch(/^attachment; filename="r-[a-z2-9]{8}-master\.patch"$/);
        expect(res.body).toContain(DIFF_LINE);
      } else {
        expect([404, 303, 401], role.name).toContain(res.statusCode);
        expect(res.body).not.toContain(DIFF_LINE);
      }
    }
  });

  it('a patch id of another report is 404 under this report, for everyone', async () => {
    for (const role of roles) {
      for (const suffix of ['', '/download', '?version=1']) {
        const url = `/reports/${w.ref}/patches/${otherPatchId}${suffix}`;
        const res = role.bearer ? await w.t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${role.bearer}` } }) : await (role.client ?? new TestClient(w.t)).get(url);
        expect([404, 303, 401], `${role.name} ${url}`).toContain(res.statusCode);
        if (role.client || role.bearer) expect(res.statusCode, `${role.name} ${url}`).toBe(404);
      }
      const api = role.client ? await role.client.get(`/api/v1/reports/${w.ref}/patches/${otherPatchId}`, 'application/json') : null;
      if (api) expect(api.statusCode, role.name).toBe(404);
    }
    const vote = await w.clients.coresec!.json('POST', `/api/v1/reports/${w.ref}/patches/${otherPatchId}/votes`, { score: 2 });
    expect(vote.statusCode).toBe(404);
  });

  it('a test run — its page, log and JSON — only to those who may read the report’s patches; everyone else 404', async () => {
    const runCatalogue = w.t.catalogue.map((r) => (r.url.includes(':runId') ? { ...r, url: r.url.replace(':ref', w.ref) } : r));
    const v = await probeLeaks(
      w.t,
      roles,
      {
        kind: 'ci_run',
        paramValue: String(runId),
        marker: LOG_MARKER,
        allowed: (role) => READERS.includes(role),
        mustShow: (route) => route.method === 'GET' && [RUN, `${RUN}/log`, RUN_API].includes(route.url.replace(w.ref, ':ref')),
      },
      runCatalogue,
    );
    expect(v).toEqual([]);
    // The run list under the patches API shows the run (not its log) to readers only.
    for (const role of roles) {
      const res = role.bearer
        ? await w.t.app.inject({ method: 'GET', url: `/api/v1/reports/${w.ref}/patches/runs`, headers: { authorization: `Bearer ${role.bearer}`, accept: 'application/json' } })
        : await (role.client ?? new TestClient(w.t)).get(`/api/v1/reports/${w.ref}/patches/runs`, 'application/json');
      if (READERS.includes(role.name)) expect(res.body, role.name).toContain(`/patches/runs/${runId}`);
      else expect([404, 401], role.name).toContain(res.statusCode);
    }
  });

  it('each artifact download only to readers of the report; a run of another report is 404 under this one', async () => {
    for (const role of roles) {
      const get = (url: string) => (role.bearer ? w.t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${role.bearer}` } }) : (role.client ?? new TestClient(w.t)).get(url, 'application/octet-stream'));
      const res = await get(`/reports/${w.ref}/patches/runs/${runId}/artifact?n=0`);
      if (READERS.includes(role.name)) {
        expect(res.statusCode, role.name).toBe(200);
        expect(res.headers['content-disposition'], role.name).toBe('attachment; filename="kept.txt"');
        expect(res.body).toContain(ARTIFACT_MARKER);
      } else {
        expect([404, 303, 401], role.name).toContain(res.statusCode);
        expect(res.body).not.toContain(ARTIFACT_MARKER);
      }
      for (const suffix of ['', '/log', '/artifact?n=0']) {
        const other = await get(`/reports/${w.ref}/patches/runs/${otherRunId}${suffix}`);
        expect([404, 303, 401], `${role.name} ${suffix}`).toContain(other.statusCode);
        if (role.client || role.bearer) expect(other.statusCode, `${role.name} ${suffix}`).toBe(404);
      }
    }
    // A re-run by someone who may not read the report is 404, never 403.
    for (const name of ['unrelated', 'swiftlead', 'admin']) {
      const role = roles.find((r) => r.name === name)!;
      const res = await role.client!.json('POST', `/api/v1/reports/${w.ref}/patches/runs/${runId}/rerun`);
      expect(res.statusCode, name).toBe(404);
    }
  });

  it('notification mail never carries patch content', async () => {
    const mails = await w.t.ctx.storage.db.selectFrom('jobs').select('payload').where('kind', '=', 'mail.send').execute();
    expect(mails.some((m) => m.payload.includes('A patch was uploaded.'))).toBe(true);
    for (const m of mails) for (const marker of [SUBJECT, DIFF_LINE, COMMENT, LOG_MARKER]) expect(m.payload).not.toContain(marker);
  });

  it('once the report is public, its patches are public too', async () => {
    const anonymous = new TestClient(w.t);
    expect((await anonymous.get(`/reports/${w.ref}/patches/${patchId}`)).statusCode).toBe(404);
    await makePublic(await w.scopeOf(w.users.vmt), w.ref, 'Disclosure day.');
    const page = await anonymous.get(`/reports/${w.ref}/patches/${patchId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(DIFF_LINE);
    expect(page.body).not.toContain('id="comment"'); // reading is not commenting
  });
});
