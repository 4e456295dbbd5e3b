// Issue 7 "Done when": "nothing about the report is public before the hour on any page, feed or export".
// A private class A report with a CVE and an approved advisory has a disclosure planned at hour H. Before H
// (after the job worker ran) every public GET route of the app — derived from the registered routes, so new
// routes are covered automatically — plus searches, every file of the static site and `cordon publish --out`
// output, probed as anonymous and as an unrelated signed-in user, show none of the report ref, the CVE id,
// the advisory id or the distinctive title words. At H the worker runs the disclosure and the same probes
// show them, which proves the negative checks able to fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertScheduledPlan } from './testing/plans.js';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { approveAdvisory, createAdvisory } from '../advisories/commands.js';
import { loadAdvisory } from '../advisories/store.js';
import { classAReport, completeForm, enterPublicationSettings, makeCast, scopeOf, type AdvisoryCast } from '../advisories/testing/advisories.js';
import type { CatalogueEntry } from '../http/route.js';
import { advisoryFiles } from '../publication/outputs.js';
import { publishSite } from '../publication/publish-site.js';
import { siteContextFor } from '../publication/site-files.js';
import { jobWorker } from '../reports/testing/deadline-fixtures.js';
import { testDialects } from '../testing/databases.js';
import { createTestApp, signedInClient, TestClient, type TestApp } from '../testing/harness.js';
import { DISCLOSURE_STEPS } from './run.js';

const H = '2026-01-20T15:00:00.000Z';
const REPORT_WORD = 'Quokkaspindle';
const ADVISORY_WORD = 'Wombatlantern';
const CVE = 'CVE-2026-48213';

interface Probe {
  url: string;
  /** The registered route it came from ('' for the searches and site files added by hand). */
  route: string;
  /** Aimed at the report or advisory (a URL naming it): must be refused, not just silent, before the hour. */
  aimed: boolean;
}

interface Role {
  name: 'anonymous' | 'unrelated user';
  get(url: string, accept: string): Promise<LightMyRequestResponse>;
}

/**
 * Every GET route of the app, its parameters filled with the values given per leak kind (`leak.params`,
 * as in src/testing/leak-matrix.ts); routes with a parameter of another kind (a secret link, a user id…)
 * cannot name the report and are left out. Wildcard routes (`/.well-known/csaf/*`) are covered by the site-file probes.
 */
function probesFrom(catalogue: CatalogueEntry[], values: Record<string, string[]>): Probe[] {
  const out: Probe[] = [];
  for (const route of catalogue) {
    if (route.method !== 'GET' || route.url.includes('*') || route.url === '/metrics') continue;
    let urls = [route.url];
    let aimed = false;
    for (const name of (route.url.match(/:[A-Za-z0-9_]+/g) ?? []).map((p) => p.slice(1))) {
      const kind = route.leak.params?.[name];
      const options = kind ? values[kind] : undefined;
      if (!options) {
        urls = [];
        break;
      }
      if (kind !== 'project') aimed = true;
      urls = urls.flatMap((u) => options.map((v) => u.replace(`:${name}`, encodeURIComponent(v))));
    }
    for (const url of urls) out.push({ url, route: route.url, aimed });
  }
  return out;
}

function uniqueByUrl(probes: Probe[]): Probe[] {
  const seen = new Map<string, Probe>();
  for (const p of probes) seen.set(p.url, { ...p, aimed: p.aimed || (seen.get(p.url)?.aimed ?? false) });
  return [...seen.values()];
}

function denied(res: LightMyRequestResponse): boolean {
  return res.statusCode === 404 || res.statusCode === 401 || (res.statusCode === 303 && String(res.headers.location).startsWith('/login'));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []));
}

