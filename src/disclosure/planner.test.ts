// The pre-notice planner (issue 7 item 1, DESIGN.md §2): the business-day rule across weekends, Mondays,
// Fridays and holidays, the recipients drawn from the stakeholders following the report's projects, and
// the warnings a coordinator must give a reason to override. Both databases, real GnuPG keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { createTestApp, makeUser, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { addContact, createOrg } from '../stakeholders/stakeholders.js';
import { receive, refusal, setUpTeam, userScope } from '../reports/testing/deadline-fixtures.js';
import type { Scope } from '../context.js';
import { planPreNotice, requireOverrideReason } from './planner.js';

const T = '2026-01-06T10:00:00.000Z'; // a Tuesday
const HOLIDAY = '2026-01-08'; // a Thursday

describe.each(testDialects())('pre-notice planner on %s', (dialect) => {
  let t: TestApp;
  let gpg: TempGnupg;
  let vmtScope: Scope;
  let ref: string;

  beforeAll(async () => {
    t = await createTestApp(dialect, { holidays: [HOLIDAY] });
    gpg = new TempGnupg();
    const fpr = gpg.generateKey({ uid: 'Distro <distro@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519', fakedTime: '20250101T000000!' });
    const expired = gpg.generateKey({ uid: 'Old <old@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519', expire: '1y', fakedTime: '20200101T000000!' });
    t.clock.set(T);
    vmtScope = (await setUpTeam(t)).vmtScope;
    const distro = await createOrg(t.system, { name: 'Distro', followsProjects: ['nova'] });
    await addContact(t.system, distro, { kind: 'list', name: 'Distro security', email: 'distro@example.net', wantsEncryption: true, pgpPublicKey: gpg.exportPublic(fpr).toString('utf8') });
    await addContact(t.system, distro, { kind: 'person', name: 'Dana', email: 'dana@example.net' });
    const cloud = await createOrg(t.system, { name: 'Cloud Co', followsProjects: ['nova', 'glance'] });
    // Contacts addContact would refuse today: encryption wanted with no key, and a key expired since it was added.
    await t.ctx.storage.db.insertInto('stakeholder_contacts').values({ org_id: cloud, kind: 'list', name: 'Cloud list', email: 'cloud@example.com', wants_encryption: 1, pgp_public_key: null, user_id: null }).execute();
    await t.ctx.storage.db.insertInto('stakeholder_contacts').values({ org_id: cloud, kind: 'list', name: 'Old list', email: 'old@example.net', wants_encryption: 1, pgp_public_key: gpg.exportPublic(expired).toString('utf8'), user_id: null }).execute();
    const glanceOnly = await createOrg(t.system, { name: 'Glance Fans', followsProjects: ['glance'] });
    await addContact(t.system, glanceOnly, { kind: 'person', name: 'Gus', email: 'gus@example.org' });
    ref = (await receive(t)).ref;
  });
  afterAll(async () => {
    gpg?.cleanup();
    await t?.close();
  });

  it('proposes 5–10 disclosure business days ahead at 15:00 UTC, skipping Mondays, Fridays, weekends and holidays', async () => {
    const plan = await planPreNotice(vmtScope, ref);
    // From Tue 6 Jan: Wed 7, (Thu 8 holiday), Tue 13, Wed 14, Thu 15, Tue 20 → the 5th is Tue 20.
    expect(plan.proposed.toISOString()).toBe('2026-01-20T15:00:00.000Z');
    expect(plan.earliest.toISOString()).toBe('2026-01-20T15:00:00.000Z');
    // …Wed 21, Thu 22, Tue 27, Wed 28, Thu 29 → the 10th is Thu 29.
    expect(plan.latest.toISOString()).toBe('2026-01-29T15:00:00.000Z');
    expect(plan.at.toISOString()).toBe(plan.proposed.toISOString());
    expect(plan.warnings).toEqual([]);
  });

  it('lists the contacts of organisations following the report’s projects, with their encryption state', async () => {
    const plan = await planPreNotice(vmtScope, ref);
    const byEmail = Object.fromEntries(plan.recipients.map((r) => [r.email, r]));
    expect(Object.keys(byEmail).sort()).toEqual(['cloud@example.com', 'dana@example.net', 'distro@example.net', 'old@example.net']);
    expect(byEmail['distro@example.net']).toMatchObject({ orgName: 'Distro', wantsEncryption: true, encryptionProblem: null });
    expect(byEmail['distro@example.net']?.keyFingerprint).toMatch(/^[0-9A-F]{40}$/i);
    expect(byEmail['dana@example.net']).toMatchObject({ wantsEncryption: false, encryptionProblem: null, keyFingerprint: null });
    expect(byEmail['cloud@example.com']?.encryptionProblem).toMatch(/no OpenPGP key/);
    expect(byEmail['old@example.net']?.encryptionProblem).toMatch(/expire/i);
    expect(byEmail['old@example.net']?.keyFingerprint).toBeNull();
  });

  it('warns about a chosen time on a weekend, a Monday or Friday, a holiday, in the past, too soon or after the hard end', async () => {
    const codes = async (at: string) => (await planPreNotice(vmtScope, ref, { at })).warnings.map((w) => w.code);
    expect(await codes('2026-01-21')).toEqual([]); // a Wednesday in the window, at the default hour
    expect((await planPreNotice(vmtScope, ref, { at: '2026-01-21' })).at.toISOString()).toBe('2026-01-21T15:00:00.000Z');
    expect(await codes('2026-01-24T15:00:00Z')).toContain('weekend'); // Saturday
    expect(await codes('2026-01-26T15:00:00Z')).toContain('monday_or_friday');
    expect(await codes('2026-01-23T15:00:00Z')).toContain('monday_or_friday');
    expect(await codes('2026-01-08T15:00:00Z')).toContain('holiday');
    expect(await codes('2026-01-08T15:00:00Z')).toContain('too_soon');
    expect(await codes('2026-01-05T15:00:00Z')).toContain('in_past');
    expect(await codes('2026-06-02T15:00:00Z')).toContain('after_hard_end');
    const bad = await refusal(planPreNotice(vmtScope, ref, { at: '2026-02-30' }));
    expect(bad.fields[0]?.field).toBe('at');
  });

  it('requires a reason to go ahead despite warnings, and none when the time follows the rules', async () => {
    const { warnings } = await planPreNotice(vmtScope, ref, { at: '2026-01-24T15:00:00Z' });
    expect(() => requireOverrideReason(warnings, '  ')).toThrow(/reason/);
    expect(requireOverrideReason(warnings, ' Upstream release is that day. ')).toBe('Upstream release is that day.');
    expect(requireOverrideReason([], '')).toBe('');
  });

  it('is for the VMT only: hidden from outsiders (404), refused to a reader who may not manage', async () => {
    const outsider = await makeUser(t);
    const err = await refusal(planPreNotice(await userScope(t, outsider), ref));
    expect(err.code).toBe('not_found');
    expect((await refusal(planPreNotice(t.system, ref))).code).toBe('not_found');
  });
});
