/**
 * Ids the gateway made itself and hands out (a bulk job's id, an API key's id): UUIDs, checked
 * before anything reads the database, so that "x" or 10,000 characters never become a query and
 * are refused as bad input instead of reading as "no such job".
 */
import { ValidationError, quoted } from '../core/errors.js';

/**
 * A UUID as RFC 9562 section 4 spells it: 32 hexadecimal digits in groups of 8-4-4-4-12, joined by
 * hyphens, either case. The gateway's ids are made by node:crypto randomUUID (bulk jobs) and
 * Prisma's uuid() (API keys): version 4, lowercase; any version is taken here (an id of another
 * version simply matches no row).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `raw` is a UUID (see UUID above): 36 characters, hex digits and four hyphens. */
export function isUuid(raw: string): boolean {
  return raw.length === 36 && UUID.test(raw);
}

/**
 * A bulk job's id (BulkJob.id, as a submission answered it; `bulkJob(id:)`, `cancelBulkJob(id:)`,
 * the `bulkJob(id:)` subscription): a UUID, answered in lowercase as the database keeps it. Throws
 * ValidationError (BAD_USER_INPUT) on `field`, quoting at most 32 characters of `raw`, for
 * anything else; nothing is read.
 */
export function parseJobId(field: string, raw: string): string {
  if (!isUuid(raw)) throw new ValidationError(field, `${quoted(raw)} is not a bulk job id (a UUID, as the job's id was answered)`);
  return raw.toLowerCase();
}
