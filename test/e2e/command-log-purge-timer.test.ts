/**
 * The command log's retention is applied by the housekeeping timer the gateway starts itself
 * (src/server.ts startPurgeTimer with its CommandLog, src/idempotency/config.ts), not only when
 * CommandLog.purgeExpired is called by hand: with `commandLog.retentionDays: 30`, an entry logged
 * 31 days before the gateway clock's now is deleted by a timer round, one logged 29 days before
 * stays. Time is the gateway's injected clock (FakeClock); the timer runs as configured
 * (`idempotency.purgeIntervalMs`), and the test waits for the round's own log line
 * ('command log: entries past their retention purged'), with a hang guard, never for a fixed time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { FakeClock } from '../../src/core/clock.js';
import type { Logger } from '../../src/logger.js';
import { noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';

const DAY = 86_400_000;
const PURGED = 'command log: entries past their retention purged';
const LOG = `query($filter: CommandLogFilter) {
  commandLog(filter: $filter, first: 100) { edges { node { objectName } } }
}`;

/** The gateway's log records as they are written, and a wait for the first one after now that matches. */
function logRecords() {
  const waiters: Array<{ match: (r: Record<string, any>) => boolean; resolve: (r: Record<string, any>) => void }> = [];
  const logger = pino({ level: 'info' }, {
    write(line: string) {
      const record = JSON.parse(line) as Record<string, any>;
      for (const w of waiters.splice(0)) (w.match(record) ? w.resolve(record) : waiters.push(w));
    },
  }) as unknown as Logger;
  /** Resolves with the first record logged from now on with message `msg`; rejects after `guardMs` (a hang guard, not a timing). */
  function next(msg: string, guardMs: number): Promise<Record<string, any>> {
    return new Promise((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`no "${msg}" logged within ${guardMs} ms`)), guardMs);
      waiters.push({ match: (r) => r.msg === msg, resolve: (r) => (clearTimeout(guard), resolve(r)) });
    });
  }
  return { logger, next };
}

describe('command log retention through the housekeeping timer', () => {
  let t: TestGateway;
  let key: string;
  const clock = new FakeClock('2026-03-01T00:00:00Z');
  const log = logRecords();

  beforeAll(async () => {
    t = await startTestGateway({
      clock,
      logger: log.logger,
      configure: (c) => {
        noBackgroundWork(c);
        c.limits.rateLimit = false;
        c.commandLog = { retentionDays: 30 };
        c.idempotency = { ...c.idempotency, purgeIntervalMs: 50 };
      },
    });
    key = t.keys.NewRegistrar!;
  }, 60_000);
  afterAll(() => t?.close());

  async function logged(): Promise<string[]> {
    const r = await t.gql(key, LOG, { filter: { command: 'domain:check' } });
    expect(r.errors).toBeUndefined();
    return r.data.commandLog.edges.map((e: { node: { objectName: string } }) => e.node.objectName);
  }
  async function check(name: string) {
    expect((await t.gql(key, `{ checkDomains(names: ["${name}"]) { name } }`)).errors).toBeUndefined();
  }

  it('a timer round deletes the entries older than commandLog.retentionDays; newer ones stay', async () => {
    await check('old-entry.example');
    clock.advance(2 * DAY);
    await check('new-entry.example');
    // The timer has been running all along: nothing is past 30 days yet, so both are kept.
    expect(await logged()).toEqual(['old-entry.example', 'new-entry.example']);

    const purged = log.next(PURGED, 30_000);
    clock.advance(29 * DAY); // the first is 31 days old, the second 29
    expect((await purged).purged).toBeGreaterThanOrEqual(1);
    expect(await logged()).toEqual(['new-entry.example']);
  }, 60_000);
});
