// Embargo calendar arithmetic (DESIGN.md §2 "Embargo rules"). Pure functions, all in UTC: a UTC day
// is always 24 hours, so "calendar days" and day counts never shift with daylight saving time. Time
// zones only matter for display, where Intl.DateTimeFormat applies the IANA rules.
import { errors, IssueCollector } from '../errors/catalogue.js';
import { formatUtc, localSuffix, toUtcDate, type DateInput } from '../text/moments.js';

// Kept importable from here: the calendar's callers think in embargo days and moments together.
export { formatInZone, formatUtc, localSuffix, toUtcDate, type DateInput } from '../text/moments.js';

export const DAY_MS = 86_400_000;
export const DEFAULT_EMBARGO_DAYS = 90;
export const DEFAULT_DISCLOSURE_HOUR_UTC = 15;

const DAY_KEY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Guards day-by-day scans against a holiday list that blocks every day.
const MAX_SCAN_DAYS = 3660;

/** The UTC calendar day of a moment as `YYYY-MM-DD`. */
export function utcDayKey(date: DateInput): string {
  return toUtcDate(date).toISOString().slice(0, 10);
}

/** Validates a holiday list (`YYYY-MM-DD` UTC days) once; field errors name the bad entry. */
export function parseHolidays(holidays: readonly string[] = [], field = 'holidays'): ReadonlySet<string> {
  const issues = new IssueCollector();
  const set = new Set<string>();
  holidays.forEach((day, index) => {
    const m = typeof day === 'string' ? DAY_KEY_RE.exec(day.trim()) : null;
    const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
    const check = new Date(Date.UTC(y, mo - 1, d));
    if (!m || check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
      issues.add(`${field}.${index}`, `"${String(day)}" is not a date in the form YYYY-MM-DD.`);
    } else {
      set.add(check.toISOString().slice(0, 10));
    }
  });
  issues.throwIfAny('Some holidays are not valid dates.');
  return set;
}

type DayTest = (dayStart: Date, holidays: ReadonlySet<string>) => boolean;

const isDisclosureDay: DayTest = (day, holidays) => {
  // Pre-notice counting skips Mondays and Fridays as well as weekends (DESIGN.md §2).
  const weekday = day.getUTCDay();
  return weekday >= 2 && weekday <= 4 && !holidays.has(day.toISOString().slice(0, 10));
};

const isOrdinaryBusinessDay: DayTest = (day, holidays) => {
  const weekday = day.getUTCDay();
  return weekday >= 1 && weekday <= 5 && !holidays.has(day.toISOString().slice(0, 10));
};

function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/** The n-th qualifying day strictly after `from`'s UTC day (n = 0 gives `from`'s own day), at 00:00 UTC. */
function nthDayAfter(from: Date, n: number, test: DayTest, holidays: ReadonlySet<string>): Date {
  let day = startOfUtcDay(from);
  let found = 0;
  for (let scanned = 0; found < n; scanned++) {
    if (scanned > MAX_SCAN_DAYS) throw errors.field('holidays', 'leave no business day within ten years.');
    day = new Date(day.getTime() + DAY_MS);
    if (test(day, holidays)) found++;
  }
  return day;
}

function requireWholeNumber(value: number, field: string, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw errors.field(field, `must be a whole number from ${min} to ${max}.`);
  }
}

/** Hard end of an embargo: received + `maxDays` calendar days, same UTC time of day (DESIGN.md §2). */
export function embargoHardEnd(receivedAt: DateInput, maxDays = DEFAULT_EMBARGO_DAYS): Date {
  requireWholeNumber(maxDays, 'maxDays', 1, 3650);
  return new Date(toUtcDate(receivedAt, 'receivedAt').getTime() + maxDays * DAY_MS);
}

/**
 * Whole days left until `end`, rounded down (toward −∞): the number of complete 24-hour periods
 * before the end. 0 means less than a day is left; −1 means the end passed less than a day ago.
 */
export function daysLeft(now: DateInput, end: DateInput): number {
  return Math.floor((toUtcDate(end, 'end').getTime() - toUtcDate(now, 'now').getTime()) / DAY_MS);
}

/**
 * The embargo end for people: "2026-12-01 15:00 UTC (16:00 Europe/Berlin), 9 days left".
 * The local date is added when it differs from the UTC date; the parenthesis is left out for UTC viewers.
 */
export function formatEmbargoEnd(end: DateInput, now: DateInput, timeZone = 'UTC'): string {
  const endDate = toUtcDate(end, 'end');
  const nowDate = toUtcDate(now, 'now');
  return `${formatUtc(endDate)}${localSuffix(endDate, timeZone)}, ${describeRemaining(nowDate, endDate)}`;
}

