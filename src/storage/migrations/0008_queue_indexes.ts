// Indexes for the VMT triage queue (`GET /vmt`, issue 9). Without them each page view read the whole
// `reports` table five times (counts and first pages of its sections, counts by class): about 260 ms at
// 100,000 reports. Measured plans and figures: bench/results/PROFILE.md, second section.
import { sql } from 'kysely';
import type { MigrationContext } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  const s = ctx.db.schema;
  // "Not yet acknowledged", closest acknowledgement deadline first. Partial: only reports nobody has
  // acknowledged yet are in it, so it stays a few rows long however large the instance grows. The
  // condition has no bound parameter, so both databases can prove the queue's `acknowledged_at is null`
  // implies it (SQLite matches partial-index terms literally).
  await s.createIndex('reports_unacknowledged').on('reports').columns(['ack_deadline_at', 'state']).where(sql.ref('acknowledged_at'), 'is', null).execute();
  // "In progress", newest first: walking received_at backwards finds the first 200 open, acknowledged
  // reports without sorting every open report, and state / acknowledged_at in the index let the section's
  // count read the index only (a covering scan instead of the table with its long text columns).
  await s.createIndex('reports_received').on('reports').columns(['received_at', 'state', 'acknowledged_at']).execute();
  // Counts by class (all reports, and open ones): a covering scan in class order, no sort.
  await s.createIndex('reports_class_state').on('reports').columns(['class', 'state']).execute();
}
