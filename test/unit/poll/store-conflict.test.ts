/**
 * PollService acknowledges an upstream message only once it is in the store. A unique violation
 * on storing means "stored before" only when it is the (backend, account, upstream id) one: a
 * message read again after a crash before its acknowledgement. Any other unique violation (the
 * registrar's gapless seq, the id) leaves the message unstored, so it must stay queued upstream
 * and be stored by a later round, never acknowledged and lost.
 */
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import type { RegistryPort } from '../../../src/core/port.js';
import { PollService, type PollAccount } from '../../../src/poll/poll.service.js';
import { LocalPollEvents } from '../../../src/pubsub/poll-events.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

const PG = process.env.TEST_DATABASE_URL;
/** Text and raw frame of every queued message: neither may appear in a log line. */
const TEXT = 'Transfer requested by a secret party.';
const RAW = '<epp><secret-raw-frame/></epp>';

/**
 * An upstream queue (a list of message ids, head first) behind a minimal backend: a poll request
 * answers the head, an acknowledgement removes it; `failNextAck` makes the next acknowledgement
 * fail as a lost connection would (the gateway crashed or lost the registry before it was sent).
 */
function upstreamQueue(...ids: string[]) {
  const queue = [...ids];
  let failNextAck = false;
  const backend = {
    name: 'upstream',
    pollRequest: async () => {
      const head = queue[0];
      return {
        data: { count: queue.length, message: head ? { id: head, queuedAt: new Date(), text: TEXT, raw: RAW } : null },
        trid: { client: 'c' },
        code: head ? 1301 : 1300,
      };
    },
    pollAck: async (_ctx: unknown, id: string) => {
      if (failNextAck) {
        failNextAck = false;
        throw new Error('connection reset before the acknowledgement was sent');
      }
      queue.splice(queue.indexOf(id), 1);
      return { data: { count: queue.length }, trid: { client: 'c' }, code: 1000 };
    },
  } as unknown as RegistryPort;
  const account: PollAccount = { backend, registrarId: 'R', accountId: 'acct' };
  return { queue, account, failNextAck: () => (failNextAck = true) };
}

let db: TestDatabase;
let logLines: string[];
let polls: PollService;
beforeEach(async () => {
  db = await freshDatabase();
  logLines = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  polls = new PollService(db.prisma, new LocalPollEvents(), systemClock, logger);
});
afterEach(() => db?.close());

/** The upstream ids of registrar R's stored messages, in id order (what pollMessages lists). */
async function storedIds(): Promise<string[]> {
  return (await db.prisma.pollMessage.findMany({ where: { registrarId: 'R' }, orderBy: { id: 'asc' } })).map((r) => r.upstreamId);
}

/** A row written by something other than PollService.store (an import, a second writer). */
async function insertRow(values: { id?: bigint; registrarId: string; upstreamId: string; seq: bigint }): Promise<void> {
  const id = values.id ?? null;
  await db.prisma.$executeRaw`INSERT INTO poll_messages (id, registrar_id, backend, account_id, upstream_id, type, message, queued_at, raw, seq)
    VALUES (COALESCE(${id}::bigint, nextval('poll_messages_id_seq')), ${values.registrarId}, 'elsewhere', 'other', ${values.upstreamId}, 'OTHER', 'x', now(), '<x/>', ${values.seq})`;
}

/** One round as the ingester runs it (src/poll/ingester.ts: a failed round is logged, never thrown): whether it failed. */
function roundFailed(round: Promise<unknown>): Promise<boolean> {
  return round.then(
    () => false,
    () => true,
  );
}

/** The log lines that say a message was refused by the store. */
function refusals(): string[] {
  return logLines.filter((l) => l.includes('poll message not stored'));
}

