// Loading a report for an actor: 404 when they may not see it, 403 only for a visible report they may
// not change (that reveals nothing they cannot already read).
import { reportAccess, type ReportAccess, type ReportAccessContext } from '../access/report-policy.js';
import { canRead, canWriteWith } from '../access/report-policy.js';
import type { Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import { loadReportBy, type LoadedReport } from './store.js';

export interface ReportForActor extends LoadedReport {
  access: ReportAccess;
}

export async function reportForActor(scope: Scope, ref: string, context: ReportAccessContext = {}, db: Db = scope.app.storage.db): Promise<ReportForActor> {
  if (!/^R-[A-Z2-9]{8}$/.test(ref)) throw errors.notFound('report');
  const loaded = await loadReportBy(db, { ref });
  if (!loaded) throw errors.notFound('report');
  const access = reportAccess(scope.actor, loaded.facts, context);
  if (!canRead(access)) throw errors.notFound('report');
  return { ...loaded, access };
}

/** Require a permission on a report the actor can already read. */
export function requireOn(report: ReportForActor, scope: Scope, allowed: (a: ReportAccess) => boolean, what: string): void {
  if (!allowed(report.access) || !canWriteWith(scope.actor)) throw errors.forbiddenAction(`You may not ${what} on this report.`);
}

/** The actor's access to the report named by ref, null when it does not exist or they may not see it (mail/failed-mail.ts asks). */
export async function reportAccessByRef(scope: Scope, ref: string): Promise<ReportAccess | null> {
  return reportForActor(scope, ref).then(
    (report) => report.access,
    () => null,
  );
}
