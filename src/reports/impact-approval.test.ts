// Impact approval that nobody gets stuck on (issue 15 items 5 and 8), through HTTP on both databases: the
// anonymous reporter reads and approves the text through the private link (POST, CSRF, the version approved,
// audited), an edit makes the approval stale, "request changes" with a comment; a VMT member who leads the
// project approves the lead step (on the report and on the advisory page); the four-eyes rule on the advisory
// is refused with its reason and the page says why; outsiders and other reporters neither see nor approve;
// the impact editor shows the saved parts again and refuses "resulting in impersonate any user".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { Scope } from '../context.js';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp, type TestUser } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { setProjectMember } from '../projects/projects.js';
import { completeForm, IMPACT_FIELDS, makeCast, scopeOf, type AdvisoryCast } from '../advisories/testing/advisories.js';
import { createAdvisory } from '../advisories/commands.js';
import { setClass } from './triage.js';
import { draftImpact } from './cve-impact.js';
import { createHash } from 'node:crypto';
import { subscribe } from './ladder.js';

async function fileReport(t: TestApp, title: string): Promise<{ ref: string; token: string; id: number }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    remoteAddress: `10.7.0.${Math.floor(Math.random() * 250)}`,
    payload: JSON.stringify({ title, description: `Description of ${title}`, projects: ['nova'], email: 'finder@example.net', credit_name: 'Ada Finder' }),
  });
  if (res.statusCode !== 201) throw new Error(`intake failed: ${res.body}`);
  const body = JSON.parse(res.body) as { ref: string; follow_url: string };
  const row = await t.ctx.storage.db.selectFrom('reports').select('id').where('ref', '=', body.ref).executeTakeFirstOrThrow();
  return { ref: body.ref, token: new URL(body.follow_url).pathname.slice(3), id: row.id };
}

