/**
 * README "Live poll messages": the subscription script, run as written there (saved as poll.mjs,
 * `KEY=... node poll.mjs`), only its URL set to the test gateway's. It prints each transfer
 * message and keeps the last handled id in poll-cursor.txt; run again after being stopped, it
 * prints what came meanwhile, nothing it printed before, then live messages. Left running while
 * the gateway restarts (closed, its port refusing connections for a while, started again on the
 * same database and port), it reconnects, prints what was stored meanwhile and goes on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { REPO_ROOT } from '../helpers/processes.js';

/** The js block of README's "Live poll messages" section. */
async function example(): Promise<string> {
  const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Live poll messages'));
  const block = /```js\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README: no js block under "Live poll messages"');
  return block[1]!;
}

let t: TestGateway;
let db: TestDatabase;
let dir: string;
/** A gateway on the test's database (left open when it closes, as a stopped process leaves ./data), on `port` (0: any). */
const startGateway = (port = 0) =>
  startTestGateway({
    database: { ...db, close: async () => {} },
    configure: (c) => {
      c.poll.intervalMs = 100;
      c.port = port;
    },
  });
beforeAll(async () => {
  db = await freshDatabase();
  t = await startGateway();
  // Under the repository, so `graphql-ws` and `ws` resolve from its node_modules as the README says.
  await mkdir(path.join(REPO_ROOT, 'node_modules/.cache'), { recursive: true });
  dir = await mkdtemp(path.join(REPO_ROOT, 'node_modules/.cache/rgw-poll-readme-'));
});
afterAll(async () => {
  await t?.close();
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** TheRegistrar asks for a new domain of NewRegistrar's: NewRegistrar gets TRANSFER_REQUESTED for it. */
async function transferRequested(): Promise<string> {
  const name = `rd-${randomUUID().slice(0, 8)}.tld`;
  const c = await t.gql(t.keys.NewRegistrar!, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${name}", authInfo: "Tr4nsfer-Pw" }) { name } }`, { k: randomUUID() });
  expect(c.errors).toBeUndefined();
  const r = await t.gql(t.keys.TheRegistrar!, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${name}", authInfo: "Tr4nsfer-Pw") { transfer { status } } }`, { k: randomUUID() });
  expect(r.errors).toBeUndefined();
  return name;
}

/** Waits until NewRegistrar's stored messages include one about `name`; answers its id. */
async function stored(name: string): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const r = await t.gql(t.keys.NewRegistrar!, `query($o: [String!]) { pollMessages(objects: $o, includeAcknowledged: true) { edges { node { id } } } }`, { o: [name] });
    const id = r.data?.pollMessages.edges[0]?.node.id;
    if (id) return id;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`no poll message about ${name} was stored`);
}

/** The README script as a process; `lines` grows with its stdout lines. */
function run(file: string, key = t.keys.NewRegistrar!): { child: ChildProcess; lines: string[]; stderr: () => string; until: (ok: (lines: string[]) => boolean) => Promise<void> } {
  const child = spawn(process.execPath, [file], { cwd: dir, env: { ...process.env, KEY: key } });
  const lines: string[] = [];
  let buf = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    buf += s;
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
    waiters.forEach((w) => w());
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => void (err += s));
  const until = (ok: (l: string[]) => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (ok(lines) ? resolve() : undefined);
      waiters.push(check);
      child.once('exit', (code) => (ok(lines) ? resolve() : reject(new Error(`poll.mjs exited ${code}: ${err}`))));
      check();
    });
  return { child, lines, stderr: () => err, until };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

