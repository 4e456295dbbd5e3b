// Expected dates were worked out independently with Python's datetime/zoneinfo (tzdata), not with this code.
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/catalogue.js';
import {
  ackDeadline,
  checkDisclosureTime,
  countDisclosureBusinessDays,
  DAY_MS,
  daysLeft,
  embargoHardEnd,
  embargoWarningTimes,
  formatEmbargoEnd,
  formatInZone,
  isBusinessDayForDisclosure,
  isOrdinaryBusinessDayUtc,
  parseHolidays,
  proposeDisclosureDate,
  toUtcDate,
} from './calendar.js';

const iso = (d: Date) => d.toISOString();

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).fields.map((f) => f.field);
  }
  throw new Error('expected a validation error');
}

describe('toUtcDate', () => {
  it.each([
    ['2026-12-01', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T15:00Z', '2026-12-01T15:00:00.000Z'],
    ['2026-12-01T16:00:00+01:00', '2026-12-01T15:00:00.000Z'],
    ['2026-12-01T10:00:00.123456-05:00', '2026-12-01T15:00:00.123Z'],
  ])('parses %s', (input, expected) => {
    expect(iso(toUtcDate(input))).toBe(expected);
  });

  it.each(['2026-02-30', '2026-01-01T24:00Z', '2026-01-01T10:00', 'next tuesday', '1969-12-31', '2026-01-01T10:00+25:00'])(
    'refuses %s with a field error',
    (input) => {
      expect(fieldsOf(() => toUtcDate(input, 'at'))).toEqual(['at']);
    },
  );

  it('refuses an invalid Date object', () => {
    expect(fieldsOf(() => toUtcDate(new Date(NaN)))).toEqual(['date']);
  });
});

describe('embargoHardEnd', () => {
  it.each([
    ['2026-01-06T10:00:00Z', 90, '2026-04-06T10:00:00.000Z'],
    ['2026-11-15T23:59:59Z', 90, '2027-02-13T23:59:59.000Z'], // across the year end
    ['2027-12-31T12:00:00Z', 90, '2028-03-30T12:00:00.000Z'], // across 29 February 2028
    ['2026-03-01T15:00:00Z', 90, '2026-05-30T15:00:00.000Z'], // across European DST: still 15:00 UTC
    ['2026-01-06T10:00:00Z', 30, '2026-02-05T10:00:00.000Z'],
  ])('%s + %i days = %s', (received, days, expected) => {
    expect(iso(embargoHardEnd(received, days))).toBe(expected);
  });

  it('refuses a non-integer length', () => {
    expect(fieldsOf(() => embargoHardEnd('2026-01-06', 1.5))).toEqual(['maxDays']);
  });
});

describe('daysLeft (rounded down to whole days)', () => {
  const end = Date.parse('2026-12-01T15:00:00Z');
  it.each([
    [9 * DAY_MS, 9],
    [9 * DAY_MS - 1, 8],
    [1, 0],
    [0, 0],
    [-1, -1],
    [-DAY_MS, -1],
    [-DAY_MS - 1, -2],
  ])('%i ms before the end gives %i', (msBefore, expected) => {
    expect(daysLeft(new Date(end - msBefore), new Date(end))).toBe(expected);
  });
});

describe('formatEmbargoEnd', () => {
  it.each([
    ['2026-12-01T15:00Z', '2026-11-22T15:00Z', 'Europe/Berlin', '2026-12-01 15:00 UTC (16:00 Europe/Berlin), 9 days left'],
    ['2026-12-01T15:00Z', '2026-11-30T15:00Z', 'UTC', '2026-12-01 15:00 UTC, 1 day left'],
    ['2026-12-01T15:00Z', '2026-12-01T14:00Z', 'Etc/UTC', '2026-12-01 15:00 UTC, less than a day left'],
    ['2026-12-01T15:00Z', '2026-12-01T15:00Z', 'UTC', '2026-12-01 15:00 UTC, ended less than a day ago'],
    ['2026-12-01T15:00Z', '2026-12-04T16:00Z', 'UTC', '2026-12-01 15:00 UTC, ended 3 days ago'],
    // Daylight saving changes in the display zone: the UTC end stays put, the local time jumps.
    ['2026-03-29T00:30Z', '2026-03-20T00:30Z', 'Europe/Berlin', '2026-03-29 00:30 UTC (01:30 Europe/Berlin), 9 days left'],
    ['2026-03-29T01:30Z', '2026-03-20T00:30Z', 'Europe/Berlin', '2026-03-29 01:30 UTC (03:30 Europe/Berlin), 9 days left'],
    ['2026-10-25T00:30Z', '2026-10-01T00:00Z', 'Europe/Berlin', '2026-10-25 00:30 UTC (02:30 Europe/Berlin), 24 days left'],
    ['2026-10-25T01:30Z', '2026-10-01T00:00Z', 'Europe/Berlin', '2026-10-25 01:30 UTC (02:30 Europe/Berlin), 24 days left'],
    ['2026-03-08T07:30Z', '2026-03-01T00:00Z', 'America/New_York', '2026-03-08 07:30 UTC (03:30 America/New_York), 7 days left'],
    ['2026-11-01T06:30Z', '2026-10-31T00:00Z', 'America/New_York', '2026-11-01 06:30 UTC (01:30 America/New_York), 1 day left'],
    ['2026-04-05T15:00Z', '2026-04-01T00:00Z', 'Australia/Lord_Howe', '2026-04-05 15:00 UTC (2026-04-06 01:30 Australia/Lord_Howe), 4 days left'],
    // Local date differs from the UTC date, across a year end in both directions.
    ['2026-12-31T23:30Z', '2026-12-01T00:00Z', 'Asia/Kolkata', '2026-12-31 23:30 UTC (2027-01-01 05:00 Asia/Kolkata), 30 days left'],
    ['2026-12-31T15:00Z', '2026-12-01T00:00Z', 'Pacific/Kiritimati', '2026-12-31 15:00 UTC (2027-01-01 05:00 Pacific/Kiritimati), 30 days left'],
    ['2026-01-01T03:00Z', '2025-12-01T00:00Z', 'America/Los_Angeles', '2026-01-01 03:00 UTC (2025-12-31 19:00 America/Los_Angeles), 31 days left'],
  ])('%s seen at %s in %s', (end, now, zone, expected) => {
    expect(formatEmbargoEnd(end, now, zone)).toBe(expected);
  });

  it('canonicalises the zone name and refuses unknown zones with a field error', () => {
    expect(formatInZone('2026-12-01T15:00Z', 'europe/berlin')).toEqual({ day: '2026-12-01', time: '16:00', timeZone: 'Europe/Berlin' });
    expect(fieldsOf(() => formatEmbargoEnd('2026-12-01T15:00Z', '2026-11-01T00:00Z', 'Mars/Olympus_Mons'))).toEqual(['timeZone']);
  });
});

describe('business days', () => {
  it.each([
    ['2026-01-04', false, false], // Sunday
    ['2026-01-05', false, true], // Monday: a business day, but not for pre-notice counting
    ['2026-01-06', true, true], // Tuesday
    ['2026-01-07', true, true], // Wednesday
    ['2026-01-08', true, true], // Thursday
    ['2026-01-09', false, true], // Friday
    ['2026-01-10', false, false], // Saturday
    ['2026-12-24T23:59:59Z', false, false], // Thursday, holiday
    ['2026-12-31T00:00:00Z', true, true], // Thursday, not configured as a holiday
  ])('%s: disclosure day %s, ordinary business day %s', (day, disclosure, ordinary) => {
    const holidays = ['2026-12-24', '2026-12-25'];
    expect(isBusinessDayForDisclosure(day, holidays)).toBe(disclosure);
    expect(isOrdinaryBusinessDayUtc(day, holidays)).toBe(ordinary);
  });

  it('names each bad holiday entry', () => {
    expect(fieldsOf(() => parseHolidays(['2026-12-24', '24/12/2026', '2026-02-29', '2028-02-29']))).toEqual([
      'holidays.1',
      'holidays.2',
    ]);
  });

  it.each([
    ['2026-01-06T10:00Z', '2026-01-06T23:00Z', [], 0], // same day
    ['2026-01-06T10:00Z', '2026-01-05T10:00Z', [], 0], // backwards
    ['2026-01-06T10:00Z', '2026-01-09T10:00Z', [], 2], // Wed, Thu (Fri not counted)
    ['2026-01-06T10:00Z', '2026-01-13T10:00Z', [], 3], // + Tuesday; Monday skipped
    ['2026-01-06T10:00Z', '2026-01-15T15:00Z', [], 5],
    ['2026-01-06T10:00Z', '2026-01-15T15:00Z', ['2026-01-14', '2026-01-12'], 4], // Monday holiday changes nothing
    ['2026-12-22T10:00Z', '2027-01-07T15:00Z', ['2026-12-24', '2026-12-29', '2026-12-30', '2027-01-01'], 5],
  ] as const)('from %s to %s with %j: %i', (from, to, holidays, expected) => {
    expect(countDisclosureBusinessDays(from, to, holidays)).toBe(expected);
  });

  it('counts by week arithmetic exactly as a day-by-day walk would', () => {
    const holidays = ['2026-03-03', '2026-03-04', '2026-05-14', '2026-12-25', '2027-01-05'];
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    for (let i = 0; i < 200; i++) {
      const from = Date.parse('2026-01-01T00:00:00Z') + (next() % 400) * DAY_MS + (next() % DAY_MS);
      const to = from + (next() % 60) * DAY_MS + (next() % DAY_MS);
      let walked = 0;
      for (let d = Math.floor(from / DAY_MS) + 1; d <= Math.floor(to / DAY_MS); d++) {
        if (isBusinessDayForDisclosure(new Date(d * DAY_MS), holidays)) walked++;
      }
      expect(countDisclosureBusinessDays(new Date(from), new Date(to), holidays)).toBe(walked);
    }
  });
});

describe('proposeDisclosureDate', () => {
  it.each([
    ['2026-01-06T10:00Z', [], '2026-01-15T15:00:00.000Z', '2026-01-28T15:00:00.000Z'], // Tuesday
    ['2026-01-09T18:00Z', [], '2026-01-21T15:00:00.000Z', '2026-02-03T15:00:00.000Z'], // Friday
    ['2026-12-22T10:00Z', [], '2026-12-31T15:00:00.000Z', '2027-01-13T15:00:00.000Z'], // over the year end
    ['2026-12-22T10:00Z', ['2026-12-24', '2026-12-29', '2026-12-30', '2027-01-01'], '2027-01-07T15:00:00.000Z', '2027-01-20T15:00:00.000Z'],
    ['2027-02-24T10:00Z', [], '2027-03-09T15:00:00.000Z', '2027-03-18T15:00:00.000Z'], // over the end of February
  ] as const)('from %s with holidays %j', (now, holidays, earliest, latest) => {
    const proposal = proposeDisclosureDate(now, { holidays });
    expect(iso(proposal.proposed)).toBe(earliest);
    expect(iso(proposal.earliest)).toBe(earliest);
    expect(iso(proposal.latest)).toBe(latest);
    expect(proposal.warnings).toEqual([]);
  });

  it('always proposes a Tuesday–Thursday slot that passes every check', () => {
    const holidays = ['2026-04-07', '2026-04-08', '2026-12-24'];
    for (let day = 0; day < 370; day += 1) {
      const now = new Date(Date.parse('2026-01-01T08:00:00Z') + day * DAY_MS);
      const { proposed, latest } = proposeDisclosureDate(now, { holidays });
      expect([2, 3, 4]).toContain(proposed.getUTCDay());
      expect(proposed.getUTCHours()).toBe(15);
      expect(checkDisclosureTime(proposed, now, holidays)).toEqual([]);
      expect(countDisclosureBusinessDays(now, proposed, holidays)).toBe(5);
      expect(countDisclosureBusinessDays(now, latest, holidays)).toBe(10);
    }
  });

  it('honours another hour and window', () => {
    const p = proposeDisclosureDate('2026-01-06T10:00Z', { minBusinessDays: 1, maxBusinessDays: 2, hourUtc: 9 });
    expect([iso(p.earliest), iso(p.latest)]).toEqual(['2026-01-07T09:00:00.000Z', '2026-01-08T09:00:00.000Z']);
  });

  it('cuts the window at the embargo hard end, and warns when even the earliest slot is too late', () => {
    const cut = proposeDisclosureDate('2026-01-06T10:00Z', { hardEnd: '2026-01-22T12:00Z' });
    expect(iso(cut.latest)).toBe('2026-01-21T15:00:00.000Z');
    expect(cut.warnings).toEqual([]);
    const late = proposeDisclosureDate('2026-01-06T10:00Z', { hardEnd: '2026-01-10T00:00Z' });
    expect(iso(late.latest)).toBe(iso(late.earliest));
    expect(late.warnings.map((w) => w.code)).toEqual(['after_hard_end']);
  });

  it('refuses an impossible window', () => {
    expect(fieldsOf(() => proposeDisclosureDate('2026-01-06', { minBusinessDays: 10, maxBusinessDays: 5 }))).toEqual(['maxBusinessDays']);
    expect(fieldsOf(() => proposeDisclosureDate('2026-01-06', { hourUtc: 24 }))).toEqual(['hourUtc']);
  });
});

describe('checkDisclosureTime', () => {
  const now = '2026-01-06T10:00Z';
  it.each([
    ['2026-01-15T15:00Z', {}, []],
    ['2026-01-06T09:00Z', {}, ['in_past']],
    ['2026-01-06T10:00Z', {}, ['in_past']],
    ['2026-01-06T15:00Z', {}, ['too_soon']],
    ['2026-01-13T15:00Z', {}, ['too_soon']], // only 3 counted days
    ['2026-01-10T15:00Z', {}, ['weekend', 'too_soon']],
    ['2026-01-17T15:00Z', {}, ['weekend']], // Saturday after 5 counted days
    ['2026-01-19T15:00Z', {}, ['monday_or_friday']], // Monday, 5 counted days before it
    ['2026-01-23T15:00Z', {}, ['monday_or_friday']], // Friday
    ['2026-01-24T15:00Z', { preNotice: false }, ['weekend']],
    ['2026-01-09T15:00Z', { preNotice: false }, ['monday_or_friday']],
    ['2026-01-21T15:00Z', { hardEnd: '2026-01-21T14:59Z' }, ['after_hard_end']],
    ['2026-01-21T15:00Z', { hardEnd: '2026-01-21T15:00Z' }, []],
    ['2026-01-15T15:00Z', { minBusinessDays: 6 }, ['too_soon']],
  ] as const)('%s with %j warns %j', (at, options, codes) => {
    expect(checkDisclosureTime(at, now, [], options).map((w) => w.code)).toEqual(codes);
  });

  it('flags holidays and explains each warning', () => {
    const warnings = checkDisclosureTime('2026-12-25T15:00Z', '2026-12-01T10:00Z', ['2026-12-25'], { hardEnd: '2026-12-20T00:00Z' });
    expect(warnings.map((w) => w.code)).toEqual(['holiday', 'monday_or_friday', 'after_hard_end']);
    expect(warnings.map((w) => w.message)).toEqual([
      '2026-12-25 is a configured holiday.',
      '2026-12-25 15:00 UTC is a Friday; disclosure is preferably Tuesday–Thursday.',
      '2026-12-25 15:00 UTC is after the embargo hard end 2026-12-20 00:00 UTC; extending needs a recorded reason.',
    ]);
    expect(checkDisclosureTime('2026-01-13T15:00Z', now)[0]?.message).toBe(
      'Only 3 business days (Tuesday–Thursday, not holidays) before 2026-01-13 15:00 UTC; a pre-notice needs at least 5.',
    );
  });
});

describe('embargoWarningTimes', () => {
  it('gives the default 14, 7 and 1 day warnings, earliest first', () => {
    expect(embargoWarningTimes('2026-04-06T10:00Z').map((w) => [w.daysBefore, iso(w.at)])).toEqual([
      [14, '2026-03-23T10:00:00.000Z'],
      [7, '2026-03-30T10:00:00.000Z'],
      [1, '2026-04-05T10:00:00.000Z'],
    ]);
  });

  it('sorts and de-duplicates custom offsets, across a month end', () => {
    expect(embargoWarningTimes('2026-03-02T00:00Z', [1, 3, 1]).map((w) => iso(w.at))).toEqual([
      '2026-02-27T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
    ]);
    expect(fieldsOf(() => embargoWarningTimes('2026-03-02T00:00Z', [7, 0]))).toEqual(['daysBefore.1']);
  });
});

describe('ackDeadline (ordinary business days)', () => {
  it.each([
    ['2026-01-06T09:30:00Z', [], 3, '2026-01-09T09:30:00.000Z'], // Tuesday → Friday
    ['2026-01-09T17:00:00Z', [], 3, '2026-01-14T17:00:00.000Z'], // Friday → Wednesday
    ['2026-01-10T10:00:00Z', [], 3, '2026-01-14T10:00:00.000Z'], // Saturday → Wednesday
    ['2026-01-09T17:00:00Z', ['2026-01-12'], 3, '2026-01-15T17:00:00.000Z'], // holiday Monday
    ['2026-12-30T08:00:00Z', ['2027-01-01'], 3, '2027-01-05T08:00:00.000Z'], // over the year end
    ['2026-01-06T09:30:00Z', [], 1, '2026-01-07T09:30:00.000Z'],
  ] as const)('received %s with holidays %j, %i days', (received, holidays, days, expected) => {
    expect(iso(ackDeadline(received, days, holidays))).toBe(expected);
  });

  it('refuses a holiday list that leaves no business day', () => {
    const everyDay = Array.from({ length: 4000 }, (_, i) => new Date(Date.parse('2026-01-01') + i * DAY_MS).toISOString().slice(0, 10));
    expect(fieldsOf(() => ackDeadline('2026-01-01T00:00Z', 3, everyDay))).toEqual(['holidays']);
  });
});