/** "9 days left", "less than a day left", "ended 3 days ago". */
export function describeRemaining(now: Date, end: Date): string {
  if (end.getTime() > now.getTime()) {
    const left = daysLeft(now, end);
    return left === 0 ? 'less than a day left' : `${left} ${left === 1 ? 'day' : 'days'} left`;
  }
  const ago = Math.floor((now.getTime() - end.getTime()) / DAY_MS);
  return ago === 0 ? 'ended less than a day ago' : `ended ${ago} ${ago === 1 ? 'day' : 'days'} ago`;
}

/** Tuesday–Thursday and not a holiday: the days that count towards a pre-notice (DESIGN.md §2). */
export function isBusinessDayForDisclosure(date: DateInput, holidays: readonly string[] = []): boolean {
  return isDisclosureDay(startOfUtcDay(toUtcDate(date)), parseHolidays(holidays));
}

/** Monday–Friday and not a holiday (used for the acknowledgement deadline). */
export function isOrdinaryBusinessDayUtc(date: DateInput, holidays: readonly string[] = []): boolean {
  return isOrdinaryBusinessDay(startOfUtcDay(toUtcDate(date)), parseHolidays(holidays));
}

/**
 * Disclosure business days in the UTC days after `from`'s day up to and including `to`'s day, so the
 * n-th business day after `from` counts n. 0 when `to` is not on a later day. Computed per week,
 * not per day, so far-away dates cost nothing.
 */
export function countDisclosureBusinessDays(from: DateInput, to: DateInput, holidays: readonly string[] = []): number {
  return countDays(toUtcDate(from, 'from'), toUtcDate(to, 'to'), parseHolidays(holidays));
}

function countDays(from: Date, to: Date, holidays: ReadonlySet<string>): number {
  const first = startOfUtcDay(from).getTime() + DAY_MS;
  const last = startOfUtcDay(to).getTime();
  if (last < first) return 0;
  const span = (last - first) / DAY_MS + 1;
  let count = Math.floor(span / 7) * 3;
  for (let i = 0; i < span % 7; i++) {
    const weekday = new Date(first + i * DAY_MS).getUTCDay();
    if (weekday >= 2 && weekday <= 4) count++;
  }
  for (const key of holidays) {
    const t = Date.parse(`${key}T00:00:00Z`);
    const weekday = new Date(t).getUTCDay();
    if (t >= first && t <= last && weekday >= 2 && weekday <= 4) count--;
  }
  return count;
}

export interface DisclosureProposalOptions {
  minBusinessDays?: number;
  maxBusinessDays?: number;
  hourUtc?: number;
  holidays?: readonly string[];
  /** The embargo hard end: the window is cut to end before it, and a warning raised if it cannot. */
  hardEnd?: DateInput;
}

export interface DisclosureProposal {
  /** The earliest allowed moment: the pre-notice sent now gets exactly `minBusinessDays`. */
  proposed: Date;
  /** Allowed window (inclusive), both at `hourUtc` on disclosure business days. */
  earliest: Date;
  latest: Date;
  /** Problems with `proposed` (e.g. `after_hard_end` when the embargo ends too soon). */
  warnings: DisclosureWarning[];
}

/**
 * Proposes a disclosure moment 5–10 disclosure business days ahead at 15:00 UTC (DESIGN.md §2).
 * Disclosure business days are Tuesday–Thursday by definition, so the preference for those days holds.
 */
export function proposeDisclosureDate(now: DateInput, options: DisclosureProposalOptions = {}): DisclosureProposal {
  const { minBusinessDays = 5, maxBusinessDays = 10, hourUtc = DEFAULT_DISCLOSURE_HOUR_UTC, holidays = [] } = options;
  requireWholeNumber(minBusinessDays, 'minBusinessDays', 1, 260);
  requireWholeNumber(maxBusinessDays, 'maxBusinessDays', minBusinessDays, 260);
  requireWholeNumber(hourUtc, 'hourUtc', 0, 23);
  const nowDate = toUtcDate(now, 'now');
  const holidaySet = parseHolidays(holidays);
  const at = (day: Date) => new Date(day.getTime() + hourUtc * 3_600_000);
  const earliest = at(nthDayAfter(nowDate, minBusinessDays, isDisclosureDay, holidaySet));
  let latest = at(nthDayAfter(nowDate, maxBusinessDays, isDisclosureDay, holidaySet));
  const hardEnd = options.hardEnd === undefined ? undefined : toUtcDate(options.hardEnd, 'hardEnd');
  if (hardEnd && latest.getTime() > hardEnd.getTime()) {
    // Cut the window to the last disclosure slot not after the hard end; if none, it shrinks to `earliest`.
    let slot = latest;
    while (slot.getTime() > earliest.getTime() && !(slot.getTime() <= hardEnd.getTime() && isDisclosureDay(startOfUtcDay(slot), holidaySet))) {
      slot = new Date(slot.getTime() - DAY_MS);
    }
    latest = slot;
  }
  const warnings = checkDisclosure(earliest, nowDate, holidaySet, {
    minBusinessDays,
    preNotice: true,
    hardEnd,
  });
  return { proposed: earliest, earliest, latest, warnings };
}

