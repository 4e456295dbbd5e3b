// Test helpers shared by the report list, search and policy suites: real actors built the way requests
// build them, and reports filed through the real intake command. Used by tests only.
import type { UserActor } from '../../access/actor.js';
import { buildUserActor } from '../../access/load-actor.js';
import type { Scope } from '../../context.js';
import type { TestApp, TestUser } from '../../testing/harness.js';
import type { ReportRow } from '../../storage/tables.js';
import { receiveReport } from '../intake.js';

/**
 * The actor a request would carry: a session (with the TOTP step passed when the account has it), or an
 * API token with the given scopes.
 */
export async function actorOf(t: TestApp, u: TestUser, via: { token?: ('read' | 'write' | 'admin')[] } = {}): Promise<UserActor> {
  const row = await t.ctx.storage.db.selectFrom('users').selectAll().where('id', '=', u.user.id).executeTakeFirstOrThrow();
  return buildUserActor(t.ctx.storage.db, t.ctx.config, row, via.token ? { kind: 'token', scopes: via.token } : { kind: 'session', mfaPassed: u.totpSecret !== null });
}

export async function scopeOf(t: TestApp, u: TestUser): Promise<Scope> {
  return { app: t.ctx, actor: await actorOf(t, u), requestId: null };
}

/** File a report through the intake command, as `by` (signed in) or anonymously. */
export async function fileReport(t: TestApp, input: { title: string; description?: string; projects: string[]; by?: TestUser }): Promise<ReportRow> {
  const scope: Scope = input.by ? await scopeOf(t, input.by) : t.system;
  const { report } = await receiveReport(scope, { title: input.title, description: input.description ?? `${input.title}.`, projects: input.projects, email: 'reporter@example.org' }, [], 'web');
  return report;
}
