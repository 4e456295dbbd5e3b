// Steps of the first-hour story that have no page on this branch yet (issue 15). Each is one clearly named
// function, so the lead can swap it for the page that lands on another branch; everything else in the
// story goes through pages only.
import { buildUserActor } from '../../access/load-actor.js';
import { createAccount } from '../../accounts/users.js';
import { newTotpSecret } from '../../accounts/totp.js';
import { sealTotpSecret } from '../../accounts/secrets-at-rest.js';
import { systemScope, type Scope } from '../../context.js';
import { generateAndStoreTeamKey } from '../../keys/team-keys.js';
import { setProjectMember } from '../../projects/projects.js';
import { approveImpact } from '../../reports/cve-impact.js';
import { reportByLink } from '../../reports/reporter.js';
import type { InstanceRole } from '../../storage/tables.js';
import type { StoryWorld } from './world.js';

async function userScope(world: StoryWorld, username: string): Promise<Scope> {
  const { ctx } = world.server;
  const row = await ctx.storage.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirstOrThrow();
  return { app: ctx, requestId: null, actor: await buildUserActor(ctx.storage.db, ctx.config, row, { kind: 'session', mfaPassed: true }) };
}

/** The team's signing key, named after the team address the instance was given. */
export async function makeTeamKey(world: StoryWorld, team: { name: string; email: string }): Promise<void> {
  // TODO(lead): replace with /admin/keys page after merge (generate in the browser; PGP_PASSPHRASE stays in the environment).
  await generateAndStoreTeamKey(systemScope(world.server.ctx), { name: team.name, email: team.email });
}

/** The anonymous reporter approves the impact description through their private /r/… link. */
export async function approveImpactAsReporter(world: StoryWorld, reporterLink: string): Promise<void> {
  // TODO(lead): replace with the approve button on the /r/… page after merge (the "approval" slice).
  const token = new URL(reporterLink, world.baseUrl).pathname.split('/').pop()!;
  const scope = systemScope(world.server.ctx);
  const report = await reportByLink(scope, token);
  await approveImpact(scope, report.row.ref, { reporterLink: true });
}

/** A VMT member who is also the project's lead (subscribed as lead) approves with the lead's hat. */
export async function approveImpactWearingTheLeadHat(world: StoryWorld, username: string, ref: string): Promise<void> {
  // TODO(lead): replace with the button the "approval" slice shows to a VMT member who is also the lead.
  await approveImpact(await userScope(world, username), ref);
}

export interface StoryAccount {
  username: string;
  password: string;
  totpSecret: string | null;
}

/**
 * The extra people today's note rule needs (two security-core +2 besides the author, and a +1 from a core
 * reviewer of the project): a second security-core member and the project's core reviewer.
 */
export async function makeNoteReviewersTodaysRuleNeeds(world: StoryWorld, projectSlug: string, password: string): Promise<{ securityCore: StoryAccount; coreReviewer: StoryAccount }> {
  // TODO(lead): replace with invitations from the setup checklist's "people" step after merge.
  const { ctx } = world.server;
  const scope = systemScope(ctx);
  const make = async (username: string, displayName: string, roles: InstanceRole[]): Promise<StoryAccount> => {
    const user = await createAccount(scope, { username, email: `${username}@widget.example`, displayName, password, roles });
    let totpSecret: string | null = null;
    if (roles.length) {
      totpSecret = newTotpSecret();
      await ctx.storage.db.updateTable('users').set({ totp_secret: sealTotpSecret(ctx.storage, totpSecret), totp_enabled_at: world.clock.now().toISOString() }).where('id', '=', user.id).execute();
    }
    return { username, password, totpSecret };
  };
  const securityCore = await make('sam', 'Sam Security-Core', ['security_core']);
  const coreReviewer = await make('cora', 'Cora Core-Reviewer', []);
  const cora = await ctx.storage.db.selectFrom('users').select('id').where('username', '=', 'cora').executeTakeFirstOrThrow();
  await setProjectMember(scope, projectSlug, cora.id, 'core_reviewer', true);
  return { securityCore, coreReviewer };
}
