import { ValidationError } from '../../src/core/errors.js';

/**
 * A key field of an entity representation (`_entities(representations: [_Any!]!)`, Apollo
 * Federation 2 subgraph spec): representations are arbitrary JSON, so each key field is checked
 * to be a string before it reaches validation or routing. `at` is the representation's place,
 * `representations[i]`; the error is BAD_USER_INPUT naming `representations[i].<field>`.
 */
export function keyField(representation: Record<string, unknown>, field: string, at: string): string {
  const value = representation[field];
  if (value === undefined || value === null) throw new ValidationError(`${at}.${field}`, `is required: ${field} is a key field of ${String(representation.__typename)}`);
  if (typeof value !== 'string') throw new ValidationError(`${at}.${field}`, `the ${field} key must be a string`);
  return value;
}
