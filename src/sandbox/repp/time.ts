/**
 * Time as the Estonian registry shows it: instants in Europe/Tallinn with their offset
 * ("2021-02-26T17:12:46.045+02:00", "+03:00" in summer), calendar dates ("2022-07-21") in that
 * zone, and expiry at local midnight (a domain registered on 2021-01-15 for 2 years expires
 * "2023-01-16T00:00:00.000+02:00", the REPP document's biz.ee example).
 */

const ZONE = 'Europe/Tallinn';
/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

const fmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
});

interface LocalParts {
  date: string;
  time: string;
  /** "+02:00" */
  offset: string;
}

function local(d: Date): LocalParts {
  const p = Object.fromEntries(fmt.formatToParts(d).map((x) => [x.type, x.value]));
  const offset = p.timeZoneName === 'GMT' ? '+00:00' : p.timeZoneName.slice(3);
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}`, offset };
}

/** "2021-02-26T17:12:46.045+02:00" */
export function isoTallinn(d: Date): string {
  const l = local(d);
  return `${l.date}T${l.time}.${String(d.getUTCMilliseconds()).padStart(3, '0')}${l.offset}`;
}

/** The calendar date in Tallinn, "yyyy-mm-dd". */
export function dateTallinn(d: Date): string {
  return local(d).date;
}

function offsetMs(d: Date): number {
  const o = local(d).offset;
  const sign = o[0] === '-' ? -1 : 1;
  return sign * (Number(o.slice(1, 3)) * 60 + Number(o.slice(4, 6))) * 60_000;
}

/** The instant of local midnight starting this calendar date ("yyyy-mm-dd"). */
export function midnightTallinn(date: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const utc = Date.UTC(y, m - 1, d);
  let t = utc - offsetMs(new Date(utc));
  t = utc - offsetMs(new Date(t)); // second pass: the offset at the guess, across a DST change
  return new Date(t);
}

/** Adds months to a calendar date, clamping the day to the month's end (Jan 31 + 1 month = Feb 28). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/** Adds (or with a negative count, subtracts) calendar days to a "yyyy-mm-dd" date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** "yyyy-mm-dd" that is a real calendar date. */
export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  return new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;
}