export type DisclosureWarningCode =
  | 'in_past'
  | 'weekend'
  | 'holiday'
  | 'monday_or_friday'
  | 'too_soon'
  | 'after_hard_end';

export interface DisclosureWarning {
  code: DisclosureWarningCode;
  message: string;
}

export interface DisclosureCheckOptions {
  /** Embargo hard end; a disclosure after it raises `after_hard_end`. */
  hardEnd?: DateInput;
  /** Minimum pre-notice, in disclosure business days (default 5). */
  minBusinessDays?: number;
  /** False for reports that skip the pre-notice (public reports): no `too_soon`. */
  preNotice?: boolean;
}

/**
 * Warnings for a chosen disclosure moment; an empty list means it follows every rule. The caller
 * decides whether to allow it anyway with a recorded reason.
 */
export function checkDisclosureTime(
  at: DateInput,
  now: DateInput,
  holidays: readonly string[] = [],
  options: DisclosureCheckOptions = {},
): DisclosureWarning[] {
  const minBusinessDays = options.minBusinessDays ?? 5;
  requireWholeNumber(minBusinessDays, 'minBusinessDays', 0, 260);
  return checkDisclosure(toUtcDate(at, 'at'), toUtcDate(now, 'now'), parseHolidays(holidays), {
    minBusinessDays,
    preNotice: options.preNotice ?? true,
    hardEnd: options.hardEnd === undefined ? undefined : toUtcDate(options.hardEnd, 'hardEnd'),
  });
}

function checkDisclosure(
  at: Date,
  now: Date,
  holidays: ReadonlySet<string>,
  options: { minBusinessDays: number; preNotice: boolean; hardEnd: Date | undefined },
): DisclosureWarning[] {
  const warnings: DisclosureWarning[] = [];
  const when = formatUtc(at);
  const weekday = at.getUTCDay();
  const dayName = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][weekday] ?? '';
  const inPast = at.getTime() <= now.getTime();
  if (inPast) warnings.push({ code: 'in_past', message: `The disclosure time ${when} is not in the future.` });
  if (weekday === 0 || weekday === 6) {
    warnings.push({ code: 'weekend', message: `${when} is a ${dayName}; disclose on a working day, preferably Tuesday–Thursday.` });
  }
  if (holidays.has(utcDayKey(at))) {
    warnings.push({ code: 'holiday', message: `${utcDayKey(at)} is a configured holiday.` });
  }
  if (weekday === 1 || weekday === 5) {
    warnings.push({ code: 'monday_or_friday', message: `${when} is a ${dayName}; disclosure is preferably Tuesday–Thursday.` });
  }
  if (options.preNotice && !inPast) {
    const count = countDays(now, at, holidays);
    if (count < options.minBusinessDays) {
      warnings.push({
        code: 'too_soon',
        message:
          `Only ${count} business ${count === 1 ? 'day' : 'days'} (Tuesday–Thursday, not holidays) before ${when}; ` +
          `a pre-notice needs at least ${options.minBusinessDays}.`,
      });
    }
  }
  if (options.hardEnd && at.getTime() > options.hardEnd.getTime()) {
    warnings.push({
      code: 'after_hard_end',
      message: `${when} is after the embargo hard end ${formatUtc(options.hardEnd)}; extending needs a recorded reason.`,
    });
  }
  return warnings;
}

export interface EmbargoWarningTime {
  daysBefore: number;
  at: Date;
}

/** The moments to warn before an embargo ends (DESIGN.md §2: e.g. 14, 7 and 1 days), earliest first. */
export function embargoWarningTimes(end: DateInput, daysBefore: readonly number[] = [14, 7, 1]): EmbargoWarningTime[] {
  const endDate = toUtcDate(end, 'end');
  daysBefore.forEach((days, i) => requireWholeNumber(days, `daysBefore.${i}`, 1, 3650));
  return [...new Set(daysBefore)]
    .sort((a, b) => b - a)
    .map((days) => ({ daysBefore: days, at: new Date(endDate.getTime() - days * DAY_MS) }));
}

/**
 * Acknowledgement deadline: the `businessDays`-th ordinary business day (Monday–Friday, not a holiday)
 * after the day of receipt, at the UTC time of day the report arrived.
 */
export function ackDeadline(receivedAt: DateInput, businessDays = 3, holidays: readonly string[] = []): Date {
  requireWholeNumber(businessDays, 'businessDays', 1, 260);
  const received = toUtcDate(receivedAt, 'receivedAt');
  const day = nthDayAfter(received, businessDays, isOrdinaryBusinessDay, parseHolidays(holidays));
  return new Date(day.getTime() + (received.getTime() - startOfUtcDay(received).getTime()));
}
