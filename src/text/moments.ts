// Moments and how they are written for people: parsing an ISO-8601 date strictly, UTC and zoned display.
// Pure functions below every layer that shows a time (the page components, the embargo calendar).
import { errors } from '../errors/catalogue.js';

/** A moment: a Date, or an ISO-8601 string (`YYYY-MM-DD` = midnight UTC, or a date-time with `Z`/offset). */
export type DateInput = Date | string;

// A date-time must carry its zone: a bare local time would depend on the server's TZ setting.
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Parses a DateInput, refusing impossible dates (2026-02-30, 24:00) that `Date.parse` silently rolls over. */
export function toUtcDate(input: DateInput, field = 'date'): Date {
  if (input instanceof Date) {
    if (Number.isNaN(input.getTime())) throw errors.field(field, 'is not a valid date.');
    return new Date(input.getTime());
  }
  if (typeof input !== 'string' || input.length > 40) {
    throw errors.field(field, 'must be an ISO-8601 date such as 2026-12-01 or 2026-12-01T15:00:00Z.');
  }
  const m = ISO_RE.exec(input.trim());
  if (!m) throw errors.field(field, `"${input}" is not an ISO-8601 date such as 2026-12-01 or 2026-12-01T15:00:00Z.`);
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (y < 1970) throw errors.field(field, `"${input}" is before 1970; give a real date.`);
  const base = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const check = new Date(base);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw errors.field(field, `"${input}" is not a real date or time of day.`);
  }
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) throw errors.field(field, `"${input}" has an impossible UTC offset.`);
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  return new Date(base - offsetMinutes * 60_000);
}

/** `YYYY-MM-DD HH:MM UTC`. */
export function formatUtc(date: DateInput): string {
  const iso = toUtcDate(date).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** Date and time of a moment in an IANA zone (DST applied by Intl); throws a field error for an unknown zone. */
export function formatInZone(date: DateInput, timeZone: string): { day: string; time: string; timeZone: string } {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    throw errors.field('timeZone', `"${timeZone}" is not a known time zone; use an IANA name such as Europe/Berlin.`);
  }
  const parts = Object.fromEntries(format.formatToParts(toUtcDate(date)).map((p) => [p.type, p.value]));
  // ICU reports some zones under old names (Asia/Kolkata as Asia/Calcutta): keep the viewer's
  // spelling unless it differs only in case.
  const resolved = format.resolvedOptions().timeZone;
  return {
    day: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
    timeZone: resolved.toLowerCase() === timeZone.toLowerCase() ? resolved : timeZone,
  };
}

/** " (16:00 Europe/Berlin)" beside a UTC time, with the local date when it differs; "" for UTC viewers. */
export function localSuffix(date: DateInput, timeZone: string): string {
  const at = toUtcDate(date);
  const local = formatInZone(at, timeZone);
  if (local.timeZone === 'UTC' || local.timeZone === 'Etc/UTC') return '';
  return ` (${local.day === formatUtc(at).slice(0, 10) ? '' : `${local.day} `}${local.time} ${local.timeZone})`;
}
