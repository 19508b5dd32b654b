/**
 * While the database is away, the bulk runner's statements repeated every idleMs (looking for
 * items to claim, claiming, settling items awaiting the registry) log one warning each when they
 * start failing and one info line when they work again, not a warning with its stack at every
 * attempt (a trial stopped PostgreSQL for 15 s under two idle gateways: 54 such lines each).
 *
 * The store and the awaiting sweep are stand-ins that fail while `db.down`; the runner's timers
 * are never started: each attempt is made by hand, as a timer would make it.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { beforeEach, expect, it, vi } from 'vitest';

const db = vi.hoisted(() => ({ down: true }));
const refused = () => Promise.reject(new Error("Can't reach database server at 127.0.0.1:5432"));

vi.mock('../../../src/bulk/awaiting.js', async (original) => ({
  ...(await original<typeof import('../../../src/bulk/awaiting.js')>()),
  settleAwaiting: async () => (db.down ? refused() : []),
}));

const { BulkRunner } = await import('../../../src/bulk/runner.js');

type Line = { level: number; msg: string; err?: { message: string }; backend?: string };
let lines: Line[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});
const logged = (re: RegExp) => lines.filter((l) => re.test(l.msg)).map((l) => [l.level === 40 ? 'warn' : l.level === 30 ? 'info' : l.level, l.msg]);

interface Driven {
  wake(): void;
  settleAwaiting(): Promise<void>;
  stopped: boolean;
  probing: boolean;
  lanes: Map<string, { claiming: boolean }>;
}

/** A runner over `backends` whose store fails while db.down. */
function runner(backends: string[]): Driven {
  const env = { router: { backends: () => backends.map((name) => ({ name })) } };
  const store = {
    runnable: async (names: string[]) => (db.down ? refused() : names.slice(0, 0)),
    claim: async () => (db.down ? refused() : []),
  };
  const r = new BulkRunner(env as never, store as never, {} as never, { idleMs: 500, overdueCheckMs: 60_000, concurrency: 4, backendConcurrency: {}, leaseMs: 30_000 } as never, pino({ level: 'info' }, sink));
  const d = r as unknown as Driven;
  d.stopped = false; // as after start()
  return d;
}

/** Waits until the runner's look and claims under way have ended (the stand-ins answer at once). */
async function settle(r: Driven): Promise<void> {
  do await new Promise((resolve) => setImmediate(resolve));
  while (r.probing || [...r.lanes.values()].some((l) => l.claiming));
}

beforeEach(() => {
  lines = [];
  db.down = true;
});

it('looking for items to claim (several backends) and claiming (one) warn once per outage, with the error, and say when they work again', async () => {
  for (const [backends, what] of [
    [['a', 'b'], /^bulk: looking for items to claim/],
    [['a'], /^bulk: claiming items/],
  ] as const) {
    lines = [];
    db.down = true;
    const r = runner([...backends]);
    for (let i = 0; i < 6; i++) {
      r.wake();
      await settle(r);
    }
    expect(logged(what)).toEqual([['warn', expect.stringMatching(/ failed; /)]]);
    expect(lines.find((l) => what.test(l.msg))!.err!.message).toContain("Can't reach database server");
    db.down = false;
    r.wake();
    await settle(r);
    r.wake();
    await settle(r);
    db.down = true; // a second outage is a second warning
    r.wake();
    await settle(r);
    expect(logged(what)).toEqual([
      ['warn', expect.stringMatching(/ failed; /)],
      ['info', expect.stringMatching(/ works again$/)],
      ['warn', expect.stringMatching(/ failed; /)],
    ]);
  }
});

it('settling items awaiting the registry warns once per outage and says when it works again', async () => {
  const r = runner(['a']);
  for (let i = 0; i < 6; i++) await r.settleAwaiting();
  db.down = false;
  await r.settleAwaiting();
  await r.settleAwaiting();
  expect(logged(/^bulk: settling items awaiting/)).toEqual([
    ['warn', expect.stringMatching(/ failed; /)],
    ['info', 'bulk: settling items awaiting the registry works again'],
  ]);
});
