// Report rows for storage-level tests (planner statistics, the queue's counters): fixture data written
// straight into the table, no commands and no audit events. Used by tests only.
import type { Insertable } from 'kysely';
import type { ReportsTable } from '../../storage/tables.js';

export function fixtureReportRow(i: number, fields: Partial<Insertable<ReportsTable>> = {}): Insertable<ReportsTable> {
  const at = new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString();
  return {
    ref: `R-FIX${String(i).padStart(5, '0')}`,
    title: `Fixture report ${i}`,
    description: 'Fixture.',
    affected_versions: '',
    reproduction: '',
    already_public: 0,
    exploited: 0,
    disclosure_terms: '',
    credit_name: '',
    credit_affiliation: '',
    credit_wanted: 1,
    reporter_user_id: null,
    reporter_email: 'r@example.org',
    reporter_pgp_key: null,
    reporter_token_hash: null,
    source: 'web',
    state: 'new',
    class: null,
    visibility: 'private',
    coordinator_id: null,
    received_at: at,
    acknowledged_at: null,
    ack_deadline_at: at,
    escalated_at: null,
    embargo_end_at: at,
    embargo_version: 1,
    planned_disclosure_at: null,
    public_at: null,
    duplicate_of_id: null,
    impact_text: '',
    impact_fields: '{}',
    cve_requested_at: null,
    cve_requested_by: null,
    public_summary: null,
    created_at: at,
    updated_at: at,
    ...fields,
  };
}
