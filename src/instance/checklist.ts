// The first-run checklist (issue 15): what a new instance still needs before the core flow works, each
// step with its state and the page that does it. Computed from the data, never ticked by hand; only the
// whole list can be dismissed (stored and audited, settings.ts).
import { isRoutableAddress, type Config } from '../config/config.js';
import { currentTeamKey } from '../keys/team-keys.js';
import { loadInstancePublication } from '../publication/settings-store.js';
import type { Db } from '../storage/database.js';
import type { InstanceRole } from '../storage/tables.js';
import { countInvitationsSent } from '../accounts/invites.js';
import { activeRoleCounts, countActiveUsers } from '../accounts/users.js';
import { projectsSetUp } from '../projects/projects.js';
import { CHECKLIST_DISMISSED, effectiveSettings, loadStoredSettings, storedValues } from './settings.js';
import { lastTestMail, type TestMailStatus } from './test-mail.js';

export type StepId = 'identity' | 'mail' | 'team_key' | 'project' | 'publication' | 'people';
export type StepState = 'done' | 'todo' | 'attention';

export interface ChecklistStep {
  id: StepId;
  title: string;
  state: StepState;
  /** One or two sentences: what is there, what is missing. */
  detail: string;
  href: string;
  action: string;
}

export interface Checklist {
  steps: ChecklistStep[];
  complete: boolean;
  dismissed: boolean;
  testMail: TestMailStatus | null;
  /** Rules that need a second person, with what this team has today (plain words for the page). */
  staffing: string[];
}

export async function firstRunChecklist(db: Db, config: Config): Promise<Checklist> {
  const [values, stored, testMail, teamKey, projects, users, invites, roleCounts] = await Promise.all([
    storedValues(db),
    loadStoredSettings(db),
    lastTestMail(db),
    currentTeamKey(db),
    projectsSetUp(db),
    countActiveUsers(db),
    countInvitationsSent(db),
    activeRoleCounts(db),
  ]);
  const settings = effectiveSettings(config, stored);
  const source = (key: string) => settings.find((s) => s.field.key === key)!.source;

  const identityDone = source('public_url') !== 'default' && source('instance_name') !== 'default';
  const identity: ChecklistStep = {
    id: 'identity',
    title: 'Instance name and public URL',
    state: identityDone ? 'done' : 'todo',
    detail: identityDone
      ? `${config.instanceName} at ${config.publicUrl}.`
      : `Still the defaults (${config.instanceName}, ${config.publicUrl}): links in mail would point there.`,
    href: '/admin/settings',
    action: identityDone ? 'Review settings' : 'Set name and URL',
  };

  const routable = isRoutableAddress(config.teamEmail) && isRoutableAddress(config.mailFrom);
  const mailState: StepState = !routable ? 'todo' : testMail?.state === 'sent' ? 'done' : testMail?.state === 'failed' ? 'attention' : 'todo';
  const mail: ChecklistStep = {
    id: 'mail',
    title: 'Team address and From address',
    state: mailState,
    detail: !routable
      ? `${config.teamEmail} / ${config.mailFrom} cannot receive mail from elsewhere: set real addresses, then send a test mail.` +
        (testMail?.state === 'failed' ? ` The last test mail, to ${testMail.recipient}, failed: ${testMail.error ?? 'no reason given'}.` : '')
      : testMail
        ? testMail.state === 'sent'
          ? `A test mail to ${testMail.recipient} went out.`
          : testMail.state === 'failed'
            ? `The test mail to ${testMail.recipient} failed: ${testMail.error ?? 'no reason given'}.`
            : `A test mail to ${testMail.recipient} is queued${testMail.error ? ` (last try: ${testMail.error})` : ''}.`
        : 'Send a test mail to check the From address and the mail relay.',
    href: '/admin/settings#mail',
    action: mailState === 'done' ? 'Review mail settings' : 'Send a test mail',
  };

  const keyStep: ChecklistStep = {
    id: 'team_key',
    title: 'Team key',
    state: teamKey ? 'done' : 'todo',
    detail: teamKey
      ? `Current key ${teamKey.fingerprint}.`
      : `Pre-notices and advisories are signed with the team key. Generate or import one; its passphrase stays in the environment (PGP_PASSPHRASE${config.pgpPassphrase ? ', set' : ', not set yet'}), because the secret key is stored encrypted under it and a passphrase kept in the database would protect nothing.`,
    href: '/admin/keys',
    action: teamKey ? 'Manage keys' : 'Make the team key',
  };

  const ready = projects.find((p) => p.hasBranches && p.hasRepositories);
  const first = ready ?? projects[0];
  const project: ChecklistStep = {
    id: 'project',
    title: 'First project with branches and repositories',
    state: ready ? 'done' : 'todo',
    detail: ready
      ? `${ready.name} has its branches and repositories.`
      : first
        ? `${first.name} needs its supported branches and at least one git repository (patches are checked against them).`
        : 'Add the project that reports are about, with its supported branches and git repositories.',
    href: first ? `/admin/projects/${first.slug}` : '/admin/projects/new',
    action: ready ? 'Manage project' : first ? 'Add branches and repositories' : 'Create a project',
  };

  // Published records carry only what was entered (issue 15): the one decision every CVE record needs is
  // who assigns its ids; vendor, feed author and packages are optional and left out until entered.
  const publication = await loadInstancePublication(db);
  const publicationStep: ChecklistStep = {
    id: 'publication',
    title: 'What published records say',
    state: publication.cnaChoice === 'unset' ? 'todo' : 'done',
    detail:
      publication.cnaChoice === 'unset'
        ? 'Say who assigns your CVE ids (or that you publish no CVE records), and the vendor and feed author if you want them; nothing is filled in for you.'
        : `CVE records: ${publication.cnaChoice === 'none' ? 'not published' : `assigner ${publication.cnaShortName}`}; vendor ${publication.vendorName || 'not given'}.`,
    href: '/admin/publication',
    action: publication.cnaChoice === 'unset' ? 'Choose publication settings' : 'Review publication settings',
  };

  const people: ChecklistStep = {
    id: 'people',
    title: 'People',
    state: users > 1 || invites > 0 ? 'done' : 'todo',
    detail:
      users > 1 || invites > 0
        ? `${users} active account${users === 1 ? '' : 's'}, ${invites} invitation${invites === 1 ? '' : 's'} sent.`
        : 'Invite the VMT, project leads and security core by mail; one person may hold several roles.',
    href: '/admin/users#invite',
    action: 'Invite people',
  };

  const steps = [identity, mail, keyStep, project, publicationStep, people];
  const count = (role: InstanceRole) => roleCounts.get(role) ?? 0;
  return {
    steps,
    complete: steps.every((s) => s.state === 'done'),
    dismissed: values.get(CHECKLIST_DISMISSED) === 'true',
    testMail,
    staffing: staffingNotes(count('vmt'), count('security_core')),
  };
}

