/**
 * The poll rounds' outage lines say what the registry did: "poll round works again" only after a
 * round that polled. An operator's trial (two instances, the registry's process paused) saw
 * `poll round failed`, then `poll round works again` four seconds later, then `poll round failed`
 * again: the round between had found the account's lease another instance's and polled nothing.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import type { RegistryPort } from '../../../src/core/port.js';
import { PollIngester } from '../../../src/poll/ingester.js';
import { PollService } from '../../../src/poll/poll.service.js';
import { LocalPollEvents } from '../../../src/pubsub/poll-events.js';
import type { Router } from '../../../src/routing/router.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
  await db.prisma.registrar.create({ data: { id: 'R', name: 'R' } });
});
afterAll(() => db?.close());

it('a round that finds the lease held elsewhere says nothing; the next one that polls says it works again', async () => {
  let down = true;
  const backend = {
    name: 'upstream',
    hasAccount: (r: string) => r === 'R',
    upstreamId: (r: string) => r,
    // An EPP registry's capabilities come from its greeting: a registry that does not answer fails here.
    capabilities: async () => {
      if (down) throw new Error('could not open a session to backend upstream (timed out)');
      return { poll: true };
    },
    pollRequest: async () => ({ data: { count: 0, message: null }, trid: { client: 'c' }, code: 1300 }),
  } as unknown as RegistryPort;
  const lines: Array<{ msg: string }> = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (c, _e, done) => void (lines.push(JSON.parse(String(c))), done()) }));
  const router = { backends: () => [backend] } as unknown as Router;
  const polls = new PollService(db.prisma, new LocalPollEvents(), systemClock, pino({ level: 'silent' }));
  const ingester = new PollIngester(db.prisma, router, polls, ['R'], logger, { intervalMs: 3_600_000, leaseMs: 10_800_000, maxBackoffMs: 3_600_000 });
  const said = () => lines.map((l) => l.msg).filter((m) => m.startsWith('poll round'));
  ingester.start(); // its first round starts at once, and fails
  try {
    await ingester.drainNow('R');
    expect(said()).toEqual([expect.stringMatching(/^poll round failed/)]);
    // The registry answers, but another live instance holds the account's lease: nothing polled.
    down = false;
    await db.prisma.pollLease.upsert({
      where: { account: 'upstream/R' },
      create: { account: 'upstream/R', holder: 'another-instance', expiresAt: new Date(Date.now() + 3_600_000) },
      update: { holder: 'another-instance', expiresAt: new Date(Date.now() + 3_600_000) },
    });
    await ingester.drainNow('R');
    expect(said()).toHaveLength(1);
    // That instance's lease is gone: this one polls, and says so.
    await db.prisma.pollLease.deleteMany({ where: { account: 'upstream/R' } });
    await ingester.drainNow('R');
    expect(said()).toEqual([expect.stringMatching(/^poll round failed/), expect.stringMatching(/^poll round works again/)]);
  } finally {
    await ingester.stop();
  }
});
