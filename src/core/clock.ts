import { asDate } from './time.js';

/** Injected time source: transfers auto-approve after a period and renewals move dates. */
export interface Clock {
  now(): Date;
}

/** The real clock (Date.now), for production; tests inject FakeClock. */
export const systemClock: Clock = { now: () => new Date() };

/** A Date, or ISO 8601 text read as parseUpstreamDate does (no zone = UTC, whatever TZ the tests run in). */
function at(v: Date | string): number {
  const d = asDate(v);
  if (!d) throw new RangeError('FakeClock: no time given');
  return d.getTime();
}

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  private t: number;
  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    this.t = at(start);
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(to: Date | string): void {
    this.t = at(to);
  }
}