describe('PollService.store: which unique violation means "stored before"', () => {
  it('a message read again after a crash before its acknowledgement is stored once and then acknowledged', async () => {
    const up = upstreamQueue('m1', 'm2');
    up.failNextAck();
    expect(await roundFailed(polls.drain(up.account))).toBe(true); // m1 stored, its acknowledgement lost
    expect(up.queue).toEqual(['m1', 'm2']);
    expect(await storedIds()).toEqual(['m1']);

    expect(await polls.drain(up.account)).toBe(1); // m1 again: stored before; m2 new
    expect(up.queue).toEqual([]);
    expect(await storedIds()).toEqual(['m1', 'm2']);
    expect(refusals()).toEqual([]);
  });

  it('a message whose id is taken (rows imported with their ids) stays queued upstream and is stored by the next round', async () => {
    // The id the next insert draws, taken by a row written with an explicit id, as a restore or
    // import that does not move the id sequence on leaves it.
    const [{ next }] = await db.prisma.$queryRaw<Array<{ next: bigint }>>`SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END AS next FROM poll_messages_id_seq`;
    await insertRow({ id: next, registrarId: 'Other', upstreamId: 'imported', seq: 1n });
    const up = upstreamQueue('m1');

    const failed = await roundFailed(polls.drain(up.account));
    expect(up.queue).toEqual(['m1']); // not acknowledged: still the registry's to deliver
    expect(await storedIds()).toEqual([]);
    expect(failed).toBe(true);
    expect(refusals()).toHaveLength(1);
    expect(refusals()[0]).toMatch(/poll_messages_pkey/);

    expect(await polls.drain(up.account)).toBe(1); // the failed insert used that id up; the next draws a free one
    expect(up.queue).toEqual([]);
    expect(await storedIds()).toEqual(['m1']);
  });

  it("a message whose seq another writer took first stays queued upstream and is stored once that conflict is gone", async () => {
    // A writer that does not take the registrar's order lock commits the seq this insert drew,
    // between the draw and the insert: reproduced in the same transaction by a trigger, on the
    // one message only, so the store's own statements run unchanged.
    await db.prisma.$executeRawUnsafe(`CREATE FUNCTION take_seq() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO poll_messages (registrar_id, backend, account_id, upstream_id, type, message, queued_at, raw, seq)
        VALUES (NEW.registrar_id, 'elsewhere', 'other', 'intruder', 'OTHER', 'x', now(), '<x/>', NEW.seq);
        RETURN NEW;
      END $$`);
    await db.prisma.$executeRawUnsafe(`CREATE TRIGGER take_seq BEFORE INSERT ON poll_messages FOR EACH ROW WHEN (NEW.upstream_id = 'm2') EXECUTE FUNCTION take_seq()`);
    const up = upstreamQueue('m1', 'm2', 'm3');

    const failed = await roundFailed(polls.drain(up.account));
    expect(up.queue).toEqual(['m2', 'm3']); // m1 stored and acknowledged; m2 refused, so not acknowledged
    expect(await storedIds()).toEqual(['m1']);
    expect(failed).toBe(true);
    expect(refusals()).toHaveLength(1);
    expect(refusals()[0]).toMatch(/poll_messages_registrar_id_seq_key/);
    for (const secret of [TEXT, 'secret-raw-frame']) expect(logLines.join('\n')).not.toContain(secret);

    await db.prisma.$executeRawUnsafe(`DROP TRIGGER take_seq ON poll_messages`);
    expect(await polls.drain(up.account)).toBe(2);
    expect(up.queue).toEqual([]);
    const rows = await db.prisma.pollMessage.findMany({ where: { registrarId: 'R' }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.upstreamId, r.seq])).toEqual([
      ['m1', 1n],
      ['m2', 2n],
      ['m3', 3n],
    ]);
  });
});

describe.skipIf(!PG)('PollService.store against a concurrent writer (needs TEST_DATABASE_URL: a second connection)', () => {
  it('a message whose seq a concurrent writer commits first stays queued upstream and is stored by the next round', async () => {
    const up = upstreamQueue('m1');
    const writer = new pg.Client({ connectionString: db.url });
    await writer.connect();
    try {
      // Another writer (without the order lock) holds R's seq 1 uncommitted: the store cannot see
      // it, draws seq 1 as well, and waits on the unique index until the writer commits.
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO poll_messages (registrar_id, backend, account_id, upstream_id, type, message, queued_at, raw, seq)
        VALUES ('R', 'elsewhere', 'other', 'concurrent', 'OTHER', 'x', now(), '<x/>', 1)`);
      const writerPid = (await writer.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      let settled = false;
      const draining = roundFailed(polls.drain(up.account)).finally(() => (settled = true));
      // Wait until the store's insert waits for the writer's transaction (PostgreSQL shows it),
      // not for some time: should it not wait at all it settles, and the assertions below say so.
      const waitsForWriter = async () =>
        (await writer.query(`SELECT 1 FROM pg_locks w JOIN pg_locks h ON h.transactionid = w.transactionid AND h.granted AND h.pid = $1
          WHERE w.locktype = 'transactionid' AND NOT w.granted`, [writerPid])).rowCount! > 0;
      for (let guard = 0; !settled && !(await waitsForWriter()); guard++) {
        if (guard > 1500) throw new Error('the store never waited for the concurrent writer');
        await new Promise((r) => setTimeout(r, 20));
      }
      await writer.query('COMMIT');
      const failed = await draining;

      expect(up.queue).toEqual(['m1']); // not acknowledged
      expect(await storedIds()).toEqual(['concurrent']);
      expect(failed).toBe(true);
      expect(refusals()).toHaveLength(1);
      expect(refusals()[0]).toMatch(/poll_messages_registrar_id_seq_key/);

      expect(await polls.drain(up.account)).toBe(1);
      expect(up.queue).toEqual([]);
      const rows = await db.prisma.pollMessage.findMany({ where: { registrarId: 'R' }, orderBy: { seq: 'asc' } });
      expect(rows.map((r) => [r.upstreamId, r.seq])).toEqual([
        ['concurrent', 1n],
        ['m1', 2n],
      ]);
    } finally {
      await writer.end();
    }
  });
});
