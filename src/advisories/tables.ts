// Table shapes of the advisories area (joined into the one Database type in src/storage/tables.ts).
// Advisories keep the whole record as JSON (src/publication/record.ts) plus the columns lists and
// look-ups need; every save is a revision. The public site's tables (built files, guide pages) are
// publication's (src/publication/tables.ts).
import type { Generated, Selectable } from 'kysely';

type Timestamp = string;

/**
 * Where the working revision stands: `draft` (not approved), `approved` (a second VMT member
 * approved this revision), `published` (this revision is the one the public sees).
 */
export type AdvisoryStatus = 'draft' | 'approved' | 'published';

export interface AdvisoriesTable {
  id: Generated<number>;
  /** `OSSA-YYYY-NNN`: the public id, also used in URLs. */
  ref: string;
  prefix: string;
  year: number;
  seq: number;
  status: AdvisoryStatus;
  /** Title and ISO date of the working record (for lists). */
  title: string;
  date: string | null;
  /** The working record (AdvisoryRecord JSON) = the current revision. */
  record_json: string;
  current_revision: number;
  /** The record as last published (what the public site is built from); null until published. */
  published_json: string | null;
  published_revision: number | null;
  /** JSON PublishedSummary of the published record, for indexes and search without parsing records. */
  published_summary: string | null;
  /** First publication; null while never published. */
  published_at: Timestamp | null;
  last_published_at: Timestamp | null;
  report_id: number | null;
  /** The OSSA YAML file this advisory was imported from, verbatim (import idempotency). */
  source_yaml: string | null;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Per prefix and year, the last sequence number handed out: ids are allocated without gaps. */
export interface AdvisorySequencesTable {
  prefix: string;
  year: number;
  last_seq: number;
}

export type AdvisoryRevisionKind = 'created' | 'edited' | 'imported' | 'erratum' | 'published';

export interface AdvisoryRevisionsTable {
  id: Generated<number>;
  advisory_id: number;
  number: number;
  kind: AdvisoryRevisionKind;
  summary: string;
  record_json: string;
  author_id: number | null;
  author_label: string;
  created_at: Timestamp;
}

/**
 * `advisory`: the second VMT member's approval of one revision. `impact_reporter` / `impact_lead`:
 * approvals of the impact description recorded by the VMT for advisories without a report (for a
 * linked report they come from report_approvals).
 */
export type AdvisoryApprovalKind = 'advisory' | 'impact_reporter' | 'impact_lead';

export interface AdvisoryApprovalsTable {
  id: Generated<number>;
  advisory_id: number;
  kind: AdvisoryApprovalKind;
  revision_number: number;
  /** sha256 of what was approved: the record JSON (advisory) or the description (impact). */
  text_hash: string;
  user_id: number | null;
  user_label: string;
  note: string;
  approved_at: Timestamp;
}

export interface AdvisoryTables {
  advisories: AdvisoriesTable;
  advisory_sequences: AdvisorySequencesTable;
  advisory_revisions: AdvisoryRevisionsTable;
  advisory_approvals: AdvisoryApprovalsTable;
}

export type AdvisoryRow = Selectable<AdvisoriesTable>;
export type AdvisoryRevisionRow = Selectable<AdvisoryRevisionsTable>;
export type AdvisoryApprovalRow = Selectable<AdvisoryApprovalsTable>;
