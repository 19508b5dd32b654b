/**
 * Live poll events over graphql-ws: messages reach both sides of a transfer, a reconnecting
 * subscriber gets exactly what it missed, messages come in id order however their events overtake
 * each other, other registrars get nothing, and a crash between storing and acknowledging loses
 * and duplicates nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { HANG_GUARD_MS, settle, Subscriber } from '../helpers/subscriber.js';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import type { PollEvent } from '../../src/pubsub/poll-events.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.intervalMs = 100;
      c.registrars.push({ id: 'Outsider', name: 'A registrar with no accounts upstream' });
    },
  });
});
afterAll(() => t?.close());

const k = () => randomUUID();

/**
 * Waits until `ok` holds, however long the machine takes: the bound only ends a hang (it was a
 * 3 s window, which 20 subscriptions each reading the store before they listen can exceed on a
 * loaded machine, failing a gateway that did everything right).
 */
async function until(ok: () => boolean, timeoutMs = HANG_GUARD_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`not after ${timeoutMs} ms (a hang guard): ${ok.toString()}`);
    await settle(20);
  }
}

/**
 * A subscriber (no cursor) of `registrarId`'s messages, resolved once the gateway listens for it,
 * so that a message made next is after its start: the connection's ack does not say that. Every
 * test stops its own subscribers, so once the earlier ones have gone this is the only listener.
 */
async function listeningSubscriber(key: string, registrarId: string, variables: { types?: string[] } = {}): Promise<Subscriber> {
  const { events } = t.gateway.services;
  await until(() => events.listeners(registrarId) === 0);
  return new Subscriber(t.gateway.wsUrl, key).start(variables, () => events.listeners(registrarId) === 1);
}