/**
 * The rules that need someone else (DESIGN.md §2), said with this team's numbers: an advisory revision is
 * approved by a VMT member who did not write it; a security note needs two security-core +2 votes from
 * people other than its author (notes/review-rule.ts); the project's +1 is a role rule any of its core reviewers fills.
 */
export function staffingNotes(vmt: number, securityCore: number): string[] {
  const notes: string[] = [];
  notes.push(
    vmt >= 2
      ? `Advisories: ${vmt} VMT members, so one can approve what another wrote.`
      : `Advisories: a revision is approved by a VMT member who did not write it, so publishing needs a second VMT member (now ${vmt}).`,
  );
  notes.push(
    securityCore >= 3
      ? `Security notes: ${securityCore} security core members, enough for two +2 votes besides the author.`
      : `Security notes: a note needs two +2 votes from security core members other than its author, so the team needs three of them if one of them writes notes (now ${securityCore}).`,
  );
  notes.push(
    'One person may be VMT, a project’s lead and coresec at once, and each hat counts where the rule is about a role: a VMT member who leads the project approves the impact as its lead, and a security core member who is also a core reviewer of the project gives the project’s +1 with their +2. Rules about different people (the second VMT member, the two +2 votes) still need someone else.',
  );
  return notes;
}

/** Whether the checklist should still be shown prominently (not complete and not dismissed). */
export async function checklistOpen(db: Db, config: Config): Promise<boolean> {
  const list = await firstRunChecklist(db, config);
  return !list.complete && !list.dismissed;
}
