// Test support only (never imported by product code): scopes for test users, a class A report with an
// approved impact description, and form fields for a complete advisory.
import type { UserActor } from '../../access/actor.js';
import { buildUserActor } from '../../access/load-actor.js';
import { change, systemScope, type Scope } from '../../context.js';
import { createProject, setProjectMember } from '../../projects/projects.js';
import { receiveReport } from '../../reports/intake.js';
import { setClass } from '../../reports/triage.js';
import { approveImpact, assignCve, draftImpact } from '../../reports/cve-impact.js';
import { subscribe } from '../../reports/ladder.js';
import { openReportIn } from '../../reports/embargo/opening.js';
import { loadReportBy } from '../../reports/store.js';
import { makeUser, type TestApp, type TestUser } from '../../testing/harness.js';
import type { AdvisoryForm } from '../editor-input.js';
import { NOTHING_ENTERED, saveInstancePublication, type InstancePublicationInput } from '../../publication/settings-store.js';

export async function scopeOf(t: TestApp, u: TestUser): Promise<Scope & { actor: UserActor }> {
  const actor = await buildUserActor(t.ctx.storage.db, t.ctx.config, u.user, { kind: 'session', mfaPassed: true });
  return { app: t.ctx, requestId: null, actor };
}

export interface AdvisoryCast {
  vmt: TestUser;
  vmt2: TestUser;
  reporter: TestUser;
  lead: TestUser;
  admin: TestUser;
  plain: TestUser;
}

let castCounter = 0;
/** The people of an advisory's life: two VMT members, a reporter, the project lead, an admin and a bystander. */
export async function makeCast(t: TestApp, projectSlug = 'nova'): Promise<AdvisoryCast> {
  castCounter += 1;
  const n = castCounter;
  await createProject(t.system, { slug: projectSlug, name: projectSlug[0]!.toUpperCase() + projectSlug.slice(1), branches: ['master', 'stable/2026.1'] });
  const cast: AdvisoryCast = {
    vmt: await makeUser(t, { username: `vmtalice${n}`, roles: ['vmt'] }),
    vmt2: await makeUser(t, { username: `vmtbob${n}`, roles: ['vmt'] }),
    reporter: await makeUser(t, { username: `reporter${n}`, totp: false }),
    lead: await makeUser(t, { username: `lead${n}`, totp: false }),
    admin: await makeUser(t, { username: `admin${n}`, roles: ['admin'] }),
    plain: await makeUser(t, { username: `plain${n}`, totp: false }),
  };
  await setProjectMember(t.system, projectSlug, cast.lead.user.id, 'lead', true);
  return cast;
}

export const IMPACT_FIELDS = {
  reporter: 'Jane Doe from Example Corp',
  project: 'Nova',
  action: 'resizing an instance with a crafted image',
  actor: 'authenticated user',
  impact: 'read arbitrary files on the compute host',
  consequence: 'information disclosure',
  mode: 'deployments using the libvirt driver with raw storage',
};

/**
 * A private class A report with CVE-2026-31337, an impact description approved by the reporter and the
 * project lead. Returns its ref and the approved impact text.
 */
export async function classAReport(t: TestApp, cast: AdvisoryCast, options: { title?: string; cve?: string; projectSlug?: string; approve?: boolean } = {}): Promise<{ ref: string; impact: string }> {
  const projectSlug = options.projectSlug ?? 'nova';
  const received = await receiveReport(
    await scopeOf(t, cast.reporter),
    {
      title: options.title ?? 'Host data leak through resize',
      description: 'Resizing with a crafted image reads host files.',
      projects: [projectSlug],
      affectedVersions: '<20.2.1',
      email: cast.reporter.user.email,
      creditName: 'Jane Doe',
      creditAffiliation: 'Example Corp',
      creditWanted: true,
    },
    [],
    'web',
  );
  const ref = received.report.ref;
  const vmt = await scopeOf(t, cast.vmt);
  await setClass(vmt, ref, 'A');
  await assignCve(vmt, ref, options.cve ?? 'CVE-2026-31337');
  const impact = await draftImpact(vmt, ref, IMPACT_FIELDS);
  await subscribe(vmt, ref, { username: cast.lead.user.username, level: 'lead', reason: 'impact review' });
  if (options.approve !== false) {
    await approveImpact(await scopeOf(t, cast.reporter), ref);
    await approveImpact(await scopeOf(t, cast.lead), ref);
  }
  return { ref, impact };
}

/** Editor fields of a complete advisory (CVSS 3.1 and 4.0, version ranges, CWE, credits, fixes). */
export function completeForm(overrides: Partial<AdvisoryForm> = {}): Partial<AdvisoryForm> {
  return {
    title: 'Host data leak through resize',
    description: 'Jane Doe from Example Corp reported a vulnerability in Nova.',
    products: 'nova: <20.2.1, >=21.0.0 <21.2.1, ==22.0.0',
    cves: 'CVE-2026-31337',
    cvss: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N\nCVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N',
    cwes: 'CWE-22',
    reporters: 'Jane Doe | Example Corp | CVE-2026-31337',
    issues: 'https://bugs.launchpad.net/nova/+bug/2000001',
    issuesType: 'launchpad',
    fixes: 'master: https://review.opendev.org/c/openstack/nova/+/900001\nstable/2026.1: https://review.opendev.org/c/openstack/nova/+/900002',
    notes: 'The fix will be included in future 20.2.1 and 21.2.1 releases.',
    ...overrides,
  };
}

/** Opens the report as the embargoed disclosure does (the advisory may be published after that). */
export async function discloseReport(t: TestApp, ref: string): Promise<void> {
  const loaded = await loadReportBy(t.ctx.storage.db, { ref });
  if (!loaded) throw new Error(`no report ${ref}`);
  await change(systemScope(t.ctx), (c) => openReportIn(c, loaded.row, { kind: 'made_public', reason: 'Disclosure', actor: { id: null, label: 'test' } }));
}

/** An example CVE Services organisation (a made-up version 4 UUID) for tests that publish CVE records. */
export const EXAMPLE_CNA = { orgId: '3c1e6a2e-5b7d-4f0a-9c8e-2d4b6f8a0c1e', shortName: 'examplecna' };

/**
 * Instance publication settings as an admin enters them: a vendor and a CNA, so that records made in
 * Cordon get CVE JSON 5 files (issue 15: nothing is published that nobody entered).
 */
export async function enterPublicationSettings(t: TestApp, overrides: Partial<InstancePublicationInput> = {}): Promise<void> {
  await saveInstancePublication(t.system, { ...NOTHING_ENTERED, vendorName: 'Example Foundation', cnaChoice: 'set', cnaOrgId: EXAMPLE_CNA.orgId, cnaShortName: EXAMPLE_CNA.shortName, ...overrides });
}
