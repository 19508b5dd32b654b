/**
 * One request's long checkDomains does not hold the process while another request waits: its
 * loops over the names (normalising, routing, answering: src/fanout/check-domains.ts) run in
 * slices of the process's FIFO of turns (src/core/turns.ts), so a `{ __typename }` sent while 9
 * aliases of checkDomains over 5,000 names are being routed is answered before them, over HTTP
 * (another registrar's key) and over graphql-ws (the same connection). Before, the routing of all
 * 9 aliases ran as one synchronous stretch and the small request waited for the big one's answer.
 *
 * Ordered, never timed. The small request is sent from inside the big one's routing (its first
 * Router.forDomain call, after the list was normalised), and the test records which answer
 * arrives first: over HTTP the first bytes of each response (fetch resolves on the headers, which
 * the big request writes as it answers), over graphql-ws the `next` messages of one connection
 * (sent in the order the server answers). The names are 16 labels below their zone (not
 * registrable: answered without a command), so that routing each costs some tens of µs and the
 * list's routing takes many slices on any machine.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: noBackgroundWork });
}, 120_000);
afterAll(() => t?.close());
afterEach(() => vi.restoreAllMocks());

const run = randomUUID().slice(0, 6);
const NAMES = Array.from({ length: 5000 }, (_, i) => `n${i}.${'a.'.repeat(16)}s${run}.example`);
const ALIASES = 9;
/** 9 aliases asking each name (6,000 points each; maxCost 60,000 admits them). */
const BIG = `query($n: [String!]!) { ${Array.from({ length: ALIASES }, (_, i) => `a${i}: checkDomains(names: $n) { name }`).join(' ')} }`;
const TINY = '{ __typename }';

/** Calls `send` once, at the big request's first routing of one of its names. */
function whenRouting(send: () => void): void {
  const router = t.gateway.services.router;
  const forDomain = router.forDomain.bind(router);
  let sent = false;
  vi.spyOn(router, 'forDomain').mockImplementation((name: string, field?: string) => {
    if (!sent && name.endsWith(`s${run}.example`)) {
      sent = true;
      send();
    }
    return forDomain(name, field);
  });
}

function expectBigAnswer(data: Record<string, Array<{ name: string }>>): void {
  expect(Object.keys(data)).toHaveLength(ALIASES);
  for (const answers of Object.values(data)) expect(answers.map((c) => c.name)).toEqual(NAMES);
}

describe('a small request sent while a big checkDomains is being routed is answered first', () => {
  it('over HTTP, with another registrar\'s key', async () => {
    const post = (key: string, query: string, variables?: Record<string, unknown>) =>
      fetch(t.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
    expect(await (await post(t.keys.TheRegistrar!, TINY)).json()).toEqual({ data: { __typename: 'Query' } }); // its key known
    const order: string[] = [];
    let tiny: Promise<unknown> | undefined;
    whenRouting(() => {
      tiny = post(t.keys.TheRegistrar!, TINY).then((res) => (order.push('tiny'), res.json()));
    });
    const big = await post(t.keys.NewRegistrar!, BIG, { n: NAMES }).then((res) => (order.push('big'), res.json()));
    expect(await tiny).toEqual({ data: { __typename: 'Query' } });
    expect((big as { errors?: unknown }).errors).toBeUndefined();
    expectBigAnswer((big as { data: Record<string, Array<{ name: string }>> }).data);
    expect(order).toEqual(['tiny', 'big']);
  }, 60_000);

  it('over graphql-ws, on the same connection', async () => {
    const client: Client = createClient({ url: t.gateway.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${t.keys.NewRegistrar!}` }, retryAttempts: 0 });
    const order: string[] = [];
    const once = (label: string, query: string, variables?: Record<string, unknown>) =>
      new Promise<{ data?: any; errors?: unknown }>((resolve, reject) => {
        client.subscribe({ query, variables }, { next: (r) => (order.push(label), resolve(r as { data?: any })), error: reject, complete: () => undefined });
      });
    try {
      expect(await once('warm', TINY)).toEqual({ data: { __typename: 'Query' } });
      order.length = 0;
      let tiny: Promise<unknown> | undefined;
      whenRouting(() => void (tiny = once('tiny', TINY)));
      const big = await once('big', BIG, { n: NAMES });
      expect(await tiny).toEqual({ data: { __typename: 'Query' } });
      expect(big.errors).toBeUndefined();
      expectBigAnswer(big.data);
      expect(order).toEqual(['tiny', 'big']);
    } finally {
      await client.dispose();
    }
  }, 60_000);
});
