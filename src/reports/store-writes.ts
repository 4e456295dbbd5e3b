// Writes to a report's row that the embargo and disclosure changes make inside their own transaction (the
// reports domain owns the table: sql-placement.test.ts). Timeline and audit stay with the caller's change.
import type { Db } from '../storage/database.js';
import type { ReportState } from '../storage/tables.js';

/** The planned disclosure hour shown on the report (null: none planned). */
export async function setPlannedDisclosure(trx: Db, reportId: number, at: string | null, now: Date): Promise<void> {
  await trx.updateTable('reports').set({ planned_disclosure_at: at, updated_at: now.toISOString() }).where('id', '=', reportId).execute();
}

/** The report's state, as a side effect of another change (the caller checks the transition and records it). */
export async function setReportState(trx: Db, reportId: number, state: ReportState): Promise<void> {
  await trx.updateTable('reports').set({ state }).where('id', '=', reportId).execute();
}
