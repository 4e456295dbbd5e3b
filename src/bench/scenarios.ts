// The HTTP scenarios (issue 9 §2): each drives the real server and then the bare baseline with the same
// load (autocannon in a separate process), and records requests/s, latency percentiles, the ratio of the
// two throughputs and the server's peak RSS while it ran.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerHandle } from './ipc.js';
import type { LoadResult, LoadSpec } from './load-spec.js';
import { say } from './progress.js';
import { SEARCH_QUERIES } from './synthetic-text.js';

export interface Target {
  method: 'GET' | 'POST';
  paths: string[];
  headers: Record<string, string>;
  reportBody?: { projectSlugs: string[] };
}

export interface Scenario {
  name: string;
  /** What the request is, in words, for the results table. */
  what: string;
  read: boolean;
  app: Target;
  baseline: Target;
}

export interface ScenarioResult {
  name: string;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  baseline_rps: number;
  ratio: number;
  p95_ms: number;
  max_ms: number;
  baseline_p50_ms: number;
  baseline_p99_ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  status: Record<string, number>;
  server_rss_peak_mb: number;
  what: string;
}

export interface ScenarioInputs {
  advisoryRefs: string[];
  subscriberCookie: string;
  subscriberRefs: string[];
  vmtCookie: string;
  /** Path of the VMT queue: /vmt, or /reports when the queue page is not there. */
  queuePath: string;
  projectSlugs: string[];
  /** `/reports` as the subscribed reviewer (not VMT): their id, and the keyset cursor of their second page. */
  reviewer?: { userId: number; cookie: string; secondPageAfter: string };
}

const html = { accept: 'text/html' };
const json = { accept: 'application/json' };

export function defineScenarios(x: ScenarioInputs): Scenario[] {
  const list: Scenario[] = [];
  const advisories = x.advisoryRefs.slice(0, 1_000);
  if (advisories.length) {
    list.push({
      name: 'advisory_page',
      what: 'public advisory page (GET /advisories/:id, HTML)',
      read: true,
      app: { method: 'GET', paths: advisories.map((id) => `/advisories/${id}`), headers: html },
      baseline: { method: 'GET', paths: advisories.map((id) => `/advisory/${id}`), headers: {} },
    });
    list.push({
      name: 'advisory_json',
      what: 'public advisory JSON (GET /api/v1/advisories/:id)',
      read: true,
      app: { method: 'GET', paths: advisories.map((id) => `/api/v1/advisories/${id}`), headers: json },
      baseline: { method: 'GET', paths: advisories.map((id) => `/advisory/${id}`), headers: {} },
    });
  }
  list.push({
    name: 'report_page',
    what: 'private report page as a subscribed project security reviewer (GET /reports/:ref, session cookie)',
    read: true,
    app: { method: 'GET', paths: x.subscriberRefs.map((ref) => `/reports/${ref}`), headers: { ...html, cookie: x.subscriberCookie } },
    baseline: { method: 'GET', paths: x.subscriberRefs.map((ref) => `/report/${ref}`), headers: {} },
  });
  list.push({
    name: 'vmt_queue',
    what: `VMT triage queue (GET ${x.queuePath} as a VMT member)`,
    read: true,
    app: { method: 'GET', paths: [x.queuePath], headers: { ...html, cookie: x.vmtCookie } },
    baseline: { method: 'GET', paths: ['/queue'], headers: {} },
  });
  if (x.reviewer) {
    const after = encodeURIComponent(x.reviewer.secondPageAfter);
    list.push({
      name: 'reports_list',
      what: '/reports as a subscribed project security reviewer who is not VMT, first and second page in turn (GET /reports, session cookie)',
      read: true,
      app: { method: 'GET', paths: ['/reports', `/reports?page=2&after=${after}`], headers: { ...html, cookie: x.reviewer.cookie } },
      baseline: { method: 'GET', paths: [`/list?user=${x.reviewer.userId}`, `/list?user=${x.reviewer.userId}&after=${after}`], headers: {} },
    });
  }
  list.push({
    name: 'search',
    what: 'full-text search over every report as a VMT member (GET /api/v1/reports?q=…)',
    read: true,
    app: { method: 'GET', paths: SEARCH_QUERIES.map((q) => `/api/v1/reports?q=${encodeURIComponent(q)}`), headers: { ...json, cookie: x.vmtCookie } },
    baseline: { method: 'GET', paths: SEARCH_QUERIES.map((q) => `/search?q=${encodeURIComponent(q)}`), headers: {} },
  });
  list.push({
    name: 'create_report',
    what: 'report creation, anonymous JSON API (POST /api/v1/reports)',
    read: false,
    app: { method: 'POST', paths: ['/api/v1/reports'], headers: json, reportBody: { projectSlugs: x.projectSlugs } },
    baseline: { method: 'POST', paths: ['/reports'], headers: {}, reportBody: { projectSlugs: x.projectSlugs } },
  });
  return list;
}

const runnerScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load-runner.js');

/** Run the load generator in its own process against one target. */
export function runLoadProcess(spec: LoadSpec): Promise<LoadResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cordon-bench-load-'));
  const file = path.join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  return new Promise<LoadResult>((resolve, reject) => {
    const child = spawn(process.execPath, [runnerScript, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`load runner exited ${code}: ${err.slice(-1_000)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as LoadResult);
      } catch {
        reject(new Error(`load runner printed no result: ${out.slice(-500)} ${err.slice(-500)}`));
      }
    });
  });
}

/** One request with fetch, to check a scenario answers what it should before loading it. */
export async function probe(base: string, target: Target): Promise<{ ok: boolean; status: number; bytes: number }> {
  const init: RequestInit = { method: target.method, headers: { ...target.headers } };
  if (target.reportBody) {
    init.body = JSON.stringify({ title: 'Probe report', description: 'Checking the scenario answers.', projects: [target.reportBody.projectSlugs[0]], email: 'probe@bench.example.org', stay_anonymous: true });
    init.headers = { ...target.headers, 'content-type': 'application/json', 'x-forwarded-for': '10.255.255.254' };
  }
  const res = await fetch(`${base}${target.paths[0]}`, { ...init, redirect: 'manual' });
  const body = await res.arrayBuffer();
  return { ok: res.status === 200 || res.status === 201, status: res.status, bytes: body.byteLength };
}

export interface RunSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export async function runScenario(s: Scenario, app: ServerHandle, baseline: ServerHandle, settings: RunSettings): Promise<ScenarioResult> {
  const spec = (base: string, t: Target): LoadSpec => ({ url: base, connections: settings.connections, durationSeconds: settings.durationSeconds, warmupSeconds: settings.warmupSeconds, method: t.method, paths: t.paths, headers: t.headers, ...(t.reportBody ? { reportBody: t.reportBody } : {}) });
  await app.memory(true);
  const a = await runLoadProcess(spec(app.url, s.app));
  const memory = await app.memory(true);
  const b = await runLoadProcess(spec(baseline.url, s.baseline));
  const ratio = b.rps > 0 ? Math.round((a.rps / b.rps) * 1000) / 1000 : 0;
  const result: ScenarioResult = {
    name: s.name,
    rps: a.rps,
    p50_ms: a.p50_ms,
    p99_ms: a.p99_ms,
    baseline_rps: b.rps,
    ratio,
    p95_ms: a.p95_ms,
    max_ms: a.max_ms,
    baseline_p50_ms: b.p50_ms,
    baseline_p99_ms: b.p99_ms,
    requests: a.requests,
    non2xx: a.non2xx,
    errors: a.errors,
    status: a.status,
    server_rss_peak_mb: Math.round(memory.peak / 1_048_576),
    what: s.what,
  };
  say(`  ${s.name.padEnd(14)} ${String(a.rps).padStart(8)} req/s  p50 ${a.p50_ms} ms  p99 ${a.p99_ms} ms | baseline ${b.rps} req/s → ratio ${ratio}${a.non2xx || a.errors ? `  (non-2xx ${a.non2xx}, errors ${a.errors})` : ''}`);
  return result;
}
