// Test support (never used by the product): a scheduled disclosure plan and its job, written directly, for
// tests of the disclosure hour that do not need the pre-notice in front of it.
import type { TestApp } from '../../testing/harness.js';
import { scheduleRun } from '../run.js';

export async function insertScheduledPlan(t: TestApp, reportId: number, at: string, createdBy: number): Promise<{ id: number; version: number; disclose_at: string }> {
  const now = t.clock.now().toISOString();
  const plan = await t.ctx.storage.db
    .insertInto('disclosure_plans')
    .values({ report_id: reportId, state: 'scheduled', disclose_at: at, version: 1, override_reason: '', warnings_json: '[]', created_by: createdBy, created_at: now, updated_at: now })
    .returning(['id', 'version', 'disclose_at'])
    .executeTakeFirstOrThrow();
  await t.ctx.storage.db.transaction().execute((trx) => scheduleRun(trx, t.clock.now(), plan));
  return plan;
}
