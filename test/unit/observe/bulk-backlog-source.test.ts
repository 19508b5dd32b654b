/**
 * /metrics never waits on the database for the bulk backlog (src/observe/bulk-backlog.ts): a read
 * that does not answer within its limit leaves the rgw_bulk_* series out and the scrape answers
 * with the rest; while that read is still under way, later scrapes start no other statement; a
 * failure or a late read is logged once (a late read's own error too, when it ends), and "works
 * again" once a read answers in time.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { BulkBacklog } from '../../../src/bulk/store.js';
import type { Logger } from '../../../src/logger.js';
import { Metrics } from '../../../src/metrics.js';
import { backlogSource } from '../../../src/observe/bulk-backlog.js';
import { seriesValue } from '../../helpers/metrics.js';

const ROWS: BulkBacklog[] = [{ backend: 'a', state: 'PENDING', items: 4, claimed: 0, waitedSeconds: 9 }];

function logged() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) as unknown as Logger;
  return { logger, lines };
}

/** A read the test answers when it wants: `answer()` resolves it, `fail()` rejects it. */
function heldRead() {
  let answer!: (rows: BulkBacklog[]) => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<BulkBacklog[]>((res, rej) => ((answer = res), (fail = rej)));
  return { promise, answer, fail };
}

describe('the bulk backlog as /metrics reads it', () => {
  it('answers without the rows when the database does not answer in time, starts no second statement meanwhile, and reads again once the first has ended', async () => {
    const { logger, lines } = logged();
    const reads: ReturnType<typeof heldRead>[] = [];
    const source = backlogSource(() => (reads.push(heldRead()), reads.at(-1)!.promise), logger, 20);

    expect(await source()).toBeNull(); // only the limit can end it: the read never answers
    expect(reads).toHaveLength(1);
    expect(await source()).toBeNull(); // the first is still under way: no second statement
    expect(reads).toHaveLength(1);
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(/took longer than 20 ms/);

    reads[0]!.fail(new Error('Connection terminated due to connection timeout')); // it ends, late, with its cause
    await reads[0]!.promise.catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    const cause = lines.filter((l) => l.level === 40);
    expect(cause).toHaveLength(2);
    expect(cause[1]!.msg).toMatch(/took too long failed/);
    expect(JSON.stringify(cause[1])).toContain('connection timeout');
    const next = source();
    expect(reads).toHaveLength(2);
    reads[1]!.answer(ROWS);
    expect(await next).toEqual(ROWS);
    expect(lines.at(-1)!.msg).toMatch(/works again/);
  });

  it('answers without the rows when the read fails, logging it once', async () => {
    const { logger, lines } = logged();
    const source = backlogSource(() => Promise.reject(new Error('connection refused')), logger, 1_000);
    expect(await source()).toBeNull();
    expect(await source()).toBeNull();
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/failed/);
  });

  it('lets a scrape answer with every other series while the database hangs', async () => {
    const { logger } = logged();
    const hung = heldRead();
    const metrics = new Metrics({
      api: { subscriptions: () => 3, documentCacheBytes: () => ({ http: 0, ws: 0 }) },
      pollLeasesHeld: () => 0,
      bulkBacklog: backlogSource(() => hung.promise, logger, 20),
    });
    await metrics.load();
    const text = await metrics.text();
    expect(seriesValue(text, 'rgw_subscriptions')).toBe(3);
    expect(text).toMatch(/^rgw_process_cpu_seconds_total /m);
    expect(seriesValue(text, 'rgw_bulk_items', { backend: 'a', state: 'PENDING' })).toBeUndefined();
    hung.answer(ROWS);
  });
});
