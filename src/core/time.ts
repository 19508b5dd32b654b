/**
 * Calendar arithmetic and date parsing, one implementation for the whole gateway: every date read
 * from an upstream goes through parseUpstreamDate, and every registration period is added by
 * addPeriod (reconciliation of a lost renewal, expiry projections). Both work in UTC only, so the
 * gateway's answers never depend on the TZ it runs under.
 *
 * The sandboxes deliberately keep their own period arithmetic (src/sandbox/epp/store.ts addYears):
 * they play the registry, and a shared function would let a wrong rule pass every end-to-end test
 * on both sides at once. test/unit/core/time.test.ts checks the two against each other.
 */
import { TZDate } from '@date-fns/tz';
import { addMonths, startOfDay } from 'date-fns';
import { UpstreamFailureError } from './errors.js';
import type { Period } from './model/common.js';

/** Days in a month of the proleptic Gregorian calendar; `month` is 0-11 as in Date. */
export function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]!;
}

/**
 * `from` moved by a registration period, as registries move an expiry on renew, transfer or
 * auto-renew (RFC 5731 section 3.2.3 leaves the arithmetic to the server; Nomulus, .ee, CentralNic
 * and the others add calendar months/years): the same day of the month and time of day in UTC,
 * the day clamped to the last day of the target month. So 2028-02-29 + 1y = 2029-02-28,
 * 2028-02-29 + 4y = 2032-02-29, 2027-01-31 + 1m = 2027-02-28 (clamping is not carried forward:
 * 2027-01-31 + 2m = 2027-03-31, not 03-28).
 *
 * `period.value` is a whole number of `period.unit` ('y' years, 'm' months; negative moves back).
 * Returns a new Date; throws RangeError for an invalid date or a non-integer value.
 */
export function addPeriod(from: Date, period: Period): Date {
  const t = from.getTime();
  if (Number.isNaN(t)) throw new RangeError('addPeriod: invalid date');
  if (!Number.isSafeInteger(period.value)) throw new RangeError(`addPeriod: period value ${period.value} is not a whole number`);
  const months = from.getUTCMonth() + (period.unit === 'y' ? period.value * 12 : period.value);
  const year = from.getUTCFullYear() + Math.floor(months / 12);
  const month = ((months % 12) + 12) % 12;
  const out = new Date(t);
  // setUTCFullYear with all three parts, so no intermediate day overflows into the next month.
  out.setUTCFullYear(year, month, Math.min(from.getUTCDate(), daysInMonth(year, month)));
  return out;
}

/**
 * `from` moved by a registration period in a registry's own calendar: the same wall-clock time in
 * `timeZone` (IANA name, e.g. "Europe/Tallinn") on the day `period` later, the day clamped to the
 * last of the target month as in addPeriod. A .ee expiry is local midnight, 22:00Z in winter and
 * 21:00Z in summer, so 2032-01-03T22:00Z + 6 months is 2032-07-03T21:00Z, where addPeriod's UTC
 * arithmetic would give 22:00Z, an hour late (REPP document: expire_time carries the Tallinn
 * offset). Time-zone rules come from @date-fns/tz (the runtime's Intl data). Throws RangeError like
 * addPeriod, and for an unknown time zone.
 */
export function addPeriodInZone(from: Date, period: Period, timeZone: string): Date {
  if (Number.isNaN(from.getTime())) throw new RangeError('addPeriodInZone: invalid date');
  if (!Number.isSafeInteger(period.value)) throw new RangeError(`addPeriodInZone: period value ${period.value} is not a whole number`);
  const moved = addMonths(new TZDate(from.getTime(), timeZone), period.unit === 'y' ? period.value * 12 : period.value);
  const t = moved.getTime();
  if (Number.isNaN(t)) throw new RangeError(`addPeriodInZone: unknown time zone "${timeZone.slice(0, 32)}"`);
  return new Date(t);
}

/**
 * The start (local midnight) of the day `d` falls on in `timeZone`, as an instant: 2032-01-04T10:00Z
 * in Europe/Tallinn is 2032-01-03T22:00Z. A registry that keeps expiries as calendar days in its
 * zone (REPP: exp_date) holds this instant for the day. Throws RangeError for an unknown zone.
 */
export function startOfDayInZone(d: Date, timeZone: string): Date {
  const t = startOfDay(new TZDate(d.getTime(), timeZone)).getTime();
  if (Number.isNaN(t)) throw new RangeError(`startOfDayInZone: unknown time zone "${timeZone.slice(0, 32)}"`);
  return new Date(t);
}

/**
 * A date the gateway holds either as a Date or as text it stored itself (JSON of an idempotency
 * record: ISO 8601 with Z): as a Date, parsed by the parseUpstreamDate rules; null for none.
 */
export function asDate(v: Date | string | null | undefined): Date | null {
  return v instanceof Date ? v : parseUpstreamDate(v);
}

