// The one error catalogue (DESIGN.md §6): every failure a user or client can see has a code here,
// an HTTP status, and a message that says what to fix. Handlers throw these; the HTTP layer
// renders them as JSON (`{ error: { code, message, fields } }`) or as an HTML page/flash.

export type ErrorCode =
  | 'validation_failed'
  | 'bad_request'
  | 'not_found'
  | 'unauthenticated'
  | 'mfa_required'
  | 'forbidden_action'
  | 'csrf_invalid'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'server_busy'
  | 'account_locked'
  | 'unsupported_media_type'
  | 'precondition_failed'
  | 'internal'
  | 'database_unavailable'
  | 'storage_full'
  | 'idempotency_key_reused'
  | 'idempotency_key_in_use';

const statusByCode: Record<ErrorCode, number> = {
  validation_failed: 400,
  bad_request: 400,
  not_found: 404,
  unauthenticated: 401,
  mfa_required: 401,
  // Only for actions on objects the actor can already see (e.g. a reporter trying to vote).
  // Anything the actor may not see answers not_found instead (DESIGN.md §5: never confirm existence).
  forbidden_action: 403,
  csrf_invalid: 403,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  precondition_failed: 412,
  rate_limited: 429,
  // Too much in flight on this node (intake's memory bound); sent with Retry-After.
  server_busy: 503,
  account_locked: 429,
  internal: 500,
  // The database is restarting, failing over or unreachable: nothing was changed, try again shortly.
  database_unavailable: 503,
  // RFC 4918 §11.5: the server cannot store what the request needs to store (a full disk).
  storage_full: 507,
  // draft-ietf-httpapi-idempotency-key-header §2.6: the key was used for another request (422), or its
  // first request is still being answered (409).
  idempotency_key_reused: 422,
  idempotency_key_in_use: 409,
};

/**
 * Which errors an HTML form shows to the person who sent it, on the form again or as a flash on the page it
 * came from (src/http/form-action.ts). A form refusal is a problem with what was sent, or with the state of
 * an object the sender can already see, that they can fix or wait out. Never one: not_found and the sign-in
 * errors (a refusal of access must keep its status, never become a message confirming that something
 * exists, DESIGN.md §5), csrf_invalid (the form itself is stale: the error page says to reload), an
 * unreadable request, and faults of the server.
 */
const formRefusalByCode: Record<ErrorCode, boolean> = {
  validation_failed: true,
  conflict: true,
  // Only raised for objects the actor can see (see statusByCode).
  forbidden_action: true,
  precondition_failed: true,
  payload_too_large: true,
  // A sign-in delay or a locked second factor: said on the form, with Retry-After.
  rate_limited: true,
  account_locked: true,
  bad_request: false,
  not_found: false,
  unauthenticated: false,
  mfa_required: false,
  csrf_invalid: false,
  unsupported_media_type: false,
  server_busy: false,
  internal: false,
  database_unavailable: false,
  storage_full: false,
  idempotency_key_reused: false,
  idempotency_key_in_use: false,
};

/** Every code in the catalogue. */
export const ERROR_CODES = Object.keys(statusByCode) as ErrorCode[];

/** Whether a form shows this error to its sender rather than the error page answering it (the rule above). */
export function isFormRefusal(code: ErrorCode): boolean {
  return formRefusalByCode[code];
}

/** Codes a client should retry by itself, with the Retry-After it is told (RFC 9110 §10.2.3). */
const retryAfterByCode: Partial<Record<ErrorCode, number>> = { database_unavailable: 5, idempotency_key_in_use: 1 };

