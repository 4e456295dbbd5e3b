// The result shape every identifier check returns, and the two ways to turn it into the shared
// error catalogue: throw at once (ensureValid) or gather several fields first (collectValid).
import { errors, type IssueCollector } from '../errors/catalogue.js';

/** A normalised value, or a message saying what is wrong and what is expected. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

export function valid<T>(value: T): Checked<T> {
  return { ok: true, value };
}

export function invalid<T = never>(message: string): Checked<T> {
  return { ok: false, message };
}

/** The value, or an AppError `validation_failed` naming `field`. */
export function ensureValid<T>(result: Checked<T>, field: string): T {
  if (!result.ok) throw errors.field(field, result.message);
  return result.value;
}

/** The value, or undefined after adding the problem to `issues` (throw later with `issues.throwIfAny()`). */
export function collectValid<T>(issues: IssueCollector, field: string, result: Checked<T>): T | undefined {
  if (result.ok) return result.value;
  issues.add(field, result.message);
  return undefined;
}

/** A short, quoted, single-line excerpt of the input for messages (never echoes megabytes back). */
export function quoteInput(input: string, max = 40): string {
  // eslint-disable-next-line no-control-regex -- control characters are what must not reach a message
  const oneLine = input.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return JSON.stringify(oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine);
}

/**
 * Common first step: a string, refused early when longer than `maxLength` (so no pattern runs on
 * huge input), trimmed, not empty.
 */
export function trimmedText(input: unknown, what: string, maxLength: number): Checked<string> {
  if (typeof input !== 'string') return invalid(`${what} must be text.`);
  if (input.length > maxLength * 4 + 64 || input.trim().length > maxLength) {
    return invalid(`${what} is too long (at most ${maxLength} characters).`);
  }
  const text = input.trim();
  if (text === '') return invalid(`${what} is required.`);
  return valid(text);
}
