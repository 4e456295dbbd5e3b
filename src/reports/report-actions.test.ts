// The report page's coordination panel (issue 15 item 7) through HTTP: the group that matches the report's
// state is open and first, the others folded; the irreversible steps sit apart, after every group, and
// still lead to their confirmation pages; people who do not manage the report get no panel at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeUser, signedInClient, type TestApp, type TestUser } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { scopeOf } from './testing/intake.js';
import { receiveReport } from './intake.js';
import { subscribe } from './ladder.js';
import { acknowledge, setClass, setState } from './triage.js';
import { planDisclosure } from './embargo/decisions.js';
import { currentGroup, groupOrder } from './report-focus.js';

/** The outer HTML of the element that starts at `start` (a tag name that may nest, such as details). */
function elementAt(html: string, start: number, tag: string): string {
  const re = new RegExp(`<${tag}[\\s>]|</${tag}>`, 'g');
  re.lastIndex = start;
  let depth = 0;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    depth += m[0].startsWith('</') ? -1 : 1;
    if (depth === 0) return html.slice(start, m.index + m[0].length);
  }
  throw new Error(`unclosed <${tag}>`);
}

/** Each action group of the panel in page order: its id, whether it is open, and its HTML. */
function groups(html: string): { id: string; open: boolean; html: string }[] {
  return [...html.matchAll(/<details class="work-group[^"]*" id="work-(\w+)"( open)?>/g)].map((m) => ({ id: m[1]!, open: m[2] !== undefined, html: elementAt(html, m.index, 'details') }));
}

function irreversible(html: string): string {
  const at = html.indexOf('<section class="irreversible"');
  return at < 0 ? '' : elementAt(html, at, 'section');
}

describe.each(testDialects())('the coordination panel on %s', (dialect) => {
  let t: TestApp;
  let vmt: TestUser;
  let coresec: TestUser;
  const receive = async (title: string) => (await receiveReport(t.system, { title, description: 'details', projects: ['nova'], email: 'r@example.org' }, [], 'web')).report.ref;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    vmt = await makeUser(t, { username: 'vmt', roles: ['vmt'] });
    coresec = await makeUser(t, { username: 'coresec', totp: false });
    await setProjectMember(t.system, 'nova', coresec.user.id, 'coresec', true);
  });
  afterAll(async () => t.close());

  it('opens triage on a new report; "Make public" sits apart from "Acknowledge" and leads to its confirmation', async () => {
    const ref = await receive('Fresh report');
    const page = (await (await signedInClient(t, vmt)).get(`/reports/${ref}`)).body;
    const g = groups(page);
    expect(g.map((x) => [x.id, x.open])).toEqual([
      ['triage', true],
      ['access', false],
      ['embargo', false],
      ['disclosure', false],
    ]);
    expect(g[0]!.html).toContain('>Acknowledge</button>');
    const apart = irreversible(page);
    expect(apart).toContain(`href="/reports/${ref}/make-public"`);
    expect(apart).toContain(`href="/reports/${ref}/embargo/end"`);
    // Nothing irreversible inside a group, and the irreversible area comes after all of them.
    for (const x of g) {
      expect(x.html, x.id).not.toContain('/make-public');
      expect(x.html, x.id).not.toContain('/embargo/end');
      expect(x.html, x.id).not.toContain('value="invalid"');
    }
    expect(page.indexOf('<section class="irreversible"')).toBeGreaterThan(page.indexOf(g[g.length - 1]!.html));
    // Every triage action is still on the page: closing as invalid / won't fix and duplicates with the irreversible ones.
    for (const action of ['acknowledge', 'class', 'state', 'coordinator', 'redirect']) expect(g[0]!.html, action).toContain(`action="/reports/${ref}/${action}"`);
    expect(apart).toContain(`action="/reports/${ref}/duplicate"`);
    expect(apart).toContain('<option value="invalid"');
    expect(g.find((x) => x.id === 'access')!.html).toContain(`action="/reports/${ref}/subscribe"`);
    expect(g.find((x) => x.id === 'embargo')!.html).toContain(`action="/reports/${ref}/embargo/extend"`);
    expect(g.find((x) => x.id === 'disclosure')!.html).toContain(`action="/reports/${ref}/disclosure/plan"`);
    // The link still opens the confirmation step, which changes nothing by itself.
    const confirm = await (await signedInClient(t, vmt)).get(`/reports/${ref}/make-public`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('This cannot be undone.');
  });

  it('moves to access once triaged, and to the disclosure once one is planned', async () => {
    const ref = await receive('Triaged report');
    const scope = await scopeOf(t, vmt);
    await acknowledge(scope, ref);
    await setClass(scope, ref, 'A');
    await setState(scope, ref, 'confirmed', '');
    await setState(scope, ref, 'triaged', '');
    const c = await signedInClient(t, vmt);
    expect(groups((await c.get(`/reports/${ref}`)).body).map((x) => [x.id, x.open])[0]).toEqual(['access', true]);
    const planned = new Date(t.clock.now().getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
    await planDisclosure(scope, ref, planned);
    const page = (await c.get(`/reports/${ref}`)).body;
    const g = groups(page);
    expect(g.map((x) => [x.id, x.open])).toEqual([
      ['disclosure', true],
      ['triage', false],
      ['access', false],
      ['embargo', false],
    ]);
    expect(g[0]!.html).toContain(`<time datetime="${planned}T15:00:00.000Z">${planned} 15:00 UTC</time>`);
    expect(g[0]!.html).toContain(`href="/advisories/new?report=${ref}"`);
  });

  it('shows no coordination panel and nothing irreversible to a subscriber', async () => {
    const ref = await receive('Shared report');
    await subscribe(await scopeOf(t, vmt), ref, { username: 'coresec', level: 'coresec', reason: 'fix' });
    const page = (await (await signedInClient(t, coresec)).get(`/reports/${ref}`)).body;
    expect(page).toContain('Shared report');
    expect(groups(page)).toEqual([]);
    expect(irreversible(page)).toBe('');
    expect(page).not.toContain('/make-public');
    expect(page).toContain('Who can see this report');
  });
});

describe('which group the report page opens', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const base = { state: 'new', class: null, acknowledged_at: null, visibility: 'private', embargo_end_at: '2026-08-01T12:00:00.000Z', planned_disclosure_at: null } as const;
  it.each([
    ['a new report', {}, false, 'triage'],
    ['acknowledged but not classified', { acknowledged_at: '2026-05-30T00:00:00Z', state: 'triaged' }, false, 'triage'],
    ['classified but still confirmed', { acknowledged_at: '2026-05-30T00:00:00Z', class: 'A', state: 'confirmed' }, false, 'triage'],
    ['triaged, the fix is being made', { acknowledged_at: '2026-05-30T00:00:00Z', class: 'A', state: 'in_progress' }, false, 'access'],
    ['triaged, the hard end 13 days away', { acknowledged_at: '2026-05-30T00:00:00Z', class: 'A', state: 'in_progress', embargo_end_at: '2026-06-14T12:00:00.000Z' }, false, 'embargo'],
    ['a disclosure planned', { acknowledged_at: '2026-05-30T00:00:00Z', class: 'A', state: 'in_progress', planned_disclosure_at: '2026-06-20T15:00:00.000Z' }, false, 'disclosure'],
    ['a pre-notice out', { acknowledged_at: '2026-05-30T00:00:00Z', class: 'A', state: 'fix_committed' }, true, 'disclosure'],
    ['public', { acknowledged_at: '2026-05-30T00:00:00Z', class: 'A', state: 'public', visibility: 'public' }, false, 'disclosure'],
    ['closed as invalid', { acknowledged_at: '2026-05-30T00:00:00Z', class: 'E', state: 'invalid' }, false, null],
  ] as const)('%s', (_name, patch, plan, expected) => {
    expect(currentGroup({ ...base, ...patch }, now, plan)).toBe(expected);
  });

  it('puts the current group first and keeps the others in their order', () => {
    expect(groupOrder('embargo')).toEqual(['embargo', 'triage', 'access', 'disclosure']);
    expect(groupOrder(null)).toEqual(['triage', 'access', 'embargo', 'disclosure']);
  });
});
