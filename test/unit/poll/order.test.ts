/**
 * Poll message ids are cursors: a registrar's messages must commit in id order. While another
 * insert for the same registrar is in flight (holding the order lock), a new message waits;
 * another registrar's message does not.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import type { RegistryPort } from '../../../src/core/port.js';
import { PollService } from '../../../src/poll/poll.service.js';
import { LocalPollEvents } from '../../../src/pubsub/poll-events.js';
import { pino } from 'pino';
import { freshDatabase } from '../../helpers/db.js';

const PG = process.env.TEST_DATABASE_URL;

/** A backend whose queue holds one message, acknowledged on request. */
function oneMessageBackend(name: string, id: string): RegistryPort {
  let queued = true;
  return {
    name,
    pollRequest: async () => ({
      data: { count: queued ? 1 : 0, message: queued ? { id, queuedAt: new Date(), text: 'Transfer requested.', raw: '<x/>' } : null },
      trid: { client: 'c' },
      code: queued ? 1301 : 1300,
    }),
    pollAck: async () => {
      queued = false;
      return { data: { count: 0 }, trid: { client: 'c' }, code: 1000 };
    },
  } as unknown as RegistryPort;
}

describe.skipIf(!PG)('poll message order (needs TEST_DATABASE_URL: a second connection holds the lock)', () => {
  it('a message for a registrar waits for that registrar in-flight insert, not for others', async () => {
    const db = await freshDatabase();
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      const polls = new PollService(db.prisma, new LocalPollEvents(), systemClock, pino({ level: 'silent' }));
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(${0x52475050}::int, hashtext('NewRegistrar'))`);

      let waitingDone = false;
      const waiting = polls.drain({ backend: oneMessageBackend('b1', 'm1'), registrarId: 'NewRegistrar', accountId: 'a1' }).then((n) => {
        waitingDone = true;
        return n;
      });
      expect(await polls.drain({ backend: oneMessageBackend('b2', 'm2'), registrarId: 'TheRegistrar', accountId: 'a2' })).toBe(1);
      // NewRegistrar's insert is queued behind the held lock (PostgreSQL shows its request
      // waiting), not merely slow: wait for that instead of sleeping and hoping it got there.
      const waitsForLock = async () =>
        (await holder.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = ${0x52475050} AND NOT granted`)).rowCount! > 0;
      // (Should it not wait at all, it finishes instead, and the expect below says so.)
      while (!waitingDone && !(await waitsForLock())) await new Promise((r) => setTimeout(r, 20));
      expect(waitingDone).toBe(false);

      await holder.query('COMMIT');
      expect(await waiting).toBe(1);
      const rows = await db.prisma.pollMessage.findMany({ orderBy: { id: 'asc' } });
      expect(rows.map((r) => r.registrarId)).toEqual(['TheRegistrar', 'NewRegistrar']);
    } finally {
      await holder.end();
      await db.close();
    }
  });
});
