/**
 * Two gateway instances on one PostgreSQL and one Redis, in front of one registry: only one
 * instance polls an account, every subscriber on either instance gets each event once, and when
 * the polling instance dies another takes over within seconds.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import type { EppBackendConfig } from '../../src/config.types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { freshDatabase } from '../helpers/db.js';
import { settle, Subscriber } from '../helpers/subscriber.js';

const PG = process.env.TEST_DATABASE_URL;
const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe.skipIf(!PG)('scale-out (needs TEST_DATABASE_URL: instances share PostgreSQL; and Redis at TEST_REDIS_URL)', () => {
  let one: TestGateway;
  let two: TestGateway;

  beforeAll(async () => {
    const db = await freshDatabase();
    const poll = { intervalMs: 100, leaseMs: 1000, maxBackoffMs: 1000, enabled: true };
    one = await startTestGateway({ database: db, configure: (c) => { c.redisUrl = REDIS; c.poll = poll; } });
    // The second instance talks to the first one's sandboxes, as two instances talk to one registry.
    const upstream = one.gateway.services.config.backends.map((b) => ({ ...(b as EppBackendConfig), sandbox: undefined }));
    const second = await openDatabase({ url: db.url! });
    two = await startTestGateway({ database: second, configure: (c) => { c.redisUrl = REDIS; c.poll = poll; c.backends = upstream; } });
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  async function transferRequest(): Promise<string> {
    const name = `scale-${randomUUID().slice(0, 8)}.tld`;
    const c = await one.gql(one.keys.NewRegistrar!, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${name}", authInfo: "Sc4le-Out-Pw" }) { name } }`, { k: randomUUID() });
    expect(c.errors).toBeUndefined();
    const r = await two.gql(two.keys.TheRegistrar!, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${name}", authInfo: "Sc4le-Out-Pw") { transfer { status } } }`, { k: randomUUID() });
    expect(r.errors).toBeUndefined();
    return name;
  }

  async function leaseHolders(): Promise<string[]> {
    const rows = await one.gateway.services.prisma.pollLease.findMany({ where: { expiresAt: { gt: new Date() } } });
    return [...new Set(rows.map((r) => r.holder))];
  }

  it('delivers each event once to subscribers on either instance, with one instance polling each account', async () => {
    const onOne = await new Subscriber(one.gateway.wsUrl, one.keys.NewRegistrar!).start();
    const onTwo = await new Subscriber(two.gateway.wsUrl, two.keys.NewRegistrar!).start();
    try {
      const names = [await transferRequest(), await transferRequest()];
      // NewRegistrar may also get the REPP sandbox's seeded notifications: wait for these names'.
      const both = (s: Subscriber) => s.waitUntil(() => names.every((n) => s.messages.some((m) => m.objectName === n)));
      await Promise.all([both(onOne), both(onTwo)]);
      await settle(500);
      for (const s of [onOne, onTwo]) {
        const mine = s.messages.filter((m) => names.includes(m.objectName!));
        expect(mine.map((m) => m.objectName)).toEqual(names);
        expect(mine.every((m) => m.type === 'TRANSFER_REQUESTED')).toBe(true);
      }
      const rows = await one.gateway.services.prisma.pollLease.findMany();
      for (const r of rows) expect([one.gateway.services.ingester.instanceId, two.gateway.services.ingester.instanceId]).toContain(r.holder);
      expect(new Set(rows.map((r) => r.account)).size).toBe(rows.length);
    } finally {
      await Promise.all([onOne.stop(), onTwo.stop()]);
    }
  });

  it('another instance takes over polling within seconds when the holder dies', async () => {
    const ids = { one: one.gateway.services.ingester.instanceId, two: two.gateway.services.ingester.instanceId };
    const holders = await leaseHolders();
    const victim = holders.includes(ids.one) ? one : two;
    const survivor = victim === one ? two : one;
    await victim.gateway.services.ingester.stop({ release: false }); // dies holding its leases

    // Within seconds of the victim's leases lapsing (1 s here), the survivor holds every account.
    const deadline = Date.now() + 10_000;
    let holdersNow = await leaseHolders();
    while (Date.now() < deadline && (holdersNow.length !== 1 || holdersNow[0] !== survivor.gateway.services.ingester.instanceId)) {
      await settle(100);
      holdersNow = await leaseHolders();
    }
    expect(holdersNow).toEqual([survivor.gateway.services.ingester.instanceId]);

    const sub = await new Subscriber(survivor.gateway.wsUrl, survivor.keys.NewRegistrar!).start();
    try {
      const name = await transferRequest();
      const got = await sub.waitUntil((m) => m.objectName === name, 10_000);
      expect(got.map((m) => m.objectName)).toContain(name);
    } finally {
      await sub.stop();
    }
  });
});
