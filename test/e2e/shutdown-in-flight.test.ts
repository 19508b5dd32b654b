/**
 * Closing the gateway (what SIGTERM does after shutdownDelayMs, src/main.ts) lets the HTTP
 * requests in flight finish: a createDomain the registry has applied and not yet answered gets
 * its answer, as the README's Start promises ("requests in flight finish"). An operator's trial
 * found them cut (ECONNRESET) while their mutation was applied: close() stopped Apollo and cut
 * every connection at once.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** Wakes the test when close() logs that it waits for requests in flight. */
const waiters: Array<() => void> = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    if (String(chunk).includes('waiting for the HTTP requests in flight')) waiters.splice(0).forEach((w) => w());
    done();
  },
});

let t: TestGateway;
let sandbox: EppSandbox;
let closing: Promise<void> | undefined;
beforeAll(async () => {
  t = await startTestGateway({ logger: pino({ level: 'info' }, sink), configure: (c) => void (c.poll.enabled = false) });
  sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox;
}, 120_000);
afterAll(async () => {
  sandbox?.faults.release();
  await (closing ?? t?.close());
});

it('a mutation in flight when the gateway closes gets its answer', async () => {
  const name = `drain-${randomUUID().slice(0, 8)}.tld`;
  const created = sandbox.applied('domain:create');
  sandbox.faults.next({ command: 'domain:create', action: 'hold-after-apply' });
  const answer = fetch(t.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.keys.NewRegistrar}` },
    body: JSON.stringify({ query: `mutation { createDomain(idempotencyKey: "${randomUUID()}", input: { name: "${name}", authInfo: "Dr4in-Pw" }) { name } }` }),
  });
  // The registry applied it and holds its answer: the request is in flight.
  while (sandbox.applied('domain:create') === created) await new Promise((r) => setTimeout(r, 20));
  // Released once close() has either cut the request (it used to: Apollo stopped, every connection
  // closed) or says it waits for it.
  closing = t.gateway.close();
  await Promise.race([closing, new Promise<void>((resolve) => waiters.push(resolve))]);
  sandbox.faults.release();
  const res = await answer;
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ data: { createDomain: { name } } });
  await closing;
}, 60_000);