/** The UTC calendar date of `d` as YYYY-MM-DD (EPP curExpDate, day comparisons). */
export function utcDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** An upstream wrote a date that is not one. */
export class UpstreamDateError extends UpstreamFailureError {
  constructor(text: string, what?: string) {
    const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
    super(`bad ${what ?? 'date'} from upstream: "${shown}"`, { retryable: false });
  }
}

// xsd:dateTime / xsd:date (EPP), RFC 3339 and the ISO 8601 extended forms JSON APIs write:
// date, optional time (seconds and fraction optional), optional zone (Z or +hh:mm / +hhmm / +hh).
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/**
 * Parses a date an upstream wrote (EPP crDate/exDate/qDate/..., REPP and other JSON APIs):
 * ISO 8601 extended format / RFC 3339 / xsd:dateTime / xsd:date, with or without a time,
 * fractional seconds (kept to the millisecond), and zone. A date or time without a zone is UTC
 * (registries mean UTC; reading it in the process's TZ shifted expiries by hours). 24:00:00 is the
 * end of the day (xsd), second 60 a leap second (the next second).
 *
 * Returns null when there is no date (null, undefined, empty or blank text): a missing date is
 * null, never the epoch; where a date is required, the caller decides (e.g. the receive time).
 * Throws UpstreamDateError (UPSTREAM_FAILURE, quoting at most 40 characters) for anything else
 * that is not a real calendar date and time; never returns an invalid Date.
 */
export function parseUpstreamDate(text: string | null | undefined, what?: string): Date | null {
  if (text == null) return null;
  const s = text.trim();
  if (s === '') return null;
  const m = ISO.exec(s);
  if (!m) throw new UpstreamDateError(s, what);
  const [year, month, day] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const offsetMin = m[9] ? (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11] ?? 0)) : 0;
  const endOfDay = hour === 24 && minute === 0 && second === 0 && ms === 0;
  if (
    month > 11 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    (hour > 23 && !endOfDay) ||
    minute > 59 ||
    second > 60 ||
    (m[10] !== undefined && (Number(m[10]) > 23 || Number(m[11] ?? 0) > 59))
  ) {
    throw new UpstreamDateError(s, what);
  }
  const out = new Date(0);
  out.setUTCFullYear(year, month, day); // not Date.UTC: it maps years 0-99 to 1900-1999
  out.setUTCHours(hour, minute, second, ms);
  return new Date(out.getTime() - offsetMin * 60_000);
}

/**
 * A date a client gave as a calendar date alone (parseCalendarDate): a Date at 00:00 UTC of that
 * day, of its own class so that a field that needs an instant can tell it apart (isCalendarDate).
 */
export class CalendarDate extends Date {}

/**
 * A calendar date alone, `YYYY-MM-DD` (RFC 3339 full-date, as EPP's curExpDate, RFC 5731 section
 * 3.2.3), as a CalendarDate at 00:00 UTC of that day (a new one each time); null when `text` is
 * not a real date in that form (`2028-02-30`, `2028-12-2`, a date-time).
 */
export function parseCalendarDate(text: string): CalendarDate | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const d = new CalendarDate(`${text}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text) return null;
  return d;
}

/** Whether `d` came from parseCalendarDate: the client gave a date without a time. */
export function isCalendarDate(d: unknown): d is CalendarDate {
  return d instanceof CalendarDate;
}

/** The first and last UTC years a date the gateway takes may fall in (see inStoredRange). */
export const FIRST_YEAR = 1;
/** The last UTC year a date may fall in: xs:date's four-digit years (RFC 5731 curExpDate) and PostgreSQL's timestamps both hold it. */
export const LAST_YEAR = 9999;

/**
 * Whether `d` falls in the UTC years 0001-9999: the range of xs:date / xs:dateTime, which EPP
 * registries read (XML Schema 1.0 has no year 0000: Nomulus answers 2001 to a curExpDate of
 * 0000-01-01) and four-digit dates in the JSON APIs, and within PostgreSQL's timestamp range (which
 * refuses year 0 with SQLSTATE 22008). An invalid Date is not in it.
 */
export function inStoredRange(d: Date): boolean {
  const year = d.getUTCFullYear();
  return year >= FIRST_YEAR && year <= LAST_YEAR;
}

/**
 * A date a client sent that falls outside the UTC years 0001-9999 (inStoredRange), as the
 * DateTimeISO scalar parses it (schema/common/date-time.ts): kept with the text that was sent, so
 * that the argument check (src/validation/guard.ts) refuses it naming its field and quoting it, a
 * BAD_USER_INPUT alike in a variable and in the document, before any resolver runs.
 */
export class OutOfRangeDate extends Date {
  constructor(
    time: number,
    /** The string the client sent. */
    readonly sent: string,
  ) {
    super(time);
  }
}
