// Time comes from a Clock so tests (and the embargo scenarios) can move it forward deterministically.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that tests move by hand. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string = '2026-01-06T10:00:00.000Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** Timestamps are stored as fixed-width ISO-8601 UTC text on both databases, so they sort as text. */
export function iso(date: Date): string {
  return date.toISOString();
}
