// Table shapes of the embargoed-disclosure area (joined into the one Database type in src/storage/tables.ts).
import type { Generated } from 'kysely';

type Timestamp = string;

export type DisclosurePlanState = 'scheduled' | 'cancelled' | 'done';
export type PreNoticeVariant = 'signed' | 'encrypted';
export type PreNoticeRecipientState = 'queued' | 'sent' | 'bounced' | 'acknowledged';

/** One disclosure plan per report: the chosen hour, and a version bumped on every move (job dedupe). */
export interface DisclosurePlansTable {
  id: Generated<number>;
  report_id: number;
  state: DisclosurePlanState;
  disclose_at: Timestamp;
  version: number;
  /** Why the coordinator went ahead despite rule warnings ('' when there were none). */
  override_reason: string;
  /** JSON list of the warning codes overridden. */
  warnings_json: string;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One pre-notice mail per recipient, its delivery state and its acknowledgement token (sha256 at rest). */
export interface PreNoticeRecipientsTable {
  id: Generated<number>;
  plan_id: number;
  contact_id: number | null;
  org_name: string;
  name: string;
  email: string;
  variant: PreNoticeVariant;
  message_id: string;
  state: PreNoticeRecipientState;
  ack_token_hash: string;
  queued_at: Timestamp;
  acknowledged_at: Timestamp | null;
}

export type DisclosureStep = 'open_report' | 'publish_advisory' | 'rebuild_site';

/** A disclosure-hour step, recorded in the same transaction as its effect (unique per plan and step). */
export interface DisclosureStepsTable {
  id: Generated<number>;
  plan_id: number;
  step: DisclosureStep;
  done_at: Timestamp;
  detail: string;
}

export interface DisclosureTables {
  disclosure_plans: DisclosurePlansTable;
  prenotice_recipients: PreNoticeRecipientsTable;
  disclosure_steps: DisclosureStepsTable;
}
