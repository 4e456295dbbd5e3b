// Helpers for the notes tests: a team (security core, project core reviewers, the VMT, plain accounts),
// scopes for users, a complete note body, and the job worker on the test clock.
import { buildUserActor } from '../../access/load-actor.js';
import type { UserActor } from '../../access/actor.js';
import type { Scope } from '../../context.js';
import { JobRegistry, Worker } from '../../jobs/worker.js';
import { noteJobHandlers, noteJobRecurring } from '../jobs.js';
import { MAIL_JOB, type OutgoingMail } from '../../mail/outbox.js';
import { createProject, setProjectMember } from '../../projects/projects.js';
import { makeUser, type TestApp, type TestClient, type TestUser } from '../../testing/harness.js';
import type { RevisionInput } from '../revisions.js';

export type UserScope = Scope & { actor: UserActor };

/** The actor a signed-in user (second factor passed) gets, fresh from the database. */
export async function userScope(t: TestApp, u: TestUser): Promise<UserScope> {
  const user = await t.ctx.storage.db.selectFrom('users').selectAll().where('id', '=', u.user.id).executeTakeFirstOrThrow();
  const actor = await buildUserActor(t.ctx.storage.db, t.ctx.config, user, { kind: 'session', mfaPassed: true });
  return { app: t.ctx, actor, requestId: `test-${u.user.username}` };
}

export interface NotesTeam {
  core: TestUser[];
  novaCore: TestUser;
  glanceCore: TestUser;
  vmt: TestUser;
  author: TestUser;
  plain: TestUser;
}

/** Projects `nova` and `glance`; three security core members, a core reviewer of each project, the VMT, two plain accounts. */
export async function setUpNotesTeam(t: TestApp, prefix = ''): Promise<NotesTeam> {
  await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
  await createProject(t.system, { slug: 'glance', name: 'Glance', branches: ['master'] });
  const team: NotesTeam = {
    core: [
      await makeUser(t, { username: `${prefix}core1`, roles: ['security_core'] }),
      await makeUser(t, { username: `${prefix}core2`, roles: ['security_core'] }),
      await makeUser(t, { username: `${prefix}core3`, roles: ['security_core'] }),
    ],
    novaCore: await makeUser(t, { username: `${prefix}novacore`, totp: false }),
    glanceCore: await makeUser(t, { username: `${prefix}glancecore`, totp: false }),
    vmt: await makeUser(t, { username: `${prefix}vmt`, roles: ['vmt'] }),
    author: await makeUser(t, { username: `${prefix}author`, totp: false }),
    plain: await makeUser(t, { username: `${prefix}plain`, totp: false }),
  };
  await setProjectMember(t.system, 'nova', team.novaCore.user.id, 'core_reviewer', true);
  await setProjectMember(t.system, 'glance', team.glanceCore.user.id, 'core_reviewer', true);
  return team;
}

/** Every template section, so the note can be submitted and published. */
export function completeNote(baseRevision: number, overrides: Partial<RevisionInput> = {}): RevisionInput {
  return {
    baseRevision,
    title: 'Nova metadata API exposes instance user data to other tenants',
    summary: 'When the metadata proxy is configured without a shared secret, any instance\ncan read the user data of other instances on the same host.',
    affected: '- nova: <25.1.2, >=26.0.0 <26.1.2',
    discussion: 'The metadata proxy trusts the X-Instance-ID header when no secret is set.\n\nAn attacker on a tenant network can forge it.',
    recommendedActions: '- Set metadata_proxy_shared_secret on every compute node.\n- Restart nova-api.',
    credits: '- Jane Finder, Example Corp',
    contacts: 'Author: Alex Author\nThis OSSN : http://cordon.test/notes/OSSN-0001\nCVE: none',
    message: 'complete draft',
    ...overrides,
  };
}

/** The real worker on the test clock, with the notes area's jobs only (other areas' jobs are theirs to test). */
export function notesWorker(t: TestApp): Worker {
  const registry = new JobRegistry();
  for (const handler of noteJobHandlers(t.ctx)) registry.register(handler);
  noteJobRecurring(registry);
  return new Worker({ storage: t.ctx.storage, config: t.ctx.config, clock: t.clock, registry, workerId: 'notes-test-worker' });
}

/** One run of the recurring notes jobs at the current test time (then the clock moves past the slot). */
export async function runNotesJobs(t: TestApp): Promise<number> {
  const worker = notesWorker(t);
  await worker.scheduleRecurring();
  const ran = await worker.drain();
  t.clock.advance(60_000);
  return ran;
}

/** Mails queued (not yet delivered or delivered) with the subject matching. */
export async function queuedMails(t: TestApp, subject?: RegExp): Promise<OutgoingMail[]> {
  const rows = await t.ctx.storage.db.selectFrom('jobs').select('payload').where('kind', '=', MAIL_JOB).orderBy('id').execute();
  return rows.map((r) => JSON.parse(r.payload) as OutgoingMail).filter((m) => !subject || subject.test(m.subject));
}

/** Decode the few entities the JSX runtime writes. */
export function unescapeHtml(html: string): string {
  return html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** Follow a redirect and read the flash message shown there: `{ kind, message }`, or null. */
export async function followFlash(client: TestClient, res: { statusCode: number; headers: Record<string, unknown> }): Promise<{ kind: string; message: string; page: string } | null> {
  if (res.statusCode !== 303) return null;
  let page = await client.get(String(res.headers.location));
  for (let hops = 0; page.statusCode === 303 && hops < 3; hops++) page = await client.get(String(page.headers.location));
  const m = /<div class="flash (\w+)" role="\w+">([\s\S]*?)<\/div>/.exec(page.body);
  return m ? { kind: m[1] ?? '', message: unescapeHtml(m[2] ?? ''), page: page.body } : null;
}
