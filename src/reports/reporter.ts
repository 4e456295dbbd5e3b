// What the reporter can do on their own report: claim an anonymously filed report with an account, and
// change their credit preference. The private link token identifies the report; only its hash is stored.
import { change, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { sha256Hex } from '../accounts/secrets.js';
import { loadReportBy } from './store.js';
import { addTimelineEvent } from './timeline.js';

export async function reportByLink(scope: Scope, token: string) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token ?? '')) throw errors.notFound('report');
  const loaded = await loadReportBy(scope.app.storage.db, { tokenHash: sha256Hex(token) });
  if (!loaded) throw errors.notFound('report');
  return loaded;
}

export async function claimReport(scope: Scope, token: string): Promise<string> {
  if (scope.actor.kind !== 'user') throw errors.unauthenticated();
  const userId = scope.actor.userId;
  const report = await reportByLink(scope, token);
  if (report.row.reporter_user_id === userId) return report.row.ref;
  if (report.row.reporter_user_id !== null) throw errors.conflict('This report is already linked to another account.');
  await change(scope, async ({ trx, now, audit }) => {
    await trx.updateTable('reports').set({ reporter_user_id: userId, updated_at: now.toISOString() }).where('id', '=', report.row.id).where('reporter_user_id', 'is', null).execute();
    await addTimelineEvent(trx, report.row.id, now, { id: userId, label: 'reporter' }, 'claimed', {});
    await audit('report.claimed', 'report', report.row.id, { reporter_user_id: null }, { reporter_user_id: userId });
  });
  return report.row.ref;
}

export async function setCredit(scope: Scope, reportId: number, input: { creditWanted: boolean; name: string; affiliation: string }): Promise<void> {
  const name = (input.name ?? '').trim();
  const affiliation = (input.affiliation ?? '').trim();
  if (name.length > 120) throw errors.field('credit_name', 'Use at most 120 characters.');
  if (affiliation.length > 120) throw errors.field('credit_affiliation', 'Use at most 120 characters.');
  if (input.creditWanted && !name) throw errors.field('credit_name', 'Give the name to credit, or choose to stay anonymous.');
  await change(scope, async ({ trx, now, audit }) => {
    await trx.updateTable('reports').set({ credit_wanted: input.creditWanted ? 1 : 0, credit_name: name, credit_affiliation: affiliation, updated_at: now.toISOString() }).where('id', '=', reportId).execute();
    await addTimelineEvent(trx, reportId, now, { id: scope.actor.kind === 'user' ? scope.actor.userId : null, label: 'reporter' }, 'credit_changed', {});
    await audit('report.credit_changed', 'report', reportId, undefined, { credit_wanted: input.creditWanted, name, affiliation });
  });
}
