// Table shapes of the keys and mail area (joined into the one Database type in src/storage/tables.ts).
import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = string;

export type TeamKeyStatus = 'current' | 'retired';
export type TeamKeySource = 'generated' | 'imported';

/** The team's OpenPGP keys: one current (signs, receives), retired ones kept to open old mail. */
export interface TeamKeysTable {
  id: Generated<number>;
  fingerprint: string;
  status: TeamKeyStatus;
  source: TeamKeySource;
  public_key: string;
  /** Armored secret key, always passphrase-protected (PGP_PASSPHRASE); never stored unlocked. */
  secret_key: string;
  /** GnuPG-style label, e.g. ed25519 or rsa4096. */
  algorithm: string;
  /** JSON array of the key's user ids. */
  user_ids: string;
  key_created_at: Timestamp;
  expires_at: Timestamp | null;
  added_at: Timestamp;
  retired_at: Timestamp | null;
}

/** A user's own public key (one per account): mail with private content to them is encrypted to it. */
export interface UserPgpKeysTable {
  user_id: number;
  fingerprint: string;
  public_key: string;
  added_at: Timestamp;
  updated_at: Timestamp;
}

export type InboundStatus = 'received' | 'processed' | 'quarantined';
export type InboundVia = 'smtp' | 'pipe';
export type InboundOutcome = 'report' | 'comment' | 'duplicate';

/** Every incoming message, stored raw before any parsing so that nothing is ever lost. */
export interface InboundMessagesTable {
  id: Generated<number>;
  received_at: Timestamp;
  via: InboundVia;
  raw: Uint8Array;
  size: number;
  sha256: string;
  envelope_from: string | null;
  /** JSON array of envelope recipients (RCPT TO, or --recipient for the MTA pipe). */
  envelope_to: string;
  status: InboundStatus;
  /** Machine-readable reason code for quarantine (e.g. not_encrypted_to_team, no_project). */
  reason_code: string | null;
  /** Why the message was quarantined, in words. */
  reason: string | null;
  outcome: InboundOutcome | null;
  report_id: number | null;
  comment_id: number | null;
  encryption: string | null;
  signature_status: string | null;
  signer_fingerprint: string | null;
  attempts: number;
  processed_at: Timestamp | null;
  updated_at: Timestamp;
}

export type DeliveryStatus = 'queued' | 'sent' | 'bounced';
export type DeliveryProtection = 'encrypted' | 'signed' | 'plain';

/** One outgoing mail to one recipient: how it was protected and whether it went out. */
export interface MailDeliveriesTable {
  id: Generated<number>;
  job_id: number;
  message_id: string;
  recipient: string;
  subject: string;
  status: DeliveryStatus;
  protection: DeliveryProtection | null;
  /** 1 when the mail carried private content that was withheld (a notice with a link was sent instead). */
  private_withheld: number;
  attempts: number;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  sent_at: Timestamp | null;
  /** Set just before the mail is handed to the transport, cleared by the outcome (src/mail/outbox.ts). */
  sending_at: ColumnType<Timestamp | null, Timestamp | null | undefined, Timestamp | null>;
}

/** The per-report reply token (stored hashed); replies to security+r-TOKEN@domain land on that report. */
export interface ReportReplyTokensTable {
  report_id: number;
  token_hash: string;
  created_at: Timestamp;
}

export interface KeysTables {
  team_keys: TeamKeysTable;
  user_pgp_keys: UserPgpKeysTable;
  inbound_messages: InboundMessagesTable;
  mail_deliveries: MailDeliveriesTable;
  report_reply_tokens: ReportReplyTokensTable;
}

export type TeamKeyRow = Selectable<TeamKeysTable>;
export type InboundMessageRow = Selectable<InboundMessagesTable>;
export type MailDeliveryRow = Selectable<MailDeliveriesTable>;
