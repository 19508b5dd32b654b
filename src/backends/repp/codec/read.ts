/**
 * Reading REPP JSON defensively (an answer that lacks a field the document shows is an error, not
 * an undefined further up), and the values the document uses: instants with their offset
 * ("2021-02-26T17:12:46.045+02:00"), registry dates ("yyyy-mm-dd", Estonian time), status maps
 * ({"ok": "", "serverHold": ""}), numbers sent as text ("257").
 */
import { unreadableAnswer, type UpstreamUnavailableError } from '../../../core/errors.js';
import type { Period } from '../../../core/model/index.js';
import { addPeriodInZone, startOfDayInZone } from '../../../core/time.js';

/** A JSON object as read from a REPP answer. */
export type Json = Record<string, unknown>;

/**
 * An answer that does not have the document's shape: the registry answered 1000 ("Command
 * completed successfully") and the answer cannot be read, so a change it answered may well have
 * taken effect. UPSTREAM_UNAVAILABLE with maybeApplied (core/errors.ts unreadableAnswer): a
 * change's outcome is unknown and the retry reconciles with the registry, never a registry error
 * the idempotency key would replay.
 */
export function unexpected(path: string, what: string): UpstreamUnavailableError {
  return unreadableAnswer(`unexpected REPP answer: ${path} ${what}`);
}

/** `v` as a JSON object; UPSTREAM_UNAVAILABLE (maybeApplied, `unexpected`) naming `path` for null, an array or a non-object. */
export function obj(v: unknown, path: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw unexpected(path, 'is not an object');
  return v as Json;
}

/** `v` as a list; UPSTREAM_UNAVAILABLE (maybeApplied, `unexpected`) naming `path` otherwise. */
export function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw unexpected(path, 'is not a list');
  return v;
}

/** `o[key]` as a string; UPSTREAM_UNAVAILABLE (maybeApplied) naming `path.key` when absent or not a string. */
export function str(o: Json, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw unexpected(`${path}.${key}`, 'is not a string');
  return v;
}

/** `o[key]` as a string, null when absent or null; UPSTREAM_UNAVAILABLE (maybeApplied) when it is another type. */
export function optStr(o: Json, key: string, path: string): string | null {
  return o[key] === undefined || o[key] === null ? null : str(o, key, path);
}

/** A number, or its decimal text ("257"). */
export function num(o: Json, key: string, path: string): number {
  const v = o[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw unexpected(`${path}.${key}`, 'is not a number');
  return n;
}

/** `v` as a list of strings ([] when null/undefined); UPSTREAM_UNAVAILABLE naming `path[i]` for a non-string item. */
export function strings(v: unknown, path: string): string[] {
  return arr(v ?? [], path).map((s, i) => {
    if (typeof s !== 'string') throw unexpected(`${path}[${i}]`, 'is not a string');
    return s;
  });
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 instant with its offset; the Date is the same instant whatever the offset. */
export function instant(o: Json, key: string, path: string): Date {
  const s = str(o, key, path);
  if (!INSTANT.test(s)) throw unexpected(`${path}.${key}`, 'is not a date-time with an offset');
  return new Date(s);
}

/** `o[key]` as an ISO 8601 instant with its offset (instant), null when absent or null; UPSTREAM_UNAVAILABLE when malformed. */
export function optInstant(o: Json, key: string, path: string): Date | null {
  return o[key] === undefined || o[key] === null ? null : instant(o, key, path);
}

/** A calendar date "yyyy-mm-dd", kept as text (a registry day, not an instant). */
export function optDay(o: Json, key: string, path: string): string | null {
  const s = optStr(o, key, path);
  if (s !== null && !/^\d{4}-\d{2}-\d{2}$/.test(s)) throw unexpected(`${path}.${key}`, 'is not a date (yyyy-mm-dd)');
  return s;
}

/**
 * Statuses: the document's map of status to note ({"ok": "ok status description", "linked": null}),
 * or a plain list (the contacts inside "Get transfer info").
 */
export function statusMap(v: unknown, path: string): { statuses: string[]; notes: Record<string, string | null> } {
  if (Array.isArray(v)) {
    const list = strings(v, path);
    return { statuses: list, notes: Object.fromEntries(list.map((s) => [s, null])) };
  }
  const m = obj(v ?? {}, path);
  const notes: Record<string, string | null> = {};
  for (const [k, note] of Object.entries(m)) {
    if (note !== null && typeof note !== 'string') throw unexpected(`${path}.${k}`, 'is not a status note');
    notes[k] = note === '' ? null : note;
  }
  return { statuses: Object.keys(m), notes };
}

/** A path segment: a domain name, contact code ("ATSAA:KARL") or host name, percent-encoded. */
export const seg = (value: string) => encodeURIComponent(value);

/**
 * The expiry REPP gives a domain whose expiry (or a given currentExpiry) is `from`, renewed by
 * `period`: the registry counts calendar days in its zone (exp_date), so the new expiry is local
 * midnight of the day `from` falls on there, plus the period (2032-01-03T22:00Z + 6 months =
 * 2032-07-03T21:00Z, the same midnight in summer time; a currentExpiry given as 2032-01-04T00:00Z
 * names the same day). Throws RangeError for a zone the runtime does not know (config checks it).
 */
export function reppRenewedExpiry(from: Date, period: Period, timeZone = 'Europe/Tallinn'): Date {
  return addPeriodInZone(startOfDayInZone(from, timeZone), period, timeZone);
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The registry's calendar date of an instant, "yyyy-mm-dd" in its time zone (Europe/Tallinn for
 * .ee): a domain whose expire_time is "2023-01-16T00:00:00.000+02:00" has exp_date "2023-01-16",
 * although that instant is 2023-01-15 in UTC.
 */
export function registryDate(d: Date, timeZone = 'Europe/Tallinn'): string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}