describe("README's pollMessages subscription script", () => {
  it('prints each message once, keeps the last id in its file, and a second run goes on after it', async () => {
    const script = (await example()).replace("'ws://localhost:4000/graphql'", JSON.stringify(t.gateway.wsUrl));
    expect(script).not.toContain('localhost:4000');
    const file = path.join(dir, 'poll.mjs');
    await writeFile(file, script);
    const cursorFile = path.join(dir, 'poll-cursor.txt');
    const mine = (lines: string[], names: string[]) => lines.filter((l) => names.some((n) => l.includes(` ${n} `)));

    // As if an earlier run handled the first transfer: the script starts after it.
    const handled = await transferRequested();
    await writeFile(cursorFile, await stored(handled));
    const missed = await transferRequested();
    const missedId = await stored(missed);

    const first = run(file);
    try {
      await first.until((l) => mine(l, [missed]).length === 1);
      expect(mine(first.lines, [missed])).toEqual([`${missedId} TRANSFER_REQUESTED ${missed} pending`]);
      const live = await transferRequested();
      await first.until((l) => mine(l, [live]).length === 1);
      const liveId = await stored(live);
      expect(mine(first.lines, [handled, missed, live])).toEqual([`${missedId} TRANSFER_REQUESTED ${missed} pending`, `${liveId} TRANSFER_REQUESTED ${live} pending`]);
    } finally {
      await stop(first.child);
    }
    expect((await readFile(cursorFile, 'utf8')).trim()).toBe(first.lines.at(-1)!.split(' ')[0]);

    // Stopped: a message comes meanwhile; the next run prints it, and nothing of the first run's.
    const meanwhile = await transferRequested();
    const meanwhileId = await stored(meanwhile);
    const second = run(file);
    try {
      await second.until((l) => mine(l, [meanwhile]).length === 1);
      const again = await transferRequested();
      await second.until((l) => mine(l, [again]).length === 1);
      expect(mine(second.lines, [handled, missed, meanwhile, again]).map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
        `${meanwhileId} TRANSFER_REQUESTED ${meanwhile}`,
        `${await stored(again)} TRANSFER_REQUESTED ${again}`,
      ]);
      expect(second.stderr()).toBe('');
    } finally {
      await stop(second.child);
    }
  }, 120_000);

  it('left running while the gateway restarts, it reconnects and prints what was stored meanwhile, then live ones', async () => {
    const file = path.join(dir, 'poll.mjs'); // written by the test above
    const key = t.keys.NewRegistrar!; // kept in the database: valid again after the restart
    const port = Number(new URL(t.gateway.url).port);
    const mine = (lines: string[], names: string[]) => lines.filter((l) => names.some((n) => l.includes(` ${n} `)));
    const script = run(file, key);
    /** Until the script prints a line about `name`; fails as soon as it reports an error (it gave up) instead. */
    const printed = async (name: string) => {
      while (mine(script.lines, [name]).length === 0) {
        if (script.stderr() !== '') throw new Error(`poll.mjs gave up: ${script.stderr().split('\n')[0]}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      const before = await transferRequested();
      await printed(before);

      await t.close(); // its subscriptions are closed with 1001 Going away: graphql-ws reconnects
      // While the gateway is down the port turns connections away; the test goes on once the
      // script has tried (a refused connection, which graphql-ws by default does not retry).
      let tried!: () => void;
      const triedOnce = new Promise<void>((r) => (tried = r));
      const down = createServer((socket) => {
        socket.destroy();
        tried();
      });
      await new Promise<void>((r) => down.listen(port, '127.0.0.1', () => r()));
      await triedOnce;
      await new Promise<void>((r) => down.close(() => r()));
      expect(script.child.exitCode).toBeNull();

      t = await startGateway(port);
      const meanwhile = await transferRequested(); // stored while the script may still be waiting to reconnect
      await printed(meanwhile);
      const live = await transferRequested();
      await printed(live);
      expect(mine(script.lines, [before, meanwhile, live]).map((l) => l.split(' ').slice(1, 3).join(' '))).toEqual([
        `TRANSFER_REQUESTED ${before}`,
        `TRANSFER_REQUESTED ${meanwhile}`,
        `TRANSFER_REQUESTED ${live}`,
      ]);
    } finally {
      await stop(script.child);
    }
  }, 120_000);

  it('with a key the gateway refuses (4403), it says so in one line, the close code and reason, and exits 1', async () => {
    // It printed the whole ws CloseEvent (console.error(e)): some 150 lines.
    const file = path.join(dir, 'poll-wrong-key.mjs');
    await writeFile(file, (await example()).replace("'ws://localhost:4000/graphql'", JSON.stringify(t.gateway.wsUrl)));
    const script = run(file, 'rgw_not-a-key');
    const code = await new Promise<number | null>((r) => script.child.once('close', r)); // 'close': its stderr read to the end
    expect(code).toBe(1);
    expect(script.stderr()).toBe('poll.mjs: closed with code 4403: Forbidden: no valid API key; send connection_init with payload {"Authorization": "Bearer <key>"}\n');
    expect(script.lines).toEqual([]);
  }, 60_000);

  it('with a cursor newer than any stored message (kept from another database), it says so in one line and exits 1, not "run again"', async () => {
    // The refusal came as `next` with errors, then `complete`: it printed the raw error array, then
    // "subscription ended; run again to go on after the saved id", and exited 0, run after run.
    const file = path.join(dir, 'poll-stale.mjs');
    await writeFile(file, (await example()).replace("'ws://localhost:4000/graphql'", JSON.stringify(t.gateway.wsUrl)));
    await writeFile(path.join(dir, 'poll-cursor.txt'), '999999999999');
    const script = run(file);
    const code = await new Promise<number | null>((r) => script.child.once('close', r));
    expect(code).toBe(1);
    expect(script.stderr()).toMatch(/^poll\.mjs: after: 999999999999 is newer than every poll message of yours stored here[^\n]*\n$/);
    expect(script.lines).toEqual([]);
  }, 60_000);
});
