/**
 * The port contract: one suite every backend runs against its own sandbox over real sockets
 * (`runPortContract(harness)`, as go-cloud's blob/drivertest/drivertest.go runs every blob driver).
 * A harness says how to start its backend and sandbox and what its registry's names, secrets and
 * capabilities are; the cases only use the port. What a backend lacks must answer
 * UNSUPPORTED_BY_BACKEND before anything is sent.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Capabilities } from '../../src/core/capabilities.js';
import type { FakeClock } from '../../src/core/clock.js';
import {
  AssociationProhibitsError,
  AuthorizationError,
  ForbiddenError,
  GatewayError,
  ObjectExistsError,
  ObjectNotFoundError,
  StatusProhibitsError,
  UnsupportedByBackendError,
} from '../../src/core/errors.js';
import type { CallContext, ContactCreateInput, DomainCreateInput, DomainNameserver, DomainUpdateInput } from '../../src/core/model/index.js';
import type { RegistryPort } from '../../src/core/port.js';
import { bulkCases } from './port-contract-bulk.js';

/** A command event as every backend reports it (the fields the suite reads). */
export interface SeenEvent {
  command: string;
  clTRID: string;
  code?: number;
  errorCode?: string;
  idempotencyKey?: string;
}

export interface Hooks {
  onCommand(e: SeenEvent): void;
  onCommandStart(e: SeenEvent): Promise<void>;
}

export interface HarnessSetup {
  port: RegistryPort;
  clock: FakeClock;
  /** Restores the sandbox's seed. */
  reset(): void;
  close(): Promise<void>;
}

export interface PortHarness {
  name: string;
  /** Starts the sandbox and the backend; "acme" and "rival" have accounts, "stranger" has none. */
  setup(hooks: Hooks): Promise<HarnessSetup>;
  capabilities: Capabilities;
  /** A name the registry does not have, under one of its TLDs. */
  fresh(label: string): string;
  /** A valid create for `name` on this registry (period one year). */
  domainInput(name: string): DomainCreateInput;
  /** A name server the registry accepts for a domain, besides those of domainInput. */
  extraNameserver: DomainNameserver;
  /** A seeded domain sponsored by acme. */
  acmeDomain: string;
  /** A seeded domain sponsored by rival, and its auth info (transfer code). */
  rivalDomain: { name: string; authInfo: string };
  /** What a transfer request still needs to complete (EPP: the losing registrar approves; REPP: nothing). */
  completeTransfer(port: RegistryPort, rival: CallContext, name: string): Promise<void>;
  /** With contacts: a valid new contact, and a seeded contact of acme that a domain uses. */
  contactInput?(label: string): ContactCreateInput;
  contactInUse?: string;
  /** A status the registrar may set and clear, and whether it may set the auth info (default: clientHold, yes; Joker: its transfer lock, no). */
  update?: { status: string; authInfo: boolean };
  /** The sponsor reads the auth info back (default true; Joker never shows it). */
  returnsAuthInfo?: boolean;
  /** The losing registrar's poll queue tells of a transfer (default: where the backend has a poll queue; Joker's results are the gaining reseller's own). */
  losingRegistrarNotified?: boolean;
  /** A name the registry does not hold is only not known to be taken (Joker's query-whois knows Joker's registrations only): `available: false` with a reason matching this. Default: available. */
  freeNameUnknown?: RegExp;
}

export const acme: CallContext = { registrarId: 'acme' };
export const rival: CallContext = { registrarId: 'rival' };
const stranger: CallContext = { registrarId: 'stranger' };

