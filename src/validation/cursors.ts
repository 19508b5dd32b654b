/**
 * Ids, cursors, page sizes and filters that go to the gateway's own database: checked so that
 * nothing PostgreSQL would refuse (an id beyond bigint, U+0000) ever reaches it.
 */
import type { CommandLogFilter } from '../commandlog/command-log.js';
import { isCommandName } from '../core/commands.js';
import { ValidationError, quoted } from '../core/errors.js';
import { isCalendarDate } from '../core/time.js';
import { checkIdempotencyKey, normalizeDomainName } from './names.js';
import { checkLine } from './text.js';

/** PostgreSQL bigint's largest value, 2^63 - 1. */
export const MAX_BIGINT = 9_223_372_036_854_775_807n;

/**
 * A row id (poll message id, command log entry id; also their cursors): a decimal integer from 1
 * to 2^63 - 1 (PostgreSQL bigint), without sign or leading zeros. `what` names it in the message.
 */
export function parseRowId(field: string, raw: string, what: string): bigint {
  if (raw.length > 19 || !/^[1-9][0-9]*$/.test(raw) || BigInt(raw) > MAX_BIGINT) {
    throw new ValidationError(field, `${quoted(raw)} is not a ${what} (a whole number from 1 to ${MAX_BIGINT})`);
  }
  return BigInt(raw);
}

/** A page size (`first`): 1 to `max`. */
export function checkPageSize(field: string, first: number, max = 500): number {
  if (!Number.isInteger(first) || first < 1 || first > max) throw new ValidationError(field, `must be between 1 and ${max}`);
  return first;
}

/** Names of poll message objects (`objects`): at most `max`, each a domain or host name. */
export function checkObjectNames(field: string, list: string[], max = 500): string[] {
  if (list.length > max) throw new ValidationError(field, `at most ${max} names`);
  return list.map((o, i) => normalizeDomainName(`${field}[${i}]`, o));
}

/**
 * The command log filter (see schema CommandLogFilter) with every condition checked, as the
 * command log takes it. objectName: a domain or host name (normalised to A-labels) or a contact
 * id, one line of at most 1,024 characters; operation: any value an entry's operation can
 * show (checkOperationFilter); command: a protocol command ("domain:transfer:request");
 * idempotencyKey: as every mutation takes it; from no later than to.
 */
export function checkCommandLogFilter(field: string, f: CommandLogFilter | null): CommandLogFilter {
  if (!f) return {};
  const out: CommandLogFilter = { ...f };
  // Given empty, a filter is refused as any other value it cannot match (README, "empty strings":
  // never taken as left out); only null or absent leaves it out.
  if (f.objectName != null) out.objectName = objectNameOf(`${field}.objectName`, f.objectName);
  if (f.operation != null) out.operation = checkOperationFilter(`${field}.operation`, f.operation);
  if (f.command != null && (f.command.length > 64 || !/^[A-Za-z][A-Za-z0-9]*(?::[A-Za-z][A-Za-z0-9]*)*$/.test(f.command))) {
    throw new ValidationError(`${field}.command`, `${quoted(f.command)} is not a command (e.g. "domain:renew")`);
  }
  if (f.idempotencyKey != null) out.idempotencyKey = checkIdempotencyKey(`${field}.idempotencyKey`, f.idempotencyKey);
  // A date alone (taken by the DateTimeISO scalar for currentExpiry) is refused here: which instant of the day it meant is not known.
  for (const k of ['from', 'to'] as const) {
    if (isCalendarDate(f[k])) throw new ValidationError(`${field}.${k}`, `a date alone is not taken here: give a date-time with its offset, such as ${f[k]!.toISOString().slice(0, 10)}T00:00:00Z`);
  }
  if (f.from && f.to && f.from > f.to) throw new ValidationError(`${field}.to`, 'is before from');
  return out;
}

/** The longest operation filter taken: a list of a query's root fields is far shorter (the Query type has some 30 fields). */
const MAX_OPERATION_FILTER = 1024;

/**
 * One name an entry's operation (CommandLogEntry.operation, src/commandlog/attribution.ts) is made
 * of: a GraphQL root field or mutation name, a GraphQL Name (GraphQL spec section 2.1.9:
 * `[_A-Za-z][_0-9A-Za-z]*`, so a federation router's `_entities` too), `poll`, at most 64
 * characters; or, for entries written before operations were recorded, a protocol command
 * (`domain:info`, src/core/commands.ts).
 */
function isOperationName(name: string): boolean {
  return /^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(name) || isCommandName(name);
}

/**
 * The commandLog filter's `operation`, taking any value an entry's `operation` can show: one
 * operation name (isOperationName: `renewDomain`, `_entities`, `poll`, `domain:info`), or the
 * comma-joined list of a query with several root fields (`domain,checkDomains`; spaces around the
 * commas are dropped). Answers it as the command log matches it (CommandLogFilter.operation).
 * Throws ValidationError on `field` (quoting at most 32 characters) for anything else: an empty
 * name in a list, a character no operation name has, more than 1,024 characters.
 */
export function checkOperationFilter(field: string, raw: string): string {
  const names = raw.split(',').map((n) => n.trim());
  if (raw.length > MAX_OPERATION_FILTER || !names.every(isOperationName)) {
    throw new ValidationError(field, `${quoted(raw)} is not an operation ("renewDomain", "_entities") or a list of them ("domain,checkDomains")`);
  }
  return names.join(',');
}

/** A domain or host name is matched in A-labels; anything else (a contact id) as given. */
function objectNameOf(field: string, raw: string): string {
  const v = checkLine(field, raw, 1, 1024);
  try {
    return normalizeDomainName(field, v);
  } catch {
    return v;
  }
}
