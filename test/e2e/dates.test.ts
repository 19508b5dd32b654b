/**
 * Dates as registries write them and periods as registries add them (issue 8 items 6 and 7),
 * through GraphQL against registries on real sockets, in a gateway running under TZ=Asia/Tokyo.
 *
 * - The nomulus sandbox renews a domain expiring on a leap day to Feb 28 of the next year; the
 *   answer is lost, and the retry with the same key settles as applied (the gateway's period
 *   arithmetic agrees with the registry's).
 * - A scripted EPP server (test/helpers/epp-tls-server.ts, no adapter code) writes dates without a
 *   zone and a poll message without <qDate>: the dates are read as UTC, so the renewal names the
 *   registry's own curExpDate, and the message is stored as queued at its receive time.
 */
process.env.TZ = 'Asia/Tokyo'; // before any date is made; vitest runs each file in its own process

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EppBackendConfig } from '../../src/config.types.js';
import { FakeClock } from '../../src/core/clock.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { ScriptedEppServer, URIS, type Received, type Reply } from '../helpers/epp-tls-server.js';
import { apiKeys, configFor, startInProcessGateway, startSharedSandbox, type InProcessGateway, type SharedSandbox } from '../helpers/processes.js';

const CREATE = `mutation($k: String!, $name: String!, $years: Int!) { createDomain(idempotencyKey: $k, input: { name: $name, authInfo: "Leap-Pw-29", period: { value: $years, unit: YEARS } }) { name domain { expiresAt } } }`;
const RENEW = `mutation($k: String!, $name: String!) { renewDomain(idempotencyKey: $k, input: { name: $name, period: { value: 1, unit: YEARS } }) { name expiresAt replayed transaction { resultCode } } }`;
const POLL = `{ pollMessages { edges { node { upstreamId message queuedAt receivedAt } } } }`;

/** A registry that writes every date without a zone and queues one message without a qDate. */
function zonelessRegistry(): { server: ScriptedEppServer; polled: () => boolean } {
  let exDate = '2027-11-30T00:00:00';
  let acked = false;
  const handler = (r: Received): Reply => {
    const cmd = r.doc['epp']['command'];
    if (r.command === 'domain:info') {
      const name = cmd.info['domain:info']['domain:name']['#text'] ?? cmd.info['domain:info']['domain:name'];
      const infData = { '@xmlns:domain': URIS.domain, 'domain:name': name, 'domain:roid': 'ZL1-TEST', 'domain:status': { '@s': 'ok' }, 'domain:clID': 'NewRegistrar', 'domain:crDate': '2024-11-30T00:00:00', 'domain:exDate': exDate };
      return { code: 1000, resData: { 'domain:infData': infData } };
    }
    if (r.command === 'domain:renew') {
      const renew = cmd.renew['domain:renew'];
      // The registry compares curExpDate with its own (UTC) date, as Nomulus and RFC 5731 do.
      if (renew['domain:curExpDate'] !== exDate.slice(0, 10)) return { code: 2004, msg: 'The current expiration date is incorrect.' };
      exDate = '2028-11-30T00:00:00';
      return { code: 1000, resData: { 'domain:renData': { '@xmlns:domain': URIS.domain, 'domain:name': renew['domain:name'], 'domain:exDate': exDate } } };
    }
    if (r.command === 'poll') {
      if (cmd.poll['@op'] === 'ack') {
        acked = true;
        return { code: 1000 };
      }
      // RFC 5730 msgQ: qDate is optional (minOccurs="0").
      if (!acked) return { code: 1301, msg: 'Command completed successfully; ack to dequeue', msgQ: { '@count': 1, '@id': 'ZL-7', msg: 'Registry maintenance tonight.' } };
      return { code: 1300, msg: 'Command completed successfully; no messages' };
    }
    return { code: 2400, msg: `not scripted: ${r.command}` };
  };
  return { server: new ScriptedEppServer({ handler }), polled: () => acked };
}