describe.each(testDialects())('nothing about the report is public before the disclosure hour on %s', (dialect) => {
  let t: TestApp;
  let cast: AdvisoryCast;
  let ref: string;
  let advisory: string;
  let markers: string[];
  let roles: Role[];
  let probes: Probe[];
  const tmpDirs: string[] = [];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    cast = await makeCast(t);
    await enterPublicationSettings(t);
    const made = await classAReport(t, cast, { title: `${REPORT_WORD} overflow in the nova conductor`, cve: CVE });
    ref = made.ref;
    advisory = await createAdvisory(await scopeOf(t, cast.vmt), completeForm({ title: `${ADVISORY_WORD} leak through resize`, description: made.impact, cves: CVE, reporters: `Jane Doe | Example Corp | ${CVE}` }), { reportRef: ref });
    await approveAdvisory(await scopeOf(t, cast.vmt2), advisory, 1);
    const report = await t.ctx.storage.db.selectFrom('reports').select('id').where('ref', '=', ref).executeTakeFirstOrThrow();
    await insertScheduledPlan(t, report.id, H, cast.vmt.user.id);
    // The CSAF file name carries the advisory id in lower case.
    markers = [ref, CVE, advisory, advisory.toLowerCase(), REPORT_WORD, ADVISORY_WORD];

    t.clock.set('2026-01-20T14:59:00.000Z');
    const plain = await signedInClient(t, cast.plain);
    roles = [
      // A fresh client per request, as the leak matrix does (per-address rate limits stay out of the way).
      { name: 'anonymous', get: (url, accept) => new TestClient(t).get(url, accept) },
      { name: 'unrelated user', get: (url, accept) => plain.get(url, accept) },
    ];
    // The files the advisory will have on the static site, by the publication code's own naming.
    const loaded = await loadAdvisory(t.ctx.storage.db, advisory);
    const future = advisoryFiles({ ...loaded!.record, date: H.slice(0, 10), dateText: H.slice(0, 10) }, await siteContextFor(t.ctx, null)).map((f) => f.path);
    const byFile = (p: string): Probe => ({ url: `/${p}`, route: '', aimed: true });
    probes = uniqueByUrl([
      ...probesFrom(t.catalogue, {
        report: [ref],
        public_issue: [ref],
        advisory: [advisory, ...['html', 'txt', 'yaml', 'json'].map((ext) => `${advisory}.${ext}`)],
        advisory_cve: [CVE, `${CVE}.json`],
        project: ['nova'],
      }),
      ...[`/reports?q=${REPORT_WORD}`, `/api/v1/reports?q=${REPORT_WORD}`, `/reports?q=${CVE}`, `/advisories?q=${ADVISORY_WORD}`, `/advisories?q=${CVE}`, `/notes?q=${REPORT_WORD}`].map((url) => ({ url, route: '', aimed: false })),
      ...future.flatMap((p) => [byFile(p), byFile(`${p}.sha256`)]),
    ]);
  });
  afterAll(async () => {
    for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
    await t?.close();
  });

  /** Each probe as each role; returns what every role got, keyed by URL. */
  async function probeAll(): Promise<Map<string, Map<string, LightMyRequestResponse>>> {
    const seen = new Map<string, Map<string, LightMyRequestResponse>>();
    for (const probe of probes) {
      const accept = probe.url.startsWith('/api/') ? 'application/json' : 'text/html';
      const byRole = new Map<string, LightMyRequestResponse>();
      for (const role of roles) byRole.set(role.name, await role.get(probe.url, accept));
      seen.set(probe.url, byRole);
    }
    return seen;
  }

  /** `cordon publish --out`: rebuilds the site from published records and writes every file out. */
  async function staticSite(): Promise<{ dir: string; files: string[] }> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cordon-'));
    tmpDirs.push(dir);
    await publishSite(t.ctx, dir, null);
    return { dir, files: filesUnder(dir) };
  }

  it('before the hour, no page, feed, search, API answer, export or static file shows it', async () => {
    await jobWorker(t).drain();
    expect((await t.ctx.storage.db.selectFrom('disclosure_steps').select('step').execute()).map((s) => s.step)).toEqual([]);
    // The static site as `cordon publish --out` writes it; its files are served by the app too, so each is probed.
    const site = await staticSite();
    expect(site.files.length).toBeGreaterThan(0);
    expect(site.files.filter((f) => markers.some((m) => f.includes(m) || readFileSync(f, 'utf8').includes(m)))).toEqual([]);
    const stored = await t.ctx.storage.db.selectFrom('public_site_files').select(['path', 'content']).execute();
    expect(stored.map((f) => f.path)).toContain('feeds/advisories.atom');
    expect(stored.filter((f) => markers.some((m) => f.path.includes(m) || f.content.includes(m))).map((f) => f.path)).toEqual([]);
    probes = uniqueByUrl([...probes, ...stored.map((f) => ({ url: `/${f.path}`, route: '', aimed: false }))]);
    // The derived list really covers the public surfaces the issue names.
    const urls = probes.map((p) => p.url);
    for (const u of ['/', '/advisories', '/projects/nova/advisories', '/feeds/advisories.atom', '/feeds/notes.atom', '/api/v1/advisories', '/reports', '/api/v1/reports', '/notes', '/disclosures', `/reports/${ref}`, `/advisories/${advisory}`, `/advisories/${advisory}.txt`, `/advisories/${advisory}.yaml`, `/osv/${advisory}.json`, `/cve/${CVE}.json`, `/api/v1/advisories/${advisory}`]) {
      expect(urls).toContain(u);
    }
    expect(urls.some((u) => u.startsWith('/.well-known/csaf/white/'))).toBe(true);

    const problems: string[] = [];
    for (const [url, byRole] of await probeAll()) {
      const probe = probes.find((p) => p.url === url)!;
      for (const [role, res] of byRole) {
        const where = `${role} GET ${url}${probe.route && probe.route !== url ? ` [${probe.route}]` : ''} (${res.statusCode})`;
        if (res.statusCode >= 500 || res.statusCode === 429) problems.push(`${where}: no real answer`);
        // A marker the caller put in the URL may be echoed back (a search box, a 404 page); all others must not appear.
        const shown = markers.filter((m) => !decodeURIComponent(url).includes(m) && res.body.includes(m));
        if (shown.length) problems.push(`${where}: shows ${shown.join(', ')}`);
        if (probe.aimed && !denied(res)) problems.push(`${where}: aimed at the report or advisory but not refused`);
      }
    }
    expect(problems).toEqual([]);
    // The disclosures overview is the VMT's: refused to everyone else, never a 200.
    for (const role of roles) expect(denied(await role.get('/disclosures', 'text/html'))).toBe(true);
    // The report search really searched, and found nothing for the title words.
    const api = JSON.parse((await roles[0]!.get(`/api/v1/reports?q=${REPORT_WORD}`, 'application/json')).body) as { total: number };
    expect(api.total).toBe(0);
  });

  it('at the hour, the same probes show the report and the advisory', async () => {
    t.clock.set(H);
    await jobWorker(t).drain();
    expect((await t.ctx.storage.db.selectFrom('disclosure_steps').select('step').orderBy('id').execute()).map((s) => s.step)).toEqual([...DISCLOSURE_STEPS]);
    const seen = await probeAll();
    const shows = (url: string, ...what: string[]) => {
      for (const [role, res] of seen.get(url) ?? new Map<string, LightMyRequestResponse>()) {
        expect({ role, url, status: res.statusCode, missing: what.filter((w) => !res.body.includes(w)) }).toEqual({ role, url, status: 200, missing: [] });
      }
      expect(seen.get(url)?.size).toBe(roles.length);
    };
    shows(`/reports/${ref}`, ref, REPORT_WORD);
    shows(`/reports?q=${REPORT_WORD}`, ref);
    shows(`/api/v1/reports?q=${REPORT_WORD}`, ref);
    shows('/', advisory);
    shows('/advisories', advisory, ADVISORY_WORD);
    shows(`/advisories?q=${CVE}`, advisory);
    shows(`/advisories/${advisory}`, ADVISORY_WORD, CVE);
    shows(`/advisories/${advisory}.txt`, ADVISORY_WORD, CVE);
    shows(`/advisories/${advisory}.yaml`, ADVISORY_WORD, CVE);
    shows('/projects/nova/advisories', advisory);
    shows('/feeds/advisories.atom', advisory, ADVISORY_WORD);
    shows('/api/v1/advisories', advisory);
    shows(`/api/v1/advisories/${advisory}`, CVE);
    shows(`/osv/${advisory}.json`, CVE, ADVISORY_WORD);
    shows(`/cve/${CVE}.json`, advisory);
    // Every file the publication wrote for the advisory was among the probes refused before the hour.
    const written = await t.ctx.storage.db.selectFrom('public_site_files').select('path').where('advisory_ref', '=', advisory).execute();
    expect(written.length).toBeGreaterThanOrEqual(5);
    for (const f of written) shows(`/${f.path}`, advisory);

    const site = await staticSite();
    const withAdvisory = site.files.filter((f) => readFileSync(f, 'utf8').includes(advisory)).map((f) => path.relative(site.dir, f));
    expect(withAdvisory).toEqual(expect.arrayContaining([`advisories/${advisory}.html`, `osv/${advisory}.json`, `cve/${CVE}.json`, 'feeds/advisories.atom']));
  });
});
