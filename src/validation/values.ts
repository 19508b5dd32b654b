/** Periods and list helpers shared by the input rules. */
import { quoted, ValidationError } from '../core/errors.js';
import type { Period } from '../core/model/index.js';

const MAX_YEARS = 10;

/**
 * A registration period (RFC 5731 periodType): a whole number of 1-10 years or 1-120 months.
 * Whether the registry takes months is checkPeriodUnit's to say, once its capabilities are known.
 */
export function checkPeriod(field: string, p: { value: number; unit: 'y' | 'm' }): Period {
  if (p.unit !== 'y' && p.unit !== 'm') throw new ValidationError(`${field}.unit`, 'must be YEARS or MONTHS');
  if (!Number.isInteger(p.value)) throw new ValidationError(`${field}.value`, 'must be a whole number');
  const max = p.unit === 'y' ? MAX_YEARS : MAX_YEARS * 12;
  if (p.value < 1 || p.value > max) {
    throw new ValidationError(`${field}.value`, `must be between 1 and ${max} ${p.unit === 'y' ? 'years' : 'months'}`);
  }
  return { value: p.value, unit: p.unit };
}

/**
 * The registry accepts the period's unit (`units`: its capabilities' periodUnits); else
 * BAD_USER_INPUT naming `${field}.unit` and the registry (`registry`: the backend's name, in the
 * message and extensions.registry): `input.period.unit: registry "sandbox-nomulus" accepts YEARS
 * only`. `which`: the domains of a list it is about, in parentheses after the registry (a bulk
 * job's: `domains[2] "x.hdtest" and 14 more`), so that a mixed list's problem names can be found.
 */
export function checkPeriodUnit(field: string, p: Period, units: Array<'y' | 'm'>, registry: string, which?: string): Period {
  if (!units.includes(p.unit)) {
    const taken = units.map((u) => (u === 'y' ? 'YEARS' : 'MONTHS')).join(', ');
    throw new ValidationError(`${field}.unit`, `registry "${registry}"${which ? ` (${which})` : ''} accepts ${taken} only`, registry);
  }
  return p;
}

/** Refuses a list with two items of the same key: the error names the second ("field[3]") and its message the first ("is listed twice (also field[0])"). */
export function checkUnique<T>(field: string, items: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first !== undefined) throw new ValidationError(`${field}[${i}]`, `is listed twice (also ${field}[${first}])`);
    seen.set(k, i);
  });
  return items;
}

/** Refuses a list longer than `max` ("at most 13 name servers"). */
export function checkMaxItems<T>(field: string, items: T[], max: number, what: string): T[] {
  if (items.length > max) throw new ValidationError(field, `at most ${max} ${what}`);
  return items;
}

/**
 * Refuses an update that both adds and removes one value: RFC 5731-5733 section 3.2.5 give no
 * meaning to it and registries refuse it (Nomulus and the EPP sandbox: 2306 "Cannot add and
 * remove the same value"), so it is refused here, before anything is recorded or sent. `key` says
 * when two items are the same value (after normalisation); the error names the removed item
 * (`input.remove.statuses[0]`) and its message the field it is also in (`input.add.statuses`).
 */
export function checkNotAddedAndRemoved<T>(addField: string, add: readonly T[], removeField: string, remove: readonly T[], key: (t: T) => string, what: string): void {
  const added = new Set(add.map(key));
  const both = remove.findIndex((r) => added.has(key(r)));
  if (both >= 0) throw new ValidationError(`${removeField}[${both}]`, `${quoted(key(remove[both]!))} is also in ${addField}: ${what} cannot be added and removed at once`);
}
