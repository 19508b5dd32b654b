/**
 * The bulk gauges of GET /metrics (src/metrics.ts) as a scrape sees them: one backlog read per
 * scrape for all three, the items under a live claim per backend, the longest wait per backend over its states, no series for a backend
 * with nothing waiting, and, when the read fails, the series left out while the rest of the scrape
 * still answers (never stale values from an earlier scrape, never zeros that would hide a backlog).
 */
import { describe, expect, it } from 'vitest';
import type { BulkBacklog } from '../../../src/bulk/store.js';
import { Metrics } from '../../../src/metrics.js';
import { seriesValue } from '../../helpers/metrics.js';

function metricsReading(answers: (BulkBacklog[] | null)[]) {
  let reads = 0;
  const metrics = new Metrics({
    api: { subscriptions: () => 0, documentCacheBytes: () => ({ http: 0, ws: 0 }) },
    pollLeasesHeld: () => 0,
    bulkBacklog: async () => answers[Math.min(reads++, answers.length - 1)] ?? null,
  });
  return { metrics, reads: () => reads };
}

describe('rgw_bulk_items, rgw_bulk_items_claimed and rgw_bulk_oldest_runnable_seconds', () => {
  it('come from one read per scrape: items by state, those claimed, the longest wait of each backend over its states', async () => {
    const { metrics, reads } = metricsReading([
      [
        { backend: 'a', state: 'PENDING', items: 7, claimed: 0, waitedSeconds: 12.5 },
        { backend: 'a', state: 'RUNNING', items: 2, claimed: 1, waitedSeconds: 40 },
        { backend: 'b', state: 'AWAITING_REGISTRY', items: 3, claimed: 0, waitedSeconds: null },
      ],
      [{ backend: 'a', state: 'PENDING', items: 1, claimed: 0, waitedSeconds: 0.5 }],
    ]);
    await metrics.load();
    const first = await metrics.text();
    expect(reads()).toBe(1);
    expect(seriesValue(first, 'rgw_bulk_items', { backend: 'a', state: 'PENDING' })).toBe(7);
    expect(seriesValue(first, 'rgw_bulk_items', { backend: 'a', state: 'RUNNING' })).toBe(2);
    expect(seriesValue(first, 'rgw_bulk_items', { backend: 'b', state: 'AWAITING_REGISTRY' })).toBe(3);
    expect(seriesValue(first, 'rgw_bulk_oldest_runnable_seconds', { backend: 'a' })).toBe(40);
    expect(seriesValue(first, 'rgw_bulk_items_claimed', { backend: 'a' })).toBe(1);
    expect(seriesValue(first, 'rgw_bulk_items_claimed', { backend: 'b' })).toBe(0);
    expect(seriesValue(first, 'rgw_bulk_oldest_runnable_seconds', { backend: 'b' })).toBeUndefined();

    // The next scrape reads again, and series no longer in the backlog are gone.
    const second = await metrics.text();
    expect(reads()).toBe(2);
    expect(seriesValue(second, 'rgw_bulk_items', { backend: 'a', state: 'PENDING' })).toBe(1);
    expect(seriesValue(second, 'rgw_bulk_items', { backend: 'a', state: 'RUNNING' })).toBeUndefined();
    expect(seriesValue(second, 'rgw_bulk_items', { backend: 'b', state: 'AWAITING_REGISTRY' })).toBeUndefined();
    expect(seriesValue(second, 'rgw_bulk_oldest_runnable_seconds', { backend: 'a' })).toBe(0.5);
    // Items wait and nothing holds any: the stall an alert looks for.
    expect(seriesValue(second, 'rgw_bulk_items_claimed', { backend: 'a' })).toBe(0);
    expect(seriesValue(second, 'rgw_bulk_items_claimed', { backend: 'b' })).toBeUndefined();
  });

  it('are left out of a scrape whose read failed; the rest of it answers', async () => {
    const { metrics } = metricsReading([[{ backend: 'a', state: 'PENDING', items: 5, claimed: 0, waitedSeconds: 3 }], null]);
    await metrics.load();
    expect(seriesValue(await metrics.text(), 'rgw_bulk_items', { backend: 'a', state: 'PENDING' })).toBe(5);
    const failed = await metrics.text();
    expect(seriesValue(failed, 'rgw_bulk_items', { backend: 'a', state: 'PENDING' })).toBeUndefined();
    expect(seriesValue(failed, 'rgw_bulk_oldest_runnable_seconds', { backend: 'a' })).toBeUndefined();
    expect(seriesValue(failed, 'rgw_bulk_items_claimed', { backend: 'a' })).toBeUndefined();
    expect(seriesValue(failed, 'rgw_subscriptions')).toBe(0);
  });
});
