import { describe, expect, it } from 'vitest';
import { transferAnswer } from '../../../src/backends/bulk-detail.js';

describe('a native bulk transfer answer in the command log', () => {
  it('counts a domain the registry lists once per error as one domain not transferred, with both reasons', () => {
    const answer = transferAnswer(3, {
      transferred: ['c.ee'],
      failed: [
        { name: 'a.ee', errors: [{ code: 2202, message: 'Invalid authorization information' }] },
        { name: 'A.ee', errors: [{ code: 2304, message: 'Object status prohibits operation' }] },
        { name: 'b.ee', errors: [{ code: 2202, message: 'Invalid authorization information' }] },
      ],
    });
    expect(answer.domains).toEqual({ requested: 3, notDone: 2 });
    expect(answer.detail).toBe('2 of 3 domains not transferred: a.ee (2202 Invalid authorization information; 2304 Object status prohibits operation), b.ee (2202 Invalid authorization information)');
  });

  it('never says more domains were not transferred than the request carried', () => {
    const answer = transferAnswer(1, { transferred: [], failed: [{ name: 'a.ee', errors: [] }, { name: 'x.ee', errors: [{ code: null, message: 'not in the request' }] }] });
    expect(answer.domains).toEqual({ requested: 1, notDone: 1 });
    expect(answer.detail).toMatch(/^1 of 1 domains not transferred: a\.ee, x\.ee \(not in the request\)$/);
  });
});
