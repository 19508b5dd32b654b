/**
 * A Redis that takes connections and stops answering (hung, or a proxy in front of it that
 * stalls: ioredis gets no error to fail on). An operator's trial found every GraphQL request of
 * the instance waiting on the rate limit's Redis (40 s and more, /readyz saying ready), and a
 * pollMessages subscription opened meanwhile never delivering, nor any later one of that
 * registrar on the instance, after Redis answered again. Redis sits behind a TCP front the test
 * controls: while "stalled" it holds what the gateway sends (connections stay open, nothing is
 * answered), then forwards it all. Nothing here waits on a time window: each step waits for what
 * it expects, bounded only by the hang guard.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { RedisFront, redisUp } from '../helpers/redis.js';
import { Subscriber } from '../helpers/subscriber.js';

const front = new RedisFront();

let t: TestGateway;
beforeAll(async () => {
  if (!redisUp) return;
  const url = await front.start();
  t = await startTestGateway({
    configure: (c) => {
      c.poll.intervalMs = 100;
      c.redisUrl = url;
      c.redisPrefix = `rgw-test-${randomUUID().slice(0, 8)}:`;
    },
  });
  await t.gateway.services.events.ping(); // Redis answers through the front
}, 60_000);
afterAll(async () => {
  front.set('up');
  await t?.close();
  await front.close();
});

const k = () => randomUUID();

/** NewRegistrar creates a domain on the nomulus-profile sandbox and TheRegistrar asks for it: TheRegistrar's TRANSFER_REQUESTED... for NewRegistrar (the losing side). */
async function transferRequested(): Promise<string> {
  const name = `hung-${randomUUID().slice(0, 8)}.tld`;
  const c = await t.gql(t.keys.NewRegistrar!, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${name}", authInfo: "Tr4nsfer-Pw" }) { name } }`, { k: k() });
  expect(c.errors).toBeUndefined();
  const r = await t.gql(t.keys.TheRegistrar!, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${name}", authInfo: "Tr4nsfer-Pw") { transfer { status } } }`, { k: k() });
  expect(r.errors).toBeUndefined();
  return name;
}

describe.skipIf(!redisUp)('Redis hung (needs Redis at TEST_REDIS_URL, default 127.0.0.1:6379)', () => {
  it('requests are answered: the rate limit counts on this instance while Redis does not answer', async () => {
    front.set('stalled');
    try {
      const r = await t.gql(t.keys.NewRegistrar!, '{ viewer { id } }');
      expect(r.errors).toBeUndefined();
      expect(r.data).toEqual({ viewer: { id: 'NewRegistrar' } });
    } finally {
      front.set('up');
    }
  }, 60_000);

  it('a subscription opened while Redis hangs gets the messages stored meanwhile, and live ones after Redis answers again', async () => {
    front.set('stalled');
    let sub: Subscriber | undefined;
    try {
      sub = await new Subscriber(t.gateway.wsUrl, t.keys.NewRegistrar!).start({ types: ['TRANSFER_REQUESTED'] }, () => t.gateway.services.events.listeners('NewRegistrar') === 1);
      const during = await transferRequested();
      await sub.waitUntil((m) => m.objectName === during);
      front.set('up');
      const after = await transferRequested();
      await sub.waitUntil((m) => m.objectName === after);
      expect(sub.errors).toEqual([]);
      const mine = sub.messages.filter((m) => m.objectName === during || m.objectName === after);
      expect(mine.map((m) => m.objectName)).toEqual([during, after]);
      // A second subscription of the same registrar on this instance is not held by the first's SUBSCRIBE.
      const second = await new Subscriber(t.gateway.wsUrl, t.keys.NewRegistrar!).start({ types: ['TRANSFER_REQUESTED'] }, () => t.gateway.services.events.listeners('NewRegistrar') === 2);
      try {
        const third = await transferRequested();
        await second.waitUntil((m) => m.objectName === third);
        await sub.waitUntil((m) => m.objectName === third);
      } finally {
        await second.stop();
      }
    } finally {
      front.set('up');
      await sub?.stop();
    }
  }, 90_000);
});
