// Typed errors for mail: MailBuildError when our own outgoing message would be unsafe or invalid
// (e.g. header injection), MailRejection when an incoming message is refused. Both are catalogue
// errors with a stable `reason` the caller can branch on (SMTP reply, audit entry, UI text).
import { AppError } from '../../errors/catalogue.js';
import type { ErrorCode } from '../../errors/catalogue.js';

export type MailBuildReason =
  | 'header_injection'
  | 'invalid_address'
  | 'missing_recipient'
  | 'invalid_header_name'
  | 'reserved_header'
  | 'invalid_message_id'
  | 'unsafe_filename'
  | 'invalid_content_type';

export class MailBuildError extends AppError {
  readonly reason: MailBuildReason;

  constructor(reason: MailBuildReason, field: string, message: string) {
    super('validation_failed', `${field}: ${message}`, [{ field, message }]);
    this.name = 'MailBuildError';
    this.reason = reason;
  }
}

export type MailRejectionReason =
  | 'too_large'
  | 'header_too_large'
  | 'too_many_parts'
  | 'too_deep'
  | 'malformed_mime'
  | 'missing_boundary'
  | 'malformed_pgp'
  | 'not_encrypted_to_team'
  | 'decryption_failed';

const codeByReason: Record<MailRejectionReason, ErrorCode> = {
  too_large: 'payload_too_large',
  header_too_large: 'payload_too_large',
  too_many_parts: 'payload_too_large',
  too_deep: 'payload_too_large',
  malformed_mime: 'bad_request',
  missing_boundary: 'bad_request',
  malformed_pgp: 'bad_request',
  not_encrypted_to_team: 'bad_request',
  decryption_failed: 'bad_request',
};

export class MailRejection extends AppError {
  readonly reason: MailRejectionReason;

  constructor(reason: MailRejectionReason, message: string) {
    super(codeByReason[reason], message, [{ field: 'message', message }]);
    this.name = 'MailRejection';
    this.reason = reason;
  }
}
