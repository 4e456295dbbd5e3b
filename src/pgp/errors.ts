// Typed PGP input errors. They are catalogue errors (validation_failed, HTTP 400) with a stable
// `reason` a caller can branch on, and a message that says what to fix.
import { AppError } from '../errors/catalogue.js';

export type PgpErrorReason =
  | 'not_armored'
  | 'not_a_key'
  | 'malformed_packet'
  | 'truncated_packet'
  | 'no_key'
  | 'multiple_keys'
  | 'secret_key_required'
  | 'secret_key_not_protected'
  | 'wrong_passphrase'
  | 'weak_passphrase'
  | 'key_unusable'
  | 'malformed_message'
  | 'malformed_signature'
  | 'no_matching_secret_key'
  | 'decryption_failed';

export class PgpError extends AppError {
  readonly reason: PgpErrorReason;

  constructor(reason: PgpErrorReason, field: string, message: string) {
    super('validation_failed', message, [{ field, message }]);
    this.name = 'PgpError';
    this.reason = reason;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Translates an OpenPGP.js parse failure into a PgpError that tells the user what was wrong. */
export function packetParseError(error: unknown, field: string, what: string): PgpError {
  const detail = errorMessage(error);
  if (/Unexpected end of packet|end of (the )?(input|stream)|Misformed armored text/i.test(detail)) {
    return new PgpError(
      'truncated_packet',
      field,
      `The ${what} is truncated or incomplete (${detail}). Paste the whole block, including the BEGIN and END lines.`,
    );
  }
  return new PgpError('malformed_packet', field, `The ${what} is not valid OpenPGP data (${detail}).`);
}
