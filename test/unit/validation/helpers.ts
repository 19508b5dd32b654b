import { expect } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';

/** The ValidationError `fn` throws (fails the test when it throws nothing or something else). */
export function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

/** The field a refusal names. */
export const fieldOf = (fn: () => unknown): string | undefined => refusal(fn).details.field;
