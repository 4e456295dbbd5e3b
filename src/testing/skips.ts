// Honest accounting of what a test run could not do (issue 14): a suite that cannot run here is still
// registered, as a skipped describe whose title carries the reason, so the run's totals and its printed
// summary show it. On CI (CI=true) nothing may be missing: the same condition is a failure instead.
import { describe } from 'vitest';

/** Joins a suite title and the reason it is skipped; scripts/test.js and the runner look for it. */
export const SKIP_MARK = ' — skipped: ';

/** CI sets CI=true (GitHub, GitLab, .ci/run); there a missing database or browser must fail the run. */
export const onCi = /^(true|1)$/i.test(process.env.CI ?? '');

export function skippedTitle(title: string, reason: string): string {
  return `${title}${SKIP_MARK}${reason}`;
}

/** Throws on CI, where the missing piece is a configuration error. */
export function requireOnCi(available: boolean, reason: string, ci = onCi): void {
  if (!available && ci) throw new Error(`CI=true but ${reason}: on CI this is a failure, not a skip.`);
}

/**
 * `describe(title, fn)` when `available`; otherwise a skipped describe titled with the reason (its tests
 * are listed as skipped). On CI an unavailable suite fails instead.
 */
export function describeIf(available: boolean, reason: string, title: string, fn: () => void): void {
  requireOnCi(available, reason);
  if (available) describe(title, fn);
  else describe.skip(skippedTitle(title, reason), fn);
}
