import { expect } from 'vitest';

/**
 * `text` quotes `value` as the gateway's errors must (README, Errors): its first 32 characters and
 * "…", never 33 of them.
 */
export function expectQuotedAtMost32(text: string, value: string): void {
  expect(text).toContain(`${value.slice(0, 32)}…`);
  expect(text).not.toContain(value.slice(0, 33));
}
