// The leak matrix (DESIGN.md §5): for a private object and every role, probe every registered route and
// check who sees the object and who gets a 404 (never a 403 that would confirm existence).
// Routes declare which URL parameters name which object kinds (`leak.params`), so the harness knows how
// to aim each route at the object; parameter-less routes (lists, search, feeds) are checked for the
// object's marker text.
import type { LightMyRequestResponse } from 'fastify';
import type { CatalogueEntry } from '../http/route.js';
import { TestClient, type TestApp } from './harness.js';

export interface LeakRole {
  name: string;
  /** null for anonymous. */
  client: TestClient | null;
  bearer?: string;
}

export interface LeakObject {
  kind: string;
  /** The value to put in a URL parameter of this kind (an id or slug). */
  paramValue: string;
  /** Text that appears wherever the object's private content is shown, and nowhere else. */
  marker: string;
  /** Whether a role may see the object through this route. */
  allowed(role: string, route: CatalogueEntry): boolean;
  /** Routes that show the object to allowed roles must contain the marker (default: GET routes aimed at it). */
  mustShow?(route: CatalogueEntry): boolean;
  /**
   * How a refusal looks: `status` (default) — the routes aimed at the object answer 404; `absence` — for a part
   * of an object others may read (a VMT-only comment on a report a subscriber sees), only the marker's absence counts.
   */
  denial?: 'status' | 'absence';
}

export interface Violation {
  role: string;
  method: string;
  url: string;
  problem: string;
}

function fill(route: CatalogueEntry, object: LeakObject): string | null {
  const params = route.leak.params ?? {};
  let url = route.url;
  for (const name of (route.url.match(/:[A-Za-z0-9_]+/g) ?? []).map((p) => p.slice(1))) {
    const kind = params[name];
    let value: string;
    if (kind === object.kind) value = object.paramValue;
    else if (kind === 'secret_link') value = 'not-a-real-link-0000000000000000000000000000';
    else if (kind === 'public_asset') value = 'app.css';
    else return null;
    url = url.replace(`:${name}`, encodeURIComponent(value));
  }
  return url;
}

async function send(t: TestApp, role: LeakRole, method: string, url: string, accept: string): Promise<LightMyRequestResponse> {
  if (role.bearer) return t.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${role.bearer}`, accept }, ...(method === 'GET' ? {} : { payload: {} }) });
  const client = role.client ?? new TestClient(t);
  if (method === 'GET') return client.get(url, accept);
  await client.get('/');
  return client.request(method, url, { form: { _csrf: client.lastCsrf ?? '' }, accept });
}

function denied(res: LightMyRequestResponse, role: LeakRole): boolean {
  if (res.statusCode === 404) return true;
  // Anonymous callers of non-public routes are sent to sign in, whether or not the object exists.
  if (role.client === null && !role.bearer) return res.statusCode === 401 || (res.statusCode === 303 && String(res.headers.location).startsWith('/login'));
  return false;
}

export async function probeLeaks(t: TestApp, roles: LeakRole[], object: LeakObject, catalogue: CatalogueEntry[] = t.catalogue): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const route of catalogue) {
    const url = route.url.includes(':') ? fill(route, object) : route.url;
    if (url === null) continue;
    const aimed = Object.values(route.leak.params ?? {}).includes(object.kind);
    if (!aimed && route.method !== 'GET') continue;
    for (const role of roles) {
      // Changes are probed only with roles that must be refused; allowed roles would really change things.
      if (route.method !== 'GET' && object.allowed(role.name, route)) continue;
      const accept = route.api ? 'application/json' : 'text/html';
      const res = await send(t, role, route.method, url, accept);
      const shows = res.body.includes(object.marker);
      const may = object.allowed(role.name, route);
      const where = { role: role.name, method: route.method, url };
      if (!may && shows) violations.push({ ...where, problem: `shows the private marker (status ${res.statusCode})` });
      if (!may && aimed && object.denial !== 'absence' && !denied(res, role)) violations.push({ ...where, problem: `answered ${res.statusCode} instead of 404` });
      if (res.statusCode === 403 && !may && object.denial !== 'absence') violations.push({ ...where, problem: '403 confirms existence' });
      const mustShow = aimed && route.method === 'GET' && (object.mustShow ? object.mustShow(route) : true);
      if (may && mustShow && !shows) violations.push({ ...where, problem: `allowed but the marker is missing (status ${res.statusCode})` });
    }
  }
  return violations;
}

/** Every route with URL parameters must say what each names, so the matrix can aim at it. */
export function undeclaredParams(catalogue: CatalogueEntry[]): string[] {
  const problems: string[] = [];
  for (const route of catalogue) {
    for (const name of (route.url.match(/:[A-Za-z0-9_]+/g) ?? []).map((p) => p.slice(1))) {
      if (!route.leak.params?.[name]) problems.push(`${route.method} ${route.url}: parameter :${name} has no leak.params kind`);
    }
  }
  return problems;
}
