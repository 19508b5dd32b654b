/** itemKey: a bulk item's idempotency key, derived from its job's key and its position. */
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { itemKey } from '../../../src/bulk/store.js';

const expected = (jobKey: string, position: number) => `bulk:${createHash('sha256').update(jobKey).digest('hex').slice(0, 40)}:${position}`;

describe('itemKey', () => {
  test('is the job key hashed, then the position, whichever jobs are interleaved (the hash is cached per job key)', () => {
    const jobs = Array.from({ length: 300 }, (_, i) => `job-${i}`); // more jobs than the cache holds
    for (let round = 0; round < 2; round++) {
      for (const [i, job] of jobs.entries()) expect(itemKey(job, i + round)).toBe(expected(job, i + round));
    }
    expect(itemKey('a', 1)).not.toBe(itemKey('b', 1));
    expect(itemKey('a', 1)).not.toBe(itemKey('a', 2));
  });
});
