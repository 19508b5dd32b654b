import { ValidationError } from '../../src/core/errors.js';

/**
 * A key field of an entity representation (`_entities(representations: [_Any!]!)`, Apollo
 * Federation 2 subgraph spec): representations are arbitrary JSON, so each key field is checked
 * to be a string before it reaches validation or routing. Errors are BAD_USER_INPUT naming
 * `representations.<field>`.
 */
export function keyField(representation: Record<string, unknown>, field: string): string {
  const value = representation[field];
  if (typeof value !== 'string') throw new ValidationError(`representations.${field}`, `the ${field} key must be a string`);
  return value;
}
