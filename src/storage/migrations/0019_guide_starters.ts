// Guide pages with starting content (issue 15): the two placeholder pages migration 0005 seeded
// ("An administrator can edit this page") are removed where nobody wrote them, and the pages a new team
// needs first — how to report, the embargo policy, the disclosure process, advisories and notes — are
// added where no page has their address yet. Pages an admin wrote are never touched. The pages are
// copied here as they were when this migration shipped: a migration seeds what it seeded then, whatever
// the starter text (src/publication/guide-starters.ts) says later.
import type { Kysely } from 'kysely';
import type { MigrationContext } from './helpers.js';
import { DEFAULT_GUIDE_PAGES } from './0005_advisories.js';

interface GuideTable {
  guide_pages: { slug: string; title: string; body: string; position: number; created_at: string; updated_at: string };
}

export async function up(ctx: MigrationContext): Promise<void> {
  const db = ctx.db as unknown as Kysely<GuideTable>;
  for (const seed of DEFAULT_GUIDE_PAGES) {
    await db.deleteFrom('guide_pages').where('slug', '=', seed.slug).where('body', '=', seed.body).execute();
  }
  const taken = new Set((await db.selectFrom('guide_pages').select('slug').execute()).map((p) => p.slug));
  const now = new Date().toISOString();
  const fresh = STARTER_PAGES.filter((p) => !taken.has(p.slug)).map((p, i) => ({ ...p, position: i + 1, created_at: now, updated_at: now }));
  // Existing pages keep their order after the new ones.
  if (fresh.length) {
    await db.updateTable('guide_pages').set((eb) => ({ position: eb('position', '+', fresh.length) })).execute();
    await db.insertInto('guide_pages').values(fresh).execute();
  }
}

/** The starter pages as of this migration; `{{placeholders}}` are filled in when a page is shown. */
export const STARTER_PAGES: readonly { slug: string; title: string; body: string }[] = [
  {
    slug: 'how-to-report',
    title: 'How to report a vulnerability',
    body: `If you think you have found a security vulnerability in one of our projects, please report it privately. Do not open a public bug, post to a public list or send a pull request first: that tells attackers before users can protect themselves.

### Where to report

- **The report form** at [/report](/report) is the easiest way. You do not need an account. After sending you get a private link: keep it, it is how you follow your report, answer our questions and add files.
- **Encrypted mail** to {{team_email}}. Our OpenPGP key and its fingerprint are on the [contact page](/contact). Mail that is not encrypted is accepted too, but the form is safer.

### What to include

- the project and the versions or commits you tested;
- what an attacker can do, and what they need first (an account, network access, a particular configuration);
- the steps to reproduce it, and a proof of concept if you have one (attach it; it stays private);
- whether you want to be credited, and under which name and affiliation;
- any date by which you plan to publish, so we can agree on one.

### What happens next

We acknowledge every report within {{ack_business_days}} business days. A member of the vulnerability management team takes it on, confirms the problem with the project's security reviewers and keeps you informed on your private page. See the [embargo policy](/guide/embargo-policy) and [how a vulnerability is disclosed](/guide/disclosure-process).`,
  },
  {
    slug: 'embargo-policy',
    title: 'Embargo policy',
    body: `A private report is under **embargo**: only the people who need to work on it can read it, and nothing about it is published until the agreed disclosure date.

- **Who can see it.** The vulnerability management team, the reporter, and the people the team subscribes to it (the project's security reviewers, the authors of the fix). Every person added is recorded with a reason.
- **How long.** An embargo ends at most **{{embargo_max_days}} days** after the report was received. The date is shown on the report from the first day. Only unusual circumstances justify an extension; it is recorded with its reason and the reporter is told. If the reporter has their own disclosure terms, theirs win.
- **At the end.** If nothing was published by the end of the embargo, the report opens automatically. Reminders go out before that.
- **Leaks.** If the vulnerability becomes public some other way — it is exploited, or someone posts it — the embargo ends at once and we publish what we have.
- **Downstream.** Distributions and large deployments that have agreed to keep embargoes are warned a few days before the disclosure (the *pre-notice*), with the patches, so that fixed packages can be ready on the day.

Anyone who receives embargoed information agrees not to share it outside their own security response, and not to deploy fixes in a way that reveals the vulnerability before the disclosure date.`,
  },
  {
    slug: 'disclosure-process',
    title: 'How a vulnerability is disclosed',
    body: `1. **Report.** A report arrives privately (form, API or encrypted mail) and is acknowledged within {{ack_business_days}} business days.
2. **Triage.** The team confirms the problem with the project's security reviewers and classifies it: does it need an advisory (a vulnerability fixable on the supported branches), a security note (guidance, hardening, a design issue), or nothing.
3. **Fix.** The fix is written and reviewed privately, as patches for every supported branch. Each patch is checked against its branch automatically.
4. **Impact and CVE.** The team drafts the impact description with the reporter and the project lead, and requests a CVE identifier.
5. **Pre-notice.** A few business days before the disclosure, downstream stakeholders receive a signed (and where they asked, encrypted) warning with the patches.
6. **Disclosure.** At the agreed hour (by default {{disclosure_hour_utc}}, on a Tuesday, Wednesday or Thursday) the report opens, the fixes are merged publicly and the advisory ({{advisory_prefix}}-YYYY-NNN) is published with its machine-readable records (OSV, CVE JSON 5, CSAF) and a signed announcement.

Corrections after publication are published as errata; the advisory keeps its date and gains a history line.`,
  },
  {
    slug: 'security-notes',
    title: 'Security advisories and security notes',
    body: `**Security advisories** ({{advisory_prefix}}-YYYY-NNN) announce a vulnerability that has a fix for the supported releases: what is affected, what an attacker can do, the fixed versions and the patches.

**Security notes** ({{note_prefix}}-NNNN) give guidance where a patch alone is not the answer: a configuration that is dangerous, a weakness in a design that cannot be fixed on stable branches, a risk in a dependency, or a hardening step operators should take. Notes are written by the security team and reviewed by the project's core reviewers before they are published.

Both are published on this site, in the Atom feeds, and as PGP-signed mail to the announcement lists. Every advisory and note file has a detached signature (\`.asc\`) and a checksum (\`.sha256\`) beside it, made with the team key from the [contact page](/contact).`,
  },
];
