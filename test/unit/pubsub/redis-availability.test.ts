/**
 * A Redis that takes the connection and never answers (a hung server, a wrong port behind a
 * proxy) gives ioredis no error to report: its outage is logged all the same, once its
 * connection has not become ready within readyWithinMs. An operator's trial saw nothing in the
 * log for 55 s while /readyz said Redis was unavailable. (That a Redis that answers logs nothing
 * is test/e2e/redis-down-logs.test.ts's: it counts every line about Redis.)
 */
import net from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ioredis } from '../../../src/core/lazy-modules.js';
import type { Logger } from '../../../src/logger.js';
import { logRedisAvailability } from '../../../src/pubsub/redis-availability.js';

const opened: Redis[] = [];
const servers: net.Server[] = [];
const held = new Set<net.Socket>();
afterAll(async () => {
  for (const c of opened) c.disconnect();
  for (const s of held) s.destroy();
  for (const s of servers) await new Promise((r) => s.close(r));
});

/** A logger keeping what is written at warn and info. */
function recorder() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, fields, msg });
  return { lines, logger: { warn: at('warn'), info: at('info'), debug: () => undefined, error: at('error') } as unknown as Logger };
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; !ok(); i++) {
    if (i > 2_000) throw new Error('waited too long (a hang guard, not a deadline)');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('logRedisAvailability', () => {
  it('logs a server that takes the connection and never answers as down, once, with why', async () => {
    const silent = net.createServer((s) => void held.add(s));
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as net.AddressInfo;
    const client = new (ioredis().Redis)(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 1 });
    opened.push(client);
    // Connected (no error for ioredis to give), its ready check unanswered.
    await until(() => client.status === 'connect' && held.size > 0);
    const { lines, logger } = recorder();
    logRedisAvailability([client], logger, { down: 'Redis unavailable for the test', back: 'Redis works again for the test', readyWithinMs: 200 });
    await until(() => lines.length > 0);
    expect(lines).toEqual([{ level: 'warn', fields: { err: expect.stringMatching(/^no connection ready within 200 ms \(connect\): the server takes the connection and does not answer/) }, msg: 'Redis unavailable for the test' }]);
  });
});