/** The flash a redirect leads to, read by following it with the same client. */
async function flashAfter(client: TestClient, res: LightMyRequestResponse): Promise<string> {
  expect(res.statusCode).toBe(303);
  const page = await client.get(String(res.headers.location).replace(/#.*$/, ''));
  return /<div class="flash[^"]*"[^>]*>([\s\S]*?)<\/div>/.exec(page.body)?.[1] ?? '';
}

// The version shown beside a text: the first 12 hex digits of its SHA-256 (computed here, not imported).
const textVersion = (impact: string): string => createHash('sha256').update(impact).digest('hex').slice(0, 12);

const text = (html: string): string => html.replace(/<[^>]+>/g, '').replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');

describe.each(testDialects())('impact approval on %s', (dialect) => {
  let t: TestApp;
  let cast: AdvisoryCast;
  let vmt: Scope;
  let vmtLead: TestUser;
  let main: { ref: string; token: string; id: number };
  let other: { ref: string; token: string; id: number };

  const approvals = async (reportId: number) =>
    (await t.ctx.storage.db.selectFrom('report_approvals').select(['role', 'text_hash', 'user_id']).where('report_id', '=', reportId).orderBy('role').execute()).map((a) => ({ ...a, user_id: a.user_id === null ? null : Number(a.user_id) }));
  const currentVersion = async (reportId: number) => textVersion((await t.ctx.storage.db.selectFrom('reports').select('impact_text').where('id', '=', reportId).executeTakeFirstOrThrow()).impact_text);

  beforeAll(async () => {
    t = await createTestApp(dialect);
    cast = await makeCast(t);
    vmt = await scopeOf(t, cast.vmt);
    // One person, two hats: in the VMT and the lead of nova (never subscribed: the VMT reads everything).
    vmtLead = await makeUser(t, { username: 'vmtlead', roles: ['vmt'] });
    await setProjectMember(t.system, 'nova', vmtLead.user.id, 'lead', true);
    main = await fileReport(t, 'Token reuse in the metadata API');
    other = await fileReport(t, 'Another report OTHER-IMPACT-MARKER');
    await setClass(vmt, main.ref, 'A');
    await draftImpact(vmt, main.ref, IMPACT_FIELDS);
  });
  afterAll(async () => t.close());

  it('shows the anonymous reporter the text with its version, and records their approval through the private link', async () => {
    const reporter = new TestClient(t);
    const version = await currentVersion(main.id);
    const page = await reporter.get(`/r/${main.token}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Impact description');
    expect(text(page.body)).toContain('may read arbitrary files on the compute host resulting in information disclosure.');
    expect(page.body).toContain(`<code>${version}</code>`);
    expect(text(page.body)).toContain('You can: you hold the reporter’s private link.');
    // The reporter may not give the lead's approval: no lead button, and it says why.
    expect(text(page.body)).toContain('You cannot: only a lead of an affected project gives this approval.');
    expect(page.body.match(/action="\/r\/[^"]+\/impact\/approve"/g)).toHaveLength(1);

    // Without the form token nothing is recorded.
    const forged = await reporter.request('POST', `/r/${main.token}/impact/approve`, { form: { version, role: 'reporter' } });
    expect(forged.statusCode).toBe(403);
    expect(await approvals(main.id)).toEqual([]);

    await reporter.get(`/r/${main.token}`);
    const res = await reporter.request('POST', `/r/${main.token}/impact/approve`, { form: { version, role: 'lead', _csrf: reporter.lastCsrf ?? '' } });
    expect(res.headers.location).toBe(`/r/${main.token}#r-impact`);
    expect(await flashAfter(reporter, res)).toContain(`you approved version ${version} of the impact description`);
    const hash = (await approvals(main.id))[0]?.text_hash;
    expect(await approvals(main.id)).toEqual([{ role: 'reporter', text_hash: hash, user_id: null }]);
    expect(hash?.slice(0, 12)).toBe(version);
    const audit = await t.ctx.storage.db.selectFrom('audit_events').select(['after_json']).where('action', '=', 'report.impact_approved').execute();
    expect(audit.map((a) => JSON.parse(a.after_json ?? '{}') as Record<string, unknown>)).toEqual([{ role: 'reporter', text_hash: hash, via: 'private_link' }]);
    const after = await reporter.get(`/r/${main.token}`);
    expect(text(after.body)).toContain(`The reporter: approved version ${version}`);
    expect(text(after.body)).toContain(`Impact description approved by the reporter (version ${version}).`);
  });

  it('makes the approval stale when the text changes: the old version is refused, the new one needs approving again', async () => {
    const reporter = new TestClient(t);
    const old = await currentVersion(main.id);
    await draftImpact(vmt, main.ref, { ...IMPACT_FIELDS, consequence: 'the disclosure of host secrets' });
    const fresh = await currentVersion(main.id);
    expect(fresh).not.toBe(old);
    const page = await reporter.get(`/r/${main.token}`);
    expect(text(page.body)).toContain('approved an earlier text: needed again');
    expect(page.body).toContain(`<code>${fresh}</code>`);
    const before = await approvals(main.id);

    // A form opened before the edit carries the old version: refused, nothing changes.
    const stale = await reporter.request('POST', `/r/${main.token}/impact/approve`, { form: { version: old, _csrf: reporter.lastCsrf ?? '' } });
    expect(await flashAfter(reporter, stale)).toContain(`you read version ${old}, it is now version ${fresh}`);
    expect(await approvals(main.id)).toEqual(before);

    const ok = await reporter.request('POST', `/r/${main.token}/impact/approve`, { form: { version: fresh, _csrf: reporter.lastCsrf ?? '' } });
    expect(await flashAfter(reporter, ok)).toContain(`version ${fresh}`);
    expect((await approvals(main.id)).map((a) => [a.role, a.text_hash.slice(0, 12)])).toEqual([['reporter', fresh]]);
  });

  it('lets the reporter request changes with a comment, which withdraws their approval', async () => {
    const reporter = new TestClient(t);
    await reporter.get(`/r/${main.token}`);
    const before = await approvals(main.id);
    const empty = await reporter.request('POST', `/r/${main.token}/impact/changes`, { form: { comment: '  ', _csrf: reporter.lastCsrf ?? '' } });
    expect(await flashAfter(reporter, empty)).toContain('Write a comment first.');
    expect(await approvals(main.id)).toEqual(before);

    const res = await reporter.request('POST', `/r/${main.token}/impact/changes`, { form: { comment: 'Only admins can do this, not any authenticated user.', _csrf: reporter.lastCsrf ?? '' } });
    expect(res.headers.location).toBe(`/r/${main.token}#comments`);
    expect(await approvals(main.id)).toEqual([]);
    const page = await reporter.get(`/r/${main.token}`);
    expect(text(page.body)).toContain(`Changes requested to the impact description (version ${await currentVersion(main.id)}):`);
    expect(text(page.body)).toContain('Only admins can do this, not any authenticated user.');
    expect(text(page.body)).toContain('The reporter asked for changes to the impact description.');
    // The team sees the request on the report too.
    const team = await signedInClient(t, cast.vmt);
    expect(text((await team.get(`/reports/${main.ref}`)).body)).toContain('Only admins can do this, not any authenticated user.');
  });

  it('lets a VMT member who leads the project approve the lead step, on the report and on the advisory page', async () => {
    const both = await signedInClient(t, vmtLead);
    const page = await both.get(`/reports/${main.ref}`);
    expect(text(page.body)).toContain('You can: you lead an affected project (being in the VMT as well does not stop you');
    const res = await both.post(`/reports/${main.ref}/impact/approve`, { role: 'lead', version: await currentVersion(main.id) }, `/reports/${main.ref}`);
    expect(await flashAfter(both, res)).toContain('as the project lead');
    expect((await approvals(main.id)).map((a) => [a.role, a.user_id])).toEqual([['lead', vmtLead.user.id]]);

    // A VMT member who leads no project is told why not, and is refused.
    const plainVmt = await signedInClient(t, cast.vmt2);
    expect(text((await plainVmt.get(`/reports/${main.ref}`)).body)).toContain('You cannot: only a lead of an affected project gives this approval.');
    const refused = await plainVmt.post(`/reports/${main.ref}/impact/approve`, { role: 'lead' }, `/reports/${main.ref}`);
    expect(await flashAfter(plainVmt, refused)).toContain('Only a lead of an affected project gives this approval.');
    expect((await approvals(main.id)).map((a) => a.role)).toEqual(['lead']);

    // On the advisory's page: who approves each step, and the lead's button for the one who holds both roles.
    await draftImpact(vmt, main.ref, { ...IMPACT_FIELDS, consequence: 'the disclosure of host files' });
    const impact = (await t.ctx.storage.db.selectFrom('reports').select('impact_text').where('id', '=', main.id).executeTakeFirstOrThrow()).impact_text;
    const ref = await createAdvisory(vmt, completeForm({ description: impact }), { reportRef: main.ref });
    const manage = await both.get(`/advisories/${ref}/manage`);
    expect(text(manage.body)).toContain('Who approves: A lead of Nova who works on this report (a VMT member who leads it counts too).');
    expect(manage.body).toContain('Approve the impact description as the project lead');
    expect(text((await plainVmt.get(`/advisories/${ref}/manage`)).body)).not.toContain('Approve the impact description as the project lead');
    const viaAdvisory = await both.post(`/advisories/${ref}/impact-approve`, { role: 'lead', version: await currentVersion(main.id) }, `/advisories/${ref}/manage`);
    expect(await flashAfter(both, viaAdvisory)).toContain(`on ${main.ref} as the project lead`);
    expect(text((await both.get(`/advisories/${ref}/manage`)).body)).toContain(`Approved on report ${main.ref}.`);
  });

  it('refuses the four-eyes step to the advisory’s author and says why on the page; another VMT member may', async () => {
    const ref = await createAdvisory(vmt, completeForm({ title: 'Second advisory' }));
    const author = await signedInClient(t, cast.vmt);
    const page = text((await author.get(`/advisories/${ref}/manage`)).body);
    expect(page).toContain('You cannot: this needs someone other than you, because you wrote part of revision 1: a second VMT member checks what the author wrote.');
    const res = await author.post(`/advisories/${ref}/approve`, { revision: '1' }, `/advisories/${ref}/manage`);
    expect(await flashAfter(author, res)).toContain('This needs someone other than you, because you wrote part of revision 1');
    expect((await t.ctx.storage.db.selectFrom('advisory_approvals').select('advisory_approvals.id').innerJoin('advisories', 'advisories.id', 'advisory_approvals.advisory_id').where('advisories.ref', '=', ref).execute()).length).toBe(0);
    // The VMT member who leads nova wrote none of it: the page says they can.
    expect(text((await (await signedInClient(t, vmtLead)).get(`/advisories/${ref}/manage`)).body)).toContain('You can: you are in the VMT and wrote none of these changes.');
  });

  it('lets no outsider or other reporter see or give an approval', async () => {
    const version = await currentVersion(main.id);
    const before = await approvals(main.id);
    // Another report's private link acts on that report only (which has no impact text), never on this one.
    const otherReporter = new TestClient(t);
    const otherPage = await otherReporter.get(`/r/${other.token}`);
    expect(otherPage.body).not.toContain('Impact description');
    expect(otherPage.body).not.toContain(version);
    const wrong = await otherReporter.request('POST', `/r/${other.token}/impact/approve`, { form: { version, _csrf: otherReporter.lastCsrf ?? '' } });
    expect(await flashAfter(otherReporter, wrong)).toContain('There is no impact description to approve yet.');
    for (const path of ['approve', 'changes']) {
      const fake = await otherReporter.request('POST', `/r/not-a-real-link-0000000000000000000000000000/impact/${path}`, { form: { version, comment: 'x', _csrf: otherReporter.lastCsrf ?? '' } });
      expect(fake.statusCode).toBe(404);
    }
    // Signed-in people who may not read the report get 404 (never 403), whatever they post.
    const notSubscribedLead = await signedInClient(t, cast.lead);
    const bystander = await signedInClient(t, cast.plain);
    const admin = await signedInClient(t, cast.admin);
    for (const c of [notSubscribedLead, bystander, admin]) {
      expect((await c.get(`/reports/${main.ref}`)).statusCode).toBe(404);
      for (const path of ['impact/approve', 'impact/changes']) {
        const res = await c.post(`/reports/${main.ref}/${path}`, { role: 'lead', version, comment: 'x' });
        expect(res.statusCode).toBe(404);
        expect(res.body).not.toContain(version);
      }
    }
    // Anonymous callers must sign in first.
    const anonymous = new TestClient(t);
    expect((await anonymous.post(`/reports/${main.ref}/impact/approve`, { role: 'reporter', version })).statusCode).toBe(401);
    expect(await approvals(main.id)).toEqual(before);
    // A subscribed coresec reads the text but may give neither approval, and is told why.
    await setProjectMember(t.system, 'nova', cast.plain.user.id, 'coresec', true);
    await subscribe(vmt, main.ref, { username: cast.plain.user.username, level: 'coresec', reason: 'Reviews the fix.' });
    const coresec = await signedInClient(t, cast.plain);
    expect(text((await coresec.get(`/reports/${main.ref}`)).body)).toContain('You cannot: only a lead of an affected project gives this approval.');
    const refused = await coresec.post(`/reports/${main.ref}/impact/approve`, { role: 'lead', version }, `/reports/${main.ref}`);
    expect(await flashAfter(coresec, refused)).toContain('Only a lead of an affected project gives this approval.');
    expect(await approvals(main.id)).toEqual(before);
  });

  it('shows the saved parts in the impact editor again, and refuses “resulting in impersonate any user”', async () => {
    const team = await signedInClient(t, cast.vmt);
    const saved = { ...IMPACT_FIELDS, action: 'sending a crafted “X-Auth” header', consequence: 'the ability to impersonate any user' };
    const res = await team.post(`/reports/${main.ref}/impact`, saved, `/reports/${main.ref}`);
    expect(await flashAfter(team, res)).toContain('Impact description saved');
    const page = (await team.get(`/reports/${main.ref}`)).body;
    for (const [name, value] of Object.entries(saved)) {
      const input = new RegExp(`<input id="f-${name}" name="${name}" type="text" value="([^"]*)"`).exec(page);
      expect(input?.[1] && text(input[1]), name).toBe(value);
    }
    expect(text(page)).toContain('may read arbitrary files on the compute host resulting in the ability to impersonate any user.');

    const beforeText = await currentVersion(main.id);
    const bad = await team.post(`/reports/${main.ref}/impact`, { ...saved, consequence: 'impersonate any user' }, `/reports/${main.ref}`);
    expect(await flashAfter(team, bad)).toContain('“resulting in impersonate any user” does not read: say what it results in, e.g. “the ability to impersonate any user”');
    expect(await currentVersion(main.id)).toBe(beforeText);
  });
});
