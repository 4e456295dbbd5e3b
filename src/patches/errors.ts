// Why a patch upload is refused. The error is an AppError from the shared catalogue (so the HTTP
// layer renders it like any other), with a machine-readable reason for callers and tests.
import { AppError } from '../errors/catalogue.js';

export type PatchRejectionReason =
  | 'not_a_patch'
  | 'binary_garbage'
  | 'header_not_utf8'
  | 'mime_not_supported'
  | 'empty_message'
  | 'too_large'
  | 'too_many_files'
  | 'unsafe_path'
  | 'unsafe_symlink';

export class PatchRejectedError extends AppError {
  readonly reason: PatchRejectionReason;

  constructor(reason: PatchRejectionReason, message: string, field = 'patch') {
    super(reason === 'too_large' ? 'payload_too_large' : 'validation_failed', message, [{ field, message }]);
    this.name = 'PatchRejectedError';
    this.reason = reason;
  }
}

export function rejectPatch(reason: PatchRejectionReason, message: string, field?: string): PatchRejectedError {
  return new PatchRejectedError(reason, message, field);
}