/** One problem with one input field; `field` is a dotted path such as `reporters.0.name`. */
export interface FieldIssue {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: FieldIssue[];
  /** Seconds to wait before trying again; sent as Retry-After (RFC 9110 §10.2.3) with 429, 503 and faults that pass by themselves. */
  retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, fields: FieldIssue[] = [], retryAfterSeconds?: number) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = statusByCode[code];
    this.fields = fields;
    this.retryAfterSeconds = retryAfterSeconds ?? retryAfterByCode[code];
  }

  toJSON(): { error: { code: ErrorCode; message: string; fields?: FieldIssue[] } } {
    return {
      error: { code: this.code, message: this.message, ...(this.fields.length ? { fields: this.fields } : {}) },
    };
  }
}

/** The summary of a validation error given no message of its own. */
export const GENERIC_VALIDATION_MESSAGE = 'Some fields need fixing.';

export const errors = {
  validation: (fields: FieldIssue[], message = GENERIC_VALIDATION_MESSAGE) =>
    new AppError('validation_failed', message, fields),
  field: (field: string, message: string) => new AppError('validation_failed', `${field}: ${message}`, [{ field, message }]),
  badRequest: (message: string) => new AppError('bad_request', message),
  notFound: (what = 'page') => new AppError('not_found', `No such ${what}.`),
  unauthenticated: () => new AppError('unauthenticated', 'Sign in to continue.'),
  mfaRequired: () => new AppError('mfa_required', 'Enter your authentication code to continue.'),
  forbiddenAction: (message: string) => new AppError('forbidden_action', message),
  csrf: () => new AppError('csrf_invalid', 'The form expired or was sent from another site. Reload the page and try again.'),
  conflict: (message: string) => new AppError('conflict', message),
  tooLarge: (message = 'The request body is too large.') => new AppError('payload_too_large', message),
  unsupportedMediaType: (message: string) => new AppError('unsupported_media_type', message),
  preconditionFailed: (message: string) => new AppError('precondition_failed', message),
  rateLimited: (message = 'Too many requests. Wait a minute and try again.') => new AppError('rate_limited', message),
  /** The same answer whether or not the account exists (no enumeration through the delay). */
  signInDelayed: (seconds: number) =>
    new AppError('rate_limited', `Wrong username or password, or too many tries: try again in ${seconds} s.`, [{ field: 'password', message: `Wrong username or password, or too many tries: try again in ${seconds} s.` }], seconds),
  secondFactorLocked: (seconds: number) =>
    new AppError(
      'account_locked',
      `Too many wrong codes: codes from the authenticator app are refused for ${Math.ceil(seconds / 60)} min. A recovery code still works. The account's owner has been told by mail.`,
      [{ field: 'code', message: 'Codes from the app are refused for now; a recovery code still works.' }],
      seconds,
    ),
  /**
   * An OpenID Connect sign-in that was refused (an answer that does not verify, a spent state, an unverified
   * email, registration closed…): nothing changed. 400, not 403: it is about what the browser brought back.
   */
  signInRefused: (message: string) => new AppError('bad_request', message),
  busy: (message: string) => new AppError('server_busy', message),
  internal: (message = 'Something went wrong on our side. The error has been logged.') =>
    new AppError('internal', message),
  databaseUnavailable: () =>
    new AppError('database_unavailable', 'The database cannot be reached right now; nothing was changed. Try again in a few seconds.'),
  idempotencyKeyReused: () =>
    new AppError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request. Use a new key for a new request.'),
  idempotencyKeyInUse: () =>
    new AppError('idempotency_key_in_use', 'A request with this Idempotency-Key is still being answered. Try again in a moment to get its answer.'),
  storageFull: () =>
    new AppError('storage_full', 'The server’s storage is full, so nothing could be saved and nothing was changed. Reading still works; try again once an administrator has freed space.'),
};

/** Collects field problems while validating a whole input, then throws them together. */
export class IssueCollector {
  readonly issues: FieldIssue[] = [];
  add(field: string, message: string): void {
    this.issues.push({ field, message });
  }
  get ok(): boolean {
    return this.issues.length === 0;
  }
  throwIfAny(message?: string): void {
    if (this.issues.length) throw errors.validation(this.issues, message);
  }
}