/** NewRegistrar creates a domain on the nomulus-profile sandbox, TheRegistrar asks for it, NewRegistrar answers. */
async function transferRound(answer: 'approve' | 'reject'): Promise<string> {
  const name = `sub-${randomUUID().slice(0, 8)}.tld`;
  const c = await t.gql(t.keys.NewRegistrar!, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${name}", authInfo: "Tr4nsfer-Pw" }) { name } }`, { k: k() });
  expect(c.errors).toBeUndefined();
  const r = await t.gql(t.keys.TheRegistrar!, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${name}", authInfo: "Tr4nsfer-Pw") { transfer { status } } }`, { k: k() });
  expect(r.errors).toBeUndefined();
  const a = await t.gql(t.keys.NewRegistrar!, `mutation($k: String!) { ${answer}Transfer(idempotencyKey: $k, domainName: "${name}") { transfer { status } } }`, { k: k() });
  expect(a.errors).toBeUndefined();
  return name;
}

describe('pollMessages subscription', () => {
  it('delivers a transfer to both registrars, and nothing to a registrar it does not concern', async () => {
    const losing = await listeningSubscriber(t.keys.NewRegistrar!, 'NewRegistrar');
    const gaining = await listeningSubscriber(t.keys.TheRegistrar!, 'TheRegistrar');
    const outsiderKey = (await import('../../src/auth/api-keys.js')).createApiKey;
    const outsider = await new Subscriber(t.gateway.wsUrl, (await outsiderKey(t.gateway.services.prisma, 'Outsider')).key).start();
    try {
      const name = await transferRound('approve');
      // NewRegistrar may also get the REPP sandbox's seeded notifications: wait for this name's.
      const l = (await losing.waitUntil((m) => m.objectName === name)).filter((m) => m.objectName === name);
      const g = (await gaining.waitUntil((m) => m.objectName === name && m.type === 'TRANSFER_APPROVED')).filter((m) => m.objectName === name);
      expect(l.map((m) => m.type)).toEqual(['TRANSFER_REQUESTED']);
      expect(l[0]!.transfer?.status).toBe('pending');
      expect(g.map((m) => m.type)).toContain('TRANSFER_APPROVED');
      await settle(300); // a few poll intervals: nothing more may arrive
      expect(outsider.messages).toEqual([]);
      expect(losing.errors).toEqual([]);
      expect(new Set(losing.messages.map((m) => m.id)).size).toBe(losing.messages.length);
    } finally {
      await Promise.all([losing.stop(), gaining.stop(), outsider.stop()]);
    }
  });

  it('a subscriber that comes back with its last cursor gets exactly what it missed', async () => {
    const first = await listeningSubscriber(t.keys.TheRegistrar!, 'TheRegistrar', { types: ['TRANSFER_REJECTED'] });
    const seen = await transferRound('reject');
    const got = await first.waitFor(1);
    expect(got.map((m) => m.objectName)).toEqual([seen]);
    const cursor = got[0]!.id;
    await first.stop();

    const missed = [await transferRound('reject'), await transferRound('reject')];
    await settle(400); // let the ingester store them while nobody listens
    // One of them acknowledged meanwhile: the replay says so (it said null: found by a fresh user).
    const stored = await t.gql(t.keys.TheRegistrar!, 'query($a: String, $t: [PollMessageType!]) { pollMessages(after: $a, types: $t) { edges { node { id objectName } } } }', { a: cursor, t: ['TRANSFER_REJECTED'] });
    const acked = stored.data.pollMessages.edges.find((e: { node: { objectName: string } }) => e.node.objectName === missed[0]).node.id;
    const ack = await t.gql(t.keys.TheRegistrar!, 'mutation($k: String!, $id: ID!) { ackPollMessage(idempotencyKey: $k, id: $id) { message { acknowledgedAt } } }', { k: k(), id: acked });
    const ackedAt = ack.data.ackPollMessage.message.acknowledgedAt;
    expect(ackedAt).toEqual(expect.any(String));

    const back = await new Subscriber(t.gateway.wsUrl, t.keys.TheRegistrar!).start({ after: cursor, types: ['TRANSFER_REJECTED'] });
    try {
      const live = await transferRound('reject');
      const all = await back.waitFor(3);
      await settle(300);
      expect(back.messages.map((m) => m.objectName)).toEqual([...missed, live]);
      expect(back.messages.every((m) => BigInt(m.id) > BigInt(cursor))).toBe(true);
      expect(back.messages.map((m) => m.acknowledgedAt)).toEqual([ackedAt, null, null]);
    } finally {
      await back.stop();
    }
  });

  it('filters by object', async () => {
    const sub = await new Subscriber(t.gateway.wsUrl, t.keys.NewRegistrar!).start({ objects: ['nothing-here.tld'] });
    try {
      await transferRound('approve');
      await settle(400);
      expect(sub.messages).toEqual([]);
    } finally {
      await sub.stop();
    }
  });

  it('a subscriber that leaves lets go of its registrar at once, even when no message ever comes', async () => {
    const { events } = t.gateway.services;
    const key = (await (await import('../../src/auth/api-keys.js')).createApiKey(t.gateway.services.prisma, 'Outsider')).key;
    const quiet = await Promise.all(Array.from({ length: 20 }, () => new Subscriber(t.gateway.wsUrl, key).start()));
    await until(() => events.listeners('Outsider') === 20);
    // Half complete their subscription on an open connection, half close the connection.
    await Promise.all(quiet.slice(0, 10).map((q) => q.unsubscribeOnly()));
    await until(() => events.listeners('Outsider') === 10);
    await Promise.all(quiet.map((q) => q.stop()));
    await until(() => events.listeners('Outsider') === 0);
    expect(events.listeners('Outsider')).toBe(0);
  });

  it('refuses a malformed cursor with a field error', async () => {
    const sub = new Subscriber(t.gateway.wsUrl, t.keys.NewRegistrar!);
    await sub.start({ after: 'not-a-cursor' });
    await until(() => sub.errors.length > 0); // the answer comes when it comes: a fixed 200 ms wait failed under load
    expect(JSON.stringify(sub.errors)).toContain('BAD_USER_INPUT');
    await sub.stop();
  });

  it('refuses an empty cursor, as the query does, instead of taking it for no cursor', async () => {
    const sub = new Subscriber(t.gateway.wsUrl, t.keys.NewRegistrar!);
    await sub.start({ after: '' });
    await until(() => sub.errors.length > 0);
    expect(sub.errors).toMatchObject([[{ extensions: { code: 'BAD_USER_INPUT', field: 'after' } }]]);
    await sub.stop();
  });

  it('refuses a cursor newer than every message of the registrar (kept from another database), which would hold back every message up to it', async () => {
    // A client that kept its cursor file while the gateway's database was started afresh: the
    // new database's ids begin again below it.
    await transferRound('reject');
    await t.gql(t.keys.NewRegistrar!, '{ pollMessages(first: 1) { edges { cursor } } }'); // the query stores what waits upstream first
    const newest = (await t.gateway.services.prisma.pollMessage.findFirst({ where: { registrarId: 'NewRegistrar' }, orderBy: { id: 'desc' } }))!.id;
    const stale = (newest + 1000n).toString();
    const sub = new Subscriber(t.gateway.wsUrl, t.keys.NewRegistrar!);
    await sub.start({ after: stale });
    await until(() => sub.errors.length > 0);
    expect(sub.errors).toMatchObject([[{ extensions: { code: 'BAD_USER_INPUT', field: 'after' } }]]);
    expect(JSON.stringify(sub.errors)).toContain('without after');
    await sub.stop();
    const q = await t.gql(t.keys.NewRegistrar!, `query($a: String) { pollMessages(after: $a) { edges { cursor } } }`, { a: stale });
    expect(q.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    // Its own newest message is a cursor it was handed: still taken, and what follows arrives.
    const current = await new Subscriber(t.gateway.wsUrl, t.keys.NewRegistrar!).start({ after: newest.toString() });
    try {
      const name = await transferRound('approve');
      expect((await current.waitUntil((m) => m.objectName === name)).filter((m) => m.objectName === name).map((m) => m.type)).toEqual(['TRANSFER_REQUESTED']);
      expect(current.errors).toEqual([]);
    } finally {
      await current.stop();
    }
  });
});

describe('pollMessages subscription order', () => {
  it("delivers a registrar's messages in id order when a later message's event overtakes an earlier one's, and resuming after any id it gave loses nothing", async () => {
    // As seen in a user trial: two upstream accounts of one registrar ingested at once (or by two
    // instances), the earlier message's event published after the later one's (it waited for the
    // database work done after storing). The messages are stored by the product's own PollService
    // from the sandbox's queue; their events then go through the gateway's fan-out in reverse.
    const { ingester, router, prisma, events, clock, logger } = t.gateway.services;
    await ingester.stop(); // the drain is driven by hand from here
    const subs: Subscriber[] = [];
    try {
      const backend = router.named('sandbox-nomulus');
      const sub = await listeningSubscriber(t.keys.NewRegistrar!, 'NewRegistrar');
      subs.push(sub);
      // Four transfer requests put four messages in NewRegistrar's queue upstream.
      for (let i = 0; i < 4; i++) {
        const name = `order-${randomUUID().slice(0, 8)}.tld`;
        const c = await t.gql(t.keys.NewRegistrar!, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${name}", authInfo: "0rder-Pw1" }) { name } }`, { k: k() });
        expect(c.errors).toBeUndefined();
        const r = await t.gql(t.keys.TheRegistrar!, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${name}", authInfo: "0rder-Pw1") { transfer { status } } }`, { k: k() });
        expect(r.errors).toBeUndefined();
      }
      // Stored in id order; their events held back, to be published in the order the test says.
      const { PollService } = await import('../../src/poll/poll.service.js');
      const held: PollEvent[] = [];
      const holding = { ...events, publish: async (e: PollEvent) => void held.push(e) };
      await new PollService(prisma, holding, clock, logger).drain({ backend, registrarId: 'NewRegistrar', accountId: backend.upstreamId('NewRegistrar') });
      expect(held.length).toBeGreaterThanOrEqual(4);
      const ids = held.map((e) => BigInt(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
      // The first arrives alone (the subscription has read the store by then and is live); the
      // others but the newest come in reverse; the newest stays unpublished (it is stored: what a
      // resuming client must get, after everything the first subscriber got).
      const [first, ...rest] = held;
      const sentinel = rest.pop()!;
      await events.publish(first!);
      await sub.waitFor(1);
      for (const e of [...rest].reverse()) await events.publish(e);
      const got = (await sub.waitFor(1 + rest.length)).map((m) => m.id);
      // A client that saves each id as its cursor and resumes after any of them gets what it had
      // not received yet (the trial lost it), then what is newer, once each, in id order.
      const resumed: string[][] = [];
      for (const id of got) {
        const back = await new Subscriber(t.gateway.wsUrl, t.keys.NewRegistrar!).start({ after: id });
        subs.push(back);
        await back.waitUntil((m) => m.id === sentinel.id);
        expect(back.errors).toEqual([]);
        resumed.push(back.messages.map((m) => m.id));
      }
      for (const [i, ids] of resumed.entries()) expect(ids, `resumed after ${got[i]}`).toEqual(expect.arrayContaining(got.slice(i + 1)));
      expect(got).toEqual([first!, ...rest].map((e) => e.id)); // in id order, each once
      for (const [i, ids] of resumed.entries()) expect(ids).toEqual([...got.slice(i + 1), sentinel.id]);
      expect(sub.errors).toEqual([]);
    } finally {
      await Promise.all(subs.map((s) => s.stop()));
      ingester.start(); // the other tests of this file need the poller
    }
  });
});

describe('poll ingestion', () => {
  it('a crash between storing and acknowledging loses and duplicates nothing, in the store or on the wire', async () => {
    const { ingester, router, prisma, events, clock, logger } = t.gateway.services;
    await ingester.stop(); // drive the drain by hand from here
    try {
      const sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox;
      const backend = router.named('sandbox-nomulus');
      const sub = await new Subscriber(t.gateway.wsUrl, t.keys.TheRegistrar!).start();
      const name = `crash-${randomUUID().slice(0, 8)}.tld`;
      await t.gql(t.keys.TheRegistrar!, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${name}", authInfo: "Cr4sh-Pw01" }) { name } }`, { k: k() });
      await t.gql(t.keys.NewRegistrar!, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${name}", authInfo: "Cr4sh-Pw01") { transfer { status } } }`, { k: k() });
      // TheRegistrar (losing) now has the request in its upstream queue.
      const before = sandbox.pollQueue('TheRegistrar').length;
      expect(before).toBeGreaterThan(0);

      const { PollService } = await import('../../src/poll/poll.service.js');
      // The process "dies" right after storing the first message: neither its event nor its ack goes out.
      const dead = async () => {
        throw new Error('killed');
      };
      const dyingEvents = { ...events, publish: dead };
      const dyingBackend = new Proxy(backend, { get: (target, prop, recv) => (prop === 'pollAck' ? dead : Reflect.get(target, prop, recv)) });
      const dying = new PollService(prisma, dyingEvents, clock, logger);
      await expect(dying.drain({ backend: dyingBackend, registrarId: 'TheRegistrar', accountId: 'TheRegistrar' })).rejects.toThrow('killed');
      expect(sandbox.pollQueue('TheRegistrar').length).toBe(before); // still upstream
      await settle(200);
      expect(sub.messages.filter((m) => m.objectName === name)).toEqual([]);

      // The restarted ingester reads the same message again, stores nothing twice, tells the
      // subscribers (the dead one never did), and acks everything.
      await new PollService(prisma, events, clock, logger).drain({ backend, registrarId: 'TheRegistrar', accountId: 'TheRegistrar' });
      expect(sandbox.pollQueue('TheRegistrar')).toEqual([]);
      const rows = await prisma.pollMessage.findMany({ where: { registrarId: 'TheRegistrar', objectName: name } });
      expect(rows.map((r) => r.type)).toEqual(['TRANSFER_REQUESTED']);
      await until(() => sub.messages.some((m) => m.objectName === name));
      await settle(200);
      expect(sub.messages.filter((m) => m.objectName === name).map((m) => m.id)).toEqual([rows[0]!.id.toString()]);
      await sub.stop();
    } finally {
      ingester.start(); // the other tests of this file need the poller, whichever order they run in
    }
  });
});