describe('dates and periods as registries write and compute them (gateway under TZ=Asia/Tokyo)', () => {
  const clock = new FakeClock('2024-02-29T10:00:00Z');
  let db: TestDatabase;
  let shared: SharedSandbox;
  let zoneless: ReturnType<typeof zonelessRegistry>;
  let gw: InProcessGateway;
  let A: string; // NewRegistrar
  const k = () => `k-${randomUUID()}`;

  beforeAll(async () => {
    expect(new Date('2027-11-30T00:00:00').toISOString()).toBe('2027-11-29T15:00:00.000Z'); // TZ took effect
    db = await freshDatabase();
    // The lost answer is a dropped connection (seen at once), so no short command timeout is needed.
    shared = await startSharedSandbox({ name: 'sandbox-nomulus', profile: 'nomulus', clock });
    zoneless = zonelessRegistry();
    const { host, port, ca } = await zoneless.server.start();
    const scripted: EppBackendConfig = {
      name: 'zoneless',
      kind: 'epp',
      host,
      port,
      tls: { ca, servername: 'localhost', rejectUnauthorized: true },
      accounts: { NewRegistrar: { clientId: 'NewRegistrar', password: 'foo-BAR2' } },
    };
    const base = configFor([shared]);
    const config = { ...base, backends: [...base.backends, scripted], routes: [...base.routes, { suffix: 'test', backend: 'zoneless' }] };
    gw = await startInProcessGateway(config, db.prisma, { clock });
    ({ NewRegistrar: A } = (await apiKeys(db.prisma, config)) as Record<string, string>);
  });
  afterAll(async () => {
    await gw?.close();
    await zoneless?.server.stop();
    await shared?.stop();
    await db?.close();
  });

  it('a renewal of a leap-day expiry whose answer was lost settles on retry as applied (2028-02-29 + 1y = 2029-02-28)', async () => {
    const name = `leap-${randomUUID().slice(0, 8)}.tld`;
    const created = await gw.gql(A, CREATE, { k: k(), name, years: 4 });
    expect(created.errors).toBeUndefined();
    expect(created.data.createDomain.domain.expiresAt).toBe('2028-02-29T10:00:00.000Z');

    const key = k();
    const before = shared.sandbox.applied('domain:renew');
    shared.sandbox.faults.next({ command: 'domain:renew', action: 'drop-after-apply', delayMs: 500 });
    const first = await gw.gql(A, RENEW, { k: key, name });
    expect(first.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(shared.sandbox.applied('domain:renew') - before).toBe(1); // the registry renewed

    const retry = await gw.gql(A, RENEW, { k: key, name });
    expect(retry.errors).toBeUndefined();
    expect(retry.data.renewDomain).toMatchObject({ name, expiresAt: '2029-02-28T10:00:00.000Z', replayed: true, transaction: { resultCode: 1000 } });
    const again = await gw.gql(A, RENEW, { k: key, name });
    expect(again.data.renewDomain).toMatchObject({ expiresAt: '2029-02-28T10:00:00.000Z', replayed: true });
    expect(shared.sandbox.applied('domain:renew') - before).toBe(1); // renewed once, never twice
  });

  it('an expiry written without a zone is UTC: read as 2027-11-30, and the renewal names curExpDate 2027-11-30', async () => {
    const name = `zoneless-${randomUUID().slice(0, 8)}.test`;
    const info = await gw.gql(A, `query($n: String!) { domain(name: $n) { expiresAt createdAt } }`, { n: name });
    expect(info.errors).toBeUndefined();
    expect(info.data.domain).toEqual({ expiresAt: '2027-11-30T00:00:00.000Z', createdAt: '2024-11-30T00:00:00.000Z' });

    const renewed = await gw.gql(A, RENEW, { k: k(), name });
    expect(renewed.errors).toBeUndefined();
    expect(renewed.data.renewDomain).toMatchObject({ name, expiresAt: '2028-11-30T00:00:00.000Z', replayed: false });
    const sent = zoneless.server.commands('domain:renew').map((r) => r.doc['epp']['command'].renew['domain:renew']['domain:curExpDate']);
    expect(sent).toEqual(['2027-11-30']);
  });

  it('a poll message without <qDate> is stored as queued when it was received, not at 1970-01-01', async () => {
    clock.set('2026-06-01T12:00:00Z');
    const r = await gw.gql(A, POLL);
    expect(r.errors).toBeUndefined();
    const nodes = r.data.pollMessages.edges.map((e: any) => e.node).filter((n: any) => n.upstreamId === 'ZL-7');
    expect(nodes).toHaveLength(1);
    expect(zoneless.polled()).toBe(true);
    expect(nodes[0]).toMatchObject({ message: 'Registry maintenance tonight.' });
    // Stored by the gateway's clock (the ingester may have taken it at any earlier clock time).
    expect(nodes[0].queuedAt).toBe(nodes[0].receivedAt);
    expect(new Date(nodes[0].queuedAt).getUTCFullYear()).toBeGreaterThanOrEqual(2024);
  });
});
