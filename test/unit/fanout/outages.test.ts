/**
 * A loader batch's scheduler (src/fanout/outages.ts): once a read finds its registry unavailable,
 * the batch's reads at that registry not yet started fail with that error without being sent;
 * other registries, and errors about one object, are not affected.
 */
import { describe, expect, it } from 'vitest';
import { ObjectNotFoundError, UpstreamRateLimitedError } from '../../../src/core/errors.js';
import { BatchOutages } from '../../../src/fanout/outages.js';
import { RequestScheduler } from '../../../src/fanout/scheduler.js';

describe('BatchOutages', () => {
  it('after a RATE_LIMITED read, the queued reads at that registry fail with it unsent; another registry still reads', async () => {
    const batch = new BatchOutages(new RequestScheduler(2));
    const limited = new UpstreamRateLimitedError('share spent', { retryAfter: 60, sent: false });
    let sent = 0;
    const read = (backend: string, fail: boolean) =>
      batch.run(backend, 2, async () => {
        sent++;
        if (fail) throw limited;
        return backend;
      });
    const results = await Promise.allSettled([read('hd', true), read('hd', true), read('hd', true), read('hd', true), read('epp', false)]);
    expect(results.slice(0, 4).every((r) => r.status === 'rejected' && r.reason === limited)).toBe(true);
    expect(results[4]).toEqual({ status: 'fulfilled', value: 'epp' });
    expect(sent).toBe(3); // the two running at once, then the epp read; the two queued were never sent
    expect(batch.outage('hd')).toBe(limited);
  });

  it('an error about one object (2303) does not stop the others', async () => {
    const batch = new BatchOutages();
    const missing = batch.run('epp', 1, () => Promise.reject(new ObjectNotFoundError('no such domain')));
    await expect(missing).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(batch.run('epp', 1, async () => 'ok')).resolves.toBe('ok');
    expect(batch.outage('epp')).toBeUndefined();
  });
});
