/**
 * What an integrator subscribed to `pollMessages` is told happened, on the registries whose queues
 * are not EPP's: the `type` follows what the registry said, over real sockets (graphql-ws client ->
 * gateway -> registry sandboxes over HTTPS).
 *
 * - Joker: a domain-delete the registry refused when it processed it (NACK: the domain had been
 *   locked meanwhile) is PENDING_ACTION_COMPLETED, never DELETED: the domain is still there. A
 *   transfer-in the registry completed (ACK) is TRANSFER_APPROVED with its `transfer` (the
 *   reseller gaining), one it refused (NACK: a wrong auth code) TRANSFER_REJECTED: a subscriber
 *   filtering on TRANSFER_APPROVED as the README's poll.mjs does gets Joker's transfers too (it
 *   got them as PENDING_ACTION_COMPLETED with `transfer: null`).
 * - REPP: the registrant's answer to an unverified deletion ("Registrant rejected domain deletion:
 *   ...") is PENDING_ACTION_COMPLETED when rejected (the domain stays) and DELETED when confirmed;
 *   the document's own "Registrant rejected domain update: koer.ee" is PENDING_ACTION_COMPLETED.
 * - HeadlessDomains: the registry's backend applying a cancellation is DELETED, and applying a
 *   transfer is TRANSFER_APPROVED for the gaining channel as well as the losing one; the domain
 *   then leaves the losing registrar's `domains` and joins the gaining one's.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeadlessBackendConfig } from '../../src/backends/headless/config.js';
import type { JokerBackendConfig } from '../../src/backends/joker/config.js';
import type { ReppBackendConfig } from '../../src/backends/repp/config.js';
import type { HeadlessSandbox } from '../../src/sandbox/headless/index.js';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import type { ReppSandbox } from '../../src/sandbox/repp/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { whileHeld } from '../helpers/held-sandbox.js';
import { Subscriber, type Received } from '../helpers/subscriber.js';

describe('poll message types as the registries said them (graphql-ws subscription)', () => {
  let t: TestGateway;
  let A: string;
  let B: string;
  let joker: JokerSandbox;
  let repp: ReppSandbox;
  let headless: HeadlessSandbox;
  const subs: Subscriber[] = [];

  beforeAll(async () => {
    t = await startTestGateway({
      configure: (c) => {
        c.poll.intervalMs = 150;
        (c.backends.find((b) => b.kind === 'joker') as JokerBackendConfig).sandbox = { domainDelayMs: 0 };
        (c.backends.find((b) => b.kind === 'headless') as HeadlessBackendConfig).sandbox = { applyDelayMs: 0 };
        // Deletions sent unverified: the registrant confirms or rejects them (REPP `verified: false`).
        (c.backends.find((b) => b.kind === 'repp') as ReppBackendConfig).verified = false;
      },
    });
    A = t.keys.NewRegistrar!;
    B = t.keys.TheRegistrar!;
    joker = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
    repp = t.gateway.sandboxes.sandboxes.get('sandbox-repp') as ReppSandbox;
    headless = t.gateway.sandboxes.sandboxes.get('sandbox-headless') as HeadlessSandbox;
  }, 60_000);

  afterAll(async () => {
    for (const s of subs) await s.stop();
    await t?.close();
  });

  /** Subscriptions opened per registrar; none ends before afterAll, so the gateway's listener count only grows. */
  const opened = new Map<string, number>();
  /**
   * Resolved once the gateway listens for the new subscription (its listener count for the
   * registrar has grown to include it): the connection's ack does not say that, and a
   * subscription without a cursor starts after the newest message stored when it starts.
   */
  const listening = (key: string) => {
    const registrarId = key === A ? 'NewRegistrar' : 'TheRegistrar';
    const n = (opened.get(registrarId) ?? 0) + 1;
    opened.set(registrarId, n);
    return () => t.gateway.services.events.listeners(registrarId) >= n;
  };
  const subscribe = async (key: string) => {
    const s = await new Subscriber(t.gateway.url.replace(/^http/, 'ws'), key).start({}, listening(key));
    subs.push(s);
    return s;
  };
  const ok = async (key: string, query: string, variables?: Record<string, unknown>) => {
    const r = await t.gql(key, query, variables);
    expect(r.errors).toBeUndefined();
    return r.data;
  };
  const about = (s: Subscriber, name: string) => s.messages.filter((m) => m.objectName === name);
  const typesOf = (ms: Received[]) => ms.map((m) => m.type);

  it('Joker: a domain-delete the registry refused when it processed it is PENDING_ACTION_COMPLETED, not DELETED', async () => {
    const s = await subscribe(A);
    const name = 'alpha.joker.test';
    // Queued while the registry holds its queue: the lock first, then the delete, which the
    // registry accepts (the lock is not applied yet) and refuses when it comes to process it.
    await whileHeld(joker, async () => {
      await ok(A, 'mutation($k: String!, $n: String!) { updateDomain(idempotencyKey: $k, input: { name: $n, add: { statuses: [clientTransferProhibited] } }) { transaction { pending } } }', { k: randomUUID(), n: name });
      const d = await ok(A, 'mutation($k: String!, $n: String!) { deleteDomain(idempotencyKey: $k, name: $n) { transaction { pending } } }', { k: randomUUID(), n: name });
      expect(d.deleteDomain.transaction.pending).toBe(true);
    });
    await s.waitUntil(() => about(s, name).length >= 2);
    expect(typesOf(about(s, name))).toEqual(['PENDING_ACTION_COMPLETED', 'PENDING_ACTION_COMPLETED']);
    expect(joker.domain(name)).toBeDefined(); // still registered, locked
    const stored = await ok(A, '{ pollMessages(objects: ["alpha.joker.test"]) { edges { node { type message } } } }');
    expect(stored.pollMessages.edges.map((e: any) => e.node.type)).toEqual(['PENDING_ACTION_COMPLETED', 'PENDING_ACTION_COMPLETED']);
    expect(stored.pollMessages.edges[1].node.message).toMatch(/^domain-delete alpha\.joker\.test .* failed/);
  }, 60_000);

  it('Joker: a transfer-in the registry completed is TRANSFER_APPROVED with its transfer, one it refused TRANSFER_REJECTED; each mutation key then replays its outcome', async () => {
    const all = await subscribe(A);
    // The README's poll.mjs subscription.
    const readme = await new Subscriber(t.gateway.url.replace(/^http/, 'ws'), A).start({ types: ['TRANSFER_REQUESTED', 'TRANSFER_APPROVED', 'DELETED'] }, listening(A));
    subs.push(readme);
    const won = 'spare.joker.test';
    const refused = 'rival.joker.test';
    const TRANSFER = 'mutation($k: String!, $n: String!, $a: String!) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: $a) { transfer { status } transaction { resultCode pending } } }';
    const keys = { won: randomUUID(), refused: randomUUID() };
    // Queued while the registry holds its queue: both answered pending, processed once released.
    await whileHeld(joker, async () => {
      const w = await ok(A, TRANSFER, { k: keys.won, n: won, a: 'Spare-Auth-3' });
      const r = await ok(A, TRANSFER, { k: keys.refused, n: refused, a: 'Not-The-Code-1' });
      expect([w.requestTransfer.transaction.pending, r.requestTransfer.transaction.pending]).toEqual([true, true]);
    });
    await all.waitUntil((m) => m.objectName === refused);
    await all.waitUntil((m) => m.objectName === won);
    expect(about(all, won).map((m) => [m.type, m.transfer?.status])).toEqual([['TRANSFER_APPROVED', 'clientApproved']]);
    expect(about(all, refused).map((m) => [m.type, m.transfer?.status])).toEqual([['TRANSFER_REJECTED', 'clientRejected']]);
    await readme.waitUntil((m) => m.objectName === won);
    expect(readme.messages.filter((m) => m.objectName === won || m.objectName === refused).map((m) => m.type)).toEqual(['TRANSFER_APPROVED']);
    expect(joker.domain(won)!.resellerUid).toBe('100001');
    expect(joker.domain(refused)!.resellerUid).toBe('100002');

    const stored = await ok(A, `{ pollMessages(objects: ["${won}", "${refused}"]) { edges { node { type objectName message transfer { domainName status gainingRegistrar requestedAt actionAt expiresAt } } } } }`);
    const nodes = new Map<string, any>(stored.pollMessages.edges.map((e: any) => [e.node.objectName, e.node]));
    const ack = nodes.get(won);
    // The new expiry as the result gives it, the instant the domain then shows (whole seconds).
    const shown = (await ok(A, `{ domain(name: "${won}") { expiresAt sponsor } }`)).domain;
    expect(shown.sponsor).toBe('100001');
    expect(ack.transfer).toMatchObject({ domainName: won, status: 'clientApproved', gainingRegistrar: '100001', expiresAt: shown.expiresAt });
    expect(Date.parse(ack.transfer.actionAt)).toBeGreaterThanOrEqual(Date.parse(ack.transfer.requestedAt));
    const nack = nodes.get(refused);
    expect(nack.transfer).toMatchObject({ domainName: refused, status: 'clientRejected', gainingRegistrar: '100001', expiresAt: null });
    expect(nack.message).toMatch(/^domain-transfer-in-reseller rival\.joker\.test .* failed/);

    // The stored result (pendingActionResult) still settles each mutation's key: the completed
    // transfer replays 1000, the refused one the registry's refusal.
    const again = await ok(A, TRANSFER, { k: keys.won, n: won, a: 'Spare-Auth-3' });
    expect(again.requestTransfer.transaction).toEqual({ resultCode: 1000, pending: false });
    const no = await t.gql(A, TRANSFER, { k: keys.refused, n: refused, a: 'Not-The-Code-1' });
    expect(no.errors?.[0]?.extensions?.code).toBe('AUTHORIZATION_ERROR');
  }, 60_000);

  it("REPP: the registrant's rejection of a deletion is PENDING_ACTION_COMPLETED, its confirmation DELETED; the document's rejected update is PENDING_ACTION_COMPLETED", async () => {
    const s = await subscribe(A);
    const name = 'domainer.ee';
    const del = () => ok(A, 'mutation($k: String!, $n: String!) { deleteDomain(idempotencyKey: $k, name: $n) { transaction { resultCode } } }', { k: randomUUID(), n: name });
    await del();
    expect(repp.domain(name)!.statuses).toContain('pendingDeleteConfirmation');
    repp.registrantReplies(name, false);
    await s.waitUntil(() => about(s, name).length >= 1);
    expect(repp.domain(name)).toBeDefined();
    await del();
    repp.registrantReplies(name, true);
    await s.waitUntil(() => about(s, name).length >= 2);
    expect(repp.domain(name)).toBeUndefined();
    expect(about(s, name).map((m) => [m.type, m.objectName])).toEqual([
      ['PENDING_ACTION_COMPLETED', name],
      ['DELETED', name],
    ]);
    // The REPP document's example notification, seeded in the sandbox: a registrant rejected an update.
    const seeded = await ok(A, '{ pollMessages(objects: ["koer.ee"]) { edges { node { type message } } } }');
    expect(seeded.pollMessages.edges.map((e: any) => e.node)).toEqual([{ type: 'PENDING_ACTION_COMPLETED', message: 'Registrant rejected domain update: koer.ee' }]);
  }, 60_000);

  it('HeadlessDomains: a cancellation the backend applied is DELETED; an applied transfer is TRANSFER_APPROVED for both channels and moves the domain between their lists', async () => {
    const a = await subscribe(A);
    const b = await subscribe(B);
    const gone = `gone-${randomUUID().slice(0, 8)}.hdtest`;
    const moved = `moved-${randomUUID().slice(0, 8)}.hdtest`;
    const create = (name: string) =>
      ok(A, 'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Moved-Auth-77", registrantInfo: { name: "Ann", email: "ann@example.net" } }) { name } }', { k: randomUUID(), n: name });
    await create(gone);
    await create(moved);
    await ok(A, 'mutation($k: String!, $n: String!) { deleteDomain(idempotencyKey: $k, name: $n) { transaction { resultCode } } }', { k: randomUUID(), n: gone });
    // Held: the transfer intent is answered pending and the registry's backend applies it later
    // (at its next request), as it does with a delay: only the poll messages tell of it then.
    const req = await whileHeld(headless, () =>
      ok(B, 'mutation($k: String!, $n: String!) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: "Moved-Auth-77") { transfer { status } } }', { k: randomUUID(), n: moved }),
    );
    expect(req.requestTransfer.transfer.status).toBe('pending');
    expect(headless.registration(gone)?.lifecycle.state).toBe('cancelled');
    await a.waitUntil((m) => m.objectName === gone && m.type === 'DELETED');
    await a.waitUntil((m) => m.objectName === moved && m.type === 'TRANSFER_APPROVED');
    await b.waitUntil((m) => m.objectName === moved && m.type === 'TRANSFER_APPROVED');
    // Exactly one DELETED for the cancellation; the losing channel's transfer_out and the gaining
    // channel's backend apply each once; nothing of one registrar's reaches the other.
    expect(typesOf(about(a, gone)).filter((x) => x === 'DELETED')).toHaveLength(1);
    expect(typesOf(about(a, moved)).filter((x) => x === 'TRANSFER_APPROVED')).toHaveLength(1);
    expect(typesOf(about(b, moved)).filter((x) => x === 'TRANSFER_APPROVED')).toHaveLength(1);
    expect(about(b, gone)).toEqual([]);
    // The gateway's domain lists (HeadlessDomains: its own index) follow the transfer.
    const listed = async (key: string) => (await ok(key, '{ domains(first: 500) { edges { node { name } } } }')).domains.edges.map((e: any) => e.node.name);
    expect(await listed(A)).not.toContain(moved);
    expect(await listed(B)).toContain(moved);
  }, 60_000);
});