async function failure(p: Promise<unknown>): Promise<GatewayError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(e)}`);
  return e;
}

const noChange = (name: string): DomainUpdateInput => ({
  name,
  add: { statuses: [], contacts: [], nameservers: [] },
  remove: { statuses: [], contacts: [], nameservers: [] },
});

export function runPortContract(h: PortHarness): void {
  describe(`port contract: ${h.name}`, () => {
    const events: SeenEvent[] = [];
    const started: SeenEvent[] = [];
    let s: HarnessSetup;
    let port: RegistryPort;
    beforeAll(async () => {
      s = await h.setup({ onCommand: (e) => void events.push({ ...e }), onCommandStart: async (e) => void started.push({ ...e }) });
      port = s.port;
    });
    afterAll(() => s?.close());
    beforeEach(() => {
      s.reset();
      events.length = 0;
      started.length = 0;
    });

    test('capabilities as the registry offers them; upstream ids per account', async () => {
      // per account (issue 8 item 4): the caller's context goes along
      expect(await (port as unknown as { capabilities(ctx: CallContext): Promise<Capabilities> }).capabilities(acme)).toEqual(h.capabilities);
      expect(port.upstreamId('acme')).not.toBe(port.upstreamId('rival'));
    });

    test('what it tells of its capabilities without a round trip is what capabilities() answers', async () => {
      const known = port.knownCapabilities('acme');
      const live = await port.capabilities(acme);
      for (const k of new Set([...Object.keys(live), ...Object.keys(known.capabilities)]) as Set<keyof Capabilities>) {
        if (!known.unknown.includes(k)) expect([k, known.capabilities[k] ?? false]).toEqual([k, live[k] ?? false]);
      }
      expect(() => port.knownCapabilities('stranger')).toThrow(ForbiddenError);
    });

    test('a registrar without an account here is refused before anything is sent', async () => {
      expect(await failure(port.checkDomains(stranger, [h.fresh('x')]))).toBeInstanceOf(ForbiddenError);
      expect(await failure(port.createDomain(stranger, h.domainInput(h.fresh('x'))))).toBeInstanceOf(ForbiddenError);
      expect(events).toEqual([]);
    });

    test('check: a registered name is taken, a new one free', async () => {
      const r = await port.checkDomains(acme, [h.acmeDomain, h.fresh('vaba')]);
      expect(r.data.map((c) => [c.name, c.available])).toEqual([
        [h.acmeDomain, false],
        [h.fresh('vaba'), !h.freeNameUnknown],
      ]);
      if (h.freeNameUnknown) expect(r.data[1].reason).toMatch(h.freeNameUnknown);
    });

    test('create, announced once before sending and reported once; read back by the sponsor, without auth info by others', async () => {
      const name = h.fresh('uus');
      const input = h.domainInput(name);
      const r = await port.createDomain({ ...acme, idempotencyKey: 'k-create' }, input);
      expect(r.data.name).toBe(name);
      expect(r.data.createdAt).toBeInstanceOf(Date);
      expect(started.map((e) => e.command)).toEqual(['domain:create']);
      expect(events.map((e) => [e.command, e.clTRID, e.code])).toEqual([['domain:create', started[0].clTRID, 1000]]);
      expect(JSON.stringify(events)).not.toContain(input.authInfo);
      const own = (await port.infoDomain(acme, name)).data;
      expect(own).toMatchObject({ name, sponsor: port.upstreamId('acme'), ...(h.returnsAuthInfo === false ? {} : { authInfo: input.authInfo }) });
      expect(own.nameservers.map((n) => n.name).sort()).toEqual(input.nameservers.map((n) => n.name).sort());
      expect((await port.infoDomain(rival, name)).data.authInfo ?? null).toBeNull();
      expect(await failure(port.createDomain(acme, input))).toBeInstanceOf(ObjectExistsError);
    });

    test('info of a name the registry does not have: OBJECT_NOT_FOUND', async () => {
      expect(await failure(port.infoDomain(acme, h.fresh('puudub')))).toBeInstanceOf(ObjectNotFoundError);
    });

    test('renew moves the expiry forward once; the same current expiry cannot renew twice', async () => {
      const before = (await port.infoDomain(acme, h.acmeDomain)).data.expiresAt!;
      const input = { name: h.acmeDomain, currentExpiry: before, period: { value: 1, unit: 'y' as const } };
      const r = await port.renewDomain(acme, input);
      expect(r.data.expiresAt.getTime()).toBeGreaterThan(before.getTime() + 360 * 86_400_000);
      expect((await port.infoDomain(acme, h.acmeDomain)).data.expiresAt).toEqual(r.data.expiresAt);
      // Refused by the registry (curExpDate, exp_date, current_expires_at) or, where the renewal names no current expiry (Joker), by the gateway before sending.
      expect(await failure(port.renewDomain(acme, input))).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'input.currentExpiry' } });
    });

    const upd = h.update ?? { status: 'clientHold', authInfo: true };
    test(`update: name servers added and removed, ${upd.status} set and cleared${upd.authInfo ? ', auth info changed' : ''}`, async () => {
      const name = h.fresh('muuda');
      const input = h.domainInput(name);
      await port.createDomain(acme, input);
      const first = input.nameservers[0];
      await port.updateDomain(acme, { ...noChange(name), add: { statuses: [upd.status], contacts: [], nameservers: [h.extraNameserver] }, remove: { statuses: [], contacts: [], nameservers: [first] }, ...(upd.authInfo ? { authInfo: 'Uus-kood-9' } : {}) });
      const d = (await port.infoDomain(acme, name)).data;
      expect(d.nameservers.map((n) => n.name)).toContain(h.extraNameserver.name);
      expect(d.nameservers.map((n) => n.name)).not.toContain(first.name);
      expect(d.statuses).toContain(upd.status);
      if (upd.authInfo) expect(d.authInfo).toBe('Uus-kood-9');
      await port.updateDomain(acme, { ...noChange(name), remove: { statuses: [upd.status], contacts: [], nameservers: [] } });
      expect((await port.infoDomain(acme, name)).data.statuses).not.toContain(upd.status);
    });

    test('transfer: a wrong auth info is AUTHORIZATION_ERROR; the right one moves the domain and tells the losing registrar', async () => {
      const { name, authInfo } = h.rivalDomain;
      expect(await failure(port.transferDomain(acme, 'request', name, { authInfo: 'wrong-code-1' }))).toBeInstanceOf(AuthorizationError);
      await port.transferDomain(acme, 'request', name, { authInfo });
      await h.completeTransfer(port, rival, name);
      expect((await port.infoDomain(acme, name)).data.sponsor).toBe(port.upstreamId('acme'));
      if (h.losingRegistrarNotified ?? h.capabilities.poll) {
        const q = (await port.pollRequest(rival)).data;
        expect(q.count).toBeGreaterThan(0);
        const texts: string[] = [];
        for (let m = q.message; m; ) {
          texts.push(`${m.object?.name ?? ''} ${m.text}`);
          const left = (await port.pollAck(rival, m.id)).data.count;
          m = left > 0 ? (await port.pollRequest(rival)).data.message : null;
        }
        expect(texts.some((t) => t.includes(name))).toBe(true);
      }
    });

    test('delete: the domain is gone or pending delete', async () => {
      const name = h.fresh('kustuta');
      await port.createDomain(acme, h.domainInput(name));
      await port.deleteDomain(acme, name);
      const after = await port.infoDomain(acme, name).then(
        (r) => r.data.statuses,
        (e: unknown) => (e instanceof ObjectNotFoundError ? 'gone' : Promise.reject(e)),
      );
      expect(after === 'gone' || after.includes('pendingDelete')).toBe(true);
    });

    if (h.capabilities.restore) {
      test('restore of a live domain (not deleted) is STATUS_PROHIBITS_OPERATION (RFC 3915: 2304); of one the registry lacks OBJECT_NOT_FOUND', async () => {
        const live = await failure(port.restoreDomain(acme, h.acmeDomain));
        expect(live).toBeInstanceOf(StatusProhibitsError);
        expect(live.code).toBe('STATUS_PROHIBITS_OPERATION');
        expect((await port.infoDomain(acme, h.acmeDomain)).data.statuses).not.toContain('pendingDelete');
        expect(await failure(port.restoreDomain(acme, h.fresh('nie-ma')))).toBeInstanceOf(ObjectNotFoundError);
      });
    }

    test('what the backend lacks answers UNSUPPORTED_BY_BACKEND before anything is sent', async () => {
      const c = h.capabilities;
      const refused: Array<Promise<unknown>> = [];
      if (!c.contacts) refused.push(port.checkContacts(acme, ['c1']), port.createDomain(acme, { ...h.domainInput(h.fresh('k')), registrant: 'c1' }));
      if (!c.hostObjects) refused.push(port.infoHost(acme, 'ns1.example.net'), port.createHost(acme, { name: 'ns9.example.net', ipv4: [], ipv6: [] }));
      if (!c.restore) refused.push(port.restoreDomain(acme, h.acmeDomain));
      if (!c.transferActions) refused.push(port.transferDomain(rival, 'approve', h.acmeDomain));
      if (!c.balance) refused.push(port.balance(acme), port.balanceTransactions(acme, {}));
      if (!c.listDomains) refused.push(port.listDomains(acme, { limit: 10, offset: 0 }));
      if (!c.bulk) refused.push(port.bulkRenew(acme, { names: [h.acmeDomain], period: { value: 1, unit: 'y' } }), port.bulkTransfer(acme, [{ name: h.rivalDomain.name, transferCode: h.rivalDomain.authInfo }]));
      if (!c.dnssecDsData) refused.push(port.createDomain(acme, { ...h.domainInput(h.fresh('ds')), dnssec: { dsData: [{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'AB'.repeat(32) }], keyData: [] } }));
      for (const p of refused) expect(await failure(p)).toBeInstanceOf(UnsupportedByBackendError);
      expect(events).toEqual([]);
    });

    if (h.capabilities.balance) {
      test('balance', async () => {
        expect((await port.balance(acme)).data).toEqual({ amount: expect.stringMatching(/^-?\d+(\.\d+)?$/), currency: expect.stringMatching(/^[A-Z]{3}$/) });
      });
    }

    if (h.capabilities.bulk) bulkCases(h, () => ({ s, port, events, started }), acme);

    if (h.contactInput && h.contactInUse) {
      test('contacts: create (the id the registry answers), read, delete; a contact in use cannot be deleted (2305)', async () => {
        const input = h.contactInput!('uus');
        const { id } = (await port.createContact(acme, input)).data;
        const c = (await port.infoContact(acme, id)).data;
        expect(c).toMatchObject({ id, email: input.email, sponsor: port.upstreamId('acme') });
        expect((await port.checkContacts(acme, [id])).data[0].available).toBe(false);
        await port.deleteContact(acme, id);
        expect(await failure(port.infoContact(acme, id))).toBeInstanceOf(ObjectNotFoundError);
        const inUse = await failure(port.deleteContact(acme, h.contactInUse!));
        expect(inUse).toBeInstanceOf(AssociationProhibitsError);
        expect(inUse.details.upstreamCode).toBe(2305);
      });
    }
  });
}
