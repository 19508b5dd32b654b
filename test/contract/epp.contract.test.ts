/**
 * Contract: the EPP adapter against the EPP sandbox, over real TLS, in both sandbox profiles
 * ("contacts": an RFC 5730-5733 registry; "nomulus": no contact objects). One suite per port
 * operation. Only tests import both the adapter and the sandbox.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { EppBackend } from '../../src/backends/epp/index.js';
import { FakeClock } from '../../src/core/clock.js';
import {
  AssociationProhibitsError,
  AuthorizationError,
  ForbiddenError,
  ObjectExistsError,
  ObjectNotFoundError,
  StatusProhibitsError,
  UnsupportedByBackendError,
} from '../../src/core/errors.js';
import type { CallContext, DomainCreateInput, DsData } from '../../src/core/model/index.js';
import { EppSandbox, SANDBOX_REGISTRARS } from '../../src/sandbox/epp/index.js';

const DAY = 24 * 60 * 60 * 1000;
const TRANSFER_PERIOD = 5 * DAY;
const acme: CallContext = { registrarId: 'acme' }; // NewRegistrar
const rival: CallContext = { registrarId: 'rival' }; // TheRegistrar
const DS1: DsData = { keyTag: 12345, algorithm: 13, digestType: 2, digest: '49fd46e6c4b45c55d4ac49fd46e6c4b45c55d4ac49fd46e6c4b45c55d4acabcd', keyData: null };
const DS2: DsData = { keyTag: 54321, algorithm: 8, digestType: 2, digest: 'AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899', keyData: null };

function addYears(d: Date, n: number): Date {
  const r = new Date(d);
  r.setUTCFullYear(r.getUTCFullYear() + n);
  return r;
}

async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

for (const profile of ['contacts', 'nomulus'] as const) {
  describe(`EPP adapter against the ${profile} sandbox`, () => {
    const clock = new FakeClock('2026-03-01T12:00:00Z');
    const sandbox = new EppSandbox({ profile, clock, transferPeriodMs: TRANSFER_PERIOD });
    const tld = profile === 'nomulus' ? 'tld' : 'example';
    const withContacts = profile === 'contacts';
    const sent: string[] = [];
    let backend: EppBackend;
    let addr: { host: string; port: number; ca: string };

    const password = (id: string) => SANDBOX_REGISTRARS.find((r) => r.clientId === id)!.password;
    const domainInput = (label: string, extra: Partial<DomainCreateInput> = {}): DomainCreateInput => ({
      name: `${label}.${tld}`,
      period: { value: 1, unit: 'y' },
      registrant: withContacts ? 'jd1234' : null,
      contacts: withContacts
        ? [
            { role: 'admin', id: 'jd1234' },
            { role: 'tech', id: 'jd1234' },
          ]
        : [],
      nameservers: [{ name: 'ns1.example.net', ipv4: [], ipv6: [] }],
      authInfo: 'Create-pw1',
      ...extra,
    });

    beforeAll(async () => {
      addr = await sandbox.start();
      const { host, port, ca } = addr;
      const record = (o: object, m?: string) => {
        if (m === 'epp >>') sent.push(String((o as { frame?: string }).frame));
      };
      backend = new EppBackend(
        {
          name: `sbx-${profile}`,
          kind: 'epp',
          host,
          port,
          tls: { ca, servername: 'localhost' },
          accounts: {
            acme: { clientId: 'NewRegistrar', password: password('NewRegistrar') },
            rival: { clientId: 'TheRegistrar', password: password('TheRegistrar') },
          },
          poolSize: 2,
          commandTimeoutMs: 10_000,
        },
        { clock, logger: { debug: record, info: record, warn: record, error: record } },
      );
    });
    afterAll(async () => {
      await backend?.close();
      await sandbox.stop();
    });
    beforeEach(() => {
      sandbox.reset();
      sent.length = 0;
    });

    describe('capabilities / upstreamId', () => {
      test('come from the greeting', async () => {
        expect(await backend.capabilities(acme)).toEqual({
          contacts: withContacts,
          hostObjects: true,
          dnssec: true,
          dnssecDsData: true,
          restore: true,
          transferActions: true,
          transferPeriod: true,
          poll: true,
          balance: false,
          listDomains: false,
          contactIdsAssigned: false,
          contactIdent: false,
          bulk: false,
          periodUnits: ['y', 'm'],
        });
        expect(backend.upstreamId('acme')).toBe('NewRegistrar');
        expect(backend.upstreamId('rival')).toBe('TheRegistrar');
      });
    });

    describe('checkDomains', () => {
      test('taken and free names, IDN in U-labels', async () => {
        const res = await backend.checkDomains(acme, [`example.${tld}`, `free-name.${tld}`, `bücher.${tld}`]);
        expect(res.code).toBe(1000);
        expect(res.trid.server).toBeTruthy();
        expect(res.data).toEqual([
          { name: `example.${tld}`, available: false, reason: 'In use' },
          { name: `free-name.${tld}`, available: true, reason: null },
          { name: `xn--bcher-kva.${tld}`, available: true, reason: null },
        ]);
        // the frame log the "nothing sent" assertions rely on does see commands
        expect(sent.filter((f) => f.includes('<domain:check'))).toHaveLength(1);
      });
    });

    describe('createDomain / infoDomain', () => {
      test('create with DNSSEC and read it back', async () => {
        const created = await backend.createDomain(acme, domainInput('fresh', { dnssec: { dsData: [DS1], keyData: [] } }));
        expect(created.code).toBe(1000);
        expect(created.data).toEqual({ name: `fresh.${tld}`, createdAt: clock.now(), expiresAt: addYears(clock.now(), 1) });
        const info = await backend.infoDomain(acme, `fresh.${tld}`);
        expect(info.data).toMatchObject({
          name: `fresh.${tld}`,
          sponsor: 'NewRegistrar',
          createdBy: 'NewRegistrar',
          nameservers: [{ name: 'ns1.example.net', ipv4: [], ipv6: [] }],
          authInfo: 'Create-pw1',
          expiresAt: addYears(clock.now(), 1),
          rgpStatuses: ['addPeriod'],
          dnssec: { dsData: [{ ...DS1, digest: DS1.digest.toUpperCase() }], keyData: [] },
          registrant: withContacts ? 'jd1234' : null,
          contacts: withContacts
            ? [
                { role: 'admin', id: 'jd1234' },
                { role: 'tech', id: 'jd1234' },
              ]
            : [],
        });
        expect(info.data.roid).toBeTruthy();
      });

      test('an IDN, host objects with a subordinate host', async () => {
        await backend.createDomain(acme, domainInput('bücher'));
        await backend.createHost(acme, { name: `ns1.xn--bcher-kva.${tld}`, ipv4: ['192.0.2.10'], ipv6: ['2001:db8::10'] });
        const info = await backend.infoDomain(acme, `bücher.${tld}`);
        expect(info.data.name).toBe(`xn--bcher-kva.${tld}`);
        expect(info.data.subordinateHosts).toEqual([`ns1.xn--bcher-kva.${tld}`]);
      });

      test("another registrar's domain: no authInfo without it, full data with it", async () => {
        const plain = await backend.infoDomain(acme, `example.${tld}`);
        expect(plain.data.sponsor).toBe('TheRegistrar');
        expect(plain.data.authInfo ?? null).toBeNull();
        const full = await backend.infoDomain(acme, `example.${tld}`, 'fooBAR');
        expect(full.data.authInfo).toBe('fooBAR');
        expect(full.data.subordinateHosts).toEqual([`ns1.example.${tld}`, `ns2.example.${tld}`]);
      });
    });

    describe('renewDomain', () => {
      test('expiry moves by exactly the period; a stale curExpDate cannot renew twice', async () => {
        const before = (await backend.infoDomain(acme, `fakesite.${tld}`)).data.expiresAt!;
        const input = { name: `fakesite.${tld}`, currentExpiry: before, period: { value: 2, unit: 'y' as const } };
        const res = await backend.renewDomain(acme, input);
        expect(res.data).toEqual({ name: `fakesite.${tld}`, expiresAt: addYears(before, 2) });
        expect((await backend.infoDomain(acme, `fakesite.${tld}`)).data.expiresAt).toEqual(addYears(before, 2));
        const again = await rejection(backend.renewDomain(acme, input));
        expect(again.details.upstreamCode).toBe(2004);
        expect(sandbox.applied('domain:renew')).toBe(1);
      });
    });

    describe('updateDomain', () => {
      test('statuses, name servers and DNSSEC', async () => {
        await backend.createDomain(acme, domainInput('upd', { dnssec: { dsData: [DS1], keyData: [] } }));
        const none = { statuses: [], contacts: [], nameservers: [] };
        const res = await backend.updateDomain(acme, {
          name: `upd.${tld}`,
          add: { statuses: ['clientHold'], contacts: [], nameservers: [{ name: 'ns2.example.net', ipv4: [], ipv6: [] }] },
          remove: { statuses: [], contacts: [], nameservers: [{ name: 'ns1.example.net', ipv4: [], ipv6: [] }] },
          authInfo: 'Changed-pw2',
          dnssec: { addDsData: [DS2], removeDsData: [], addKeyData: [], removeKeyData: [], removeAll: true },
        });
        expect(res.code).toBe(1000);
        expect(res.data).toBeNull();
        let info = (await backend.infoDomain(acme, `upd.${tld}`)).data;
        expect(info.statuses).toContain('clientHold');
        expect(info.nameservers.map((n) => n.name)).toEqual(['ns2.example.net']);
        expect(info.dnssec.dsData).toEqual([DS2]);
        expect(info.authInfo).toBe('Changed-pw2');
        await backend.updateDomain(acme, {
          name: `upd.${tld}`,
          add: none,
          remove: { ...none, statuses: ['clientHold'] },
          dnssec: { addDsData: [], removeDsData: [DS2], addKeyData: [], removeKeyData: [] },
        });
        info = (await backend.infoDomain(acme, `upd.${tld}`)).data;
        expect(info.statuses).not.toContain('clientHold');
        expect(info.dnssec.dsData).toEqual([]);
      });

      test('registrant change', async () => {
        const none = { statuses: [], contacts: [], nameservers: [] };
        const p = backend.updateDomain(acme, { name: `fakesite.${tld}`, add: none, remove: none, registrant: 'jd1234' });
        if (withContacts) {
          expect((await p).code).toBe(1000);
        } else {
          await expect(p).rejects.toBeInstanceOf(UnsupportedByBackendError);
          expect(sent.filter((f) => f.includes('domain:update'))).toEqual([]);
        }
      });
    });

    describe('deleteDomain / restoreDomain', () => {
      test('delete within the add grace period is immediate', async () => {
        await backend.createDomain(acme, domainInput('gone'));
        expect((await backend.deleteDomain(acme, `gone.${tld}`)).data).toEqual({ name: `gone.${tld}`, pending: false });
        await expect(backend.infoDomain(acme, `gone.${tld}`)).rejects.toBeInstanceOf(ObjectNotFoundError);
      });

      test('delete goes to redemption (1001); restore brings it back', async () => {
        const del = await backend.deleteDomain(acme, `test.${tld}`);
        expect(del.code).toBe(1001);
        expect(del.data).toEqual({ name: `test.${tld}`, pending: true });
        const deleted = (await backend.infoDomain(acme, `test.${tld}`)).data;
        expect(deleted.statuses).toContain('pendingDelete');
        expect(deleted.rgpStatuses).toContain('redemptionPeriod');
        const restored = await backend.restoreDomain(acme, `test.${tld}`);
        expect(restored.code).toBe(1000);
        expect(sandbox.applied('domain:restore')).toBe(1);
        const after = (await backend.infoDomain(acme, `test.${tld}`)).data;
        expect(after.statuses).not.toContain('pendingDelete');
        expect(after.rgpStatuses).not.toContain('redemptionPeriod');
      });
    });

    describe('transferDomain', () => {
      const name = `example.${tld}`;
      test('request by the other registrar, approve; poll messages on both sides', async () => {
        const req = await backend.transferDomain(acme, 'request', name, { authInfo: 'fooBAR', period: { value: 1, unit: 'y' } });
        expect(req.code).toBe(1001);
        expect(req.data).toMatchObject({ name, status: 'pending', gainingRegistrar: 'NewRegistrar', losingRegistrar: 'TheRegistrar', requestedAt: clock.now() });
        expect(req.data.actionAt).toEqual(new Date(clock.now().getTime() + TRANSFER_PERIOD));

        const losing = await backend.pollRequest(rival);
        expect(losing.code).toBe(1301);
        expect(losing.data.message).toMatchObject({ text: 'Transfer requested.', object: { kind: 'domain', name }, transfer: { status: 'pending', gainingRegistrar: 'NewRegistrar' } });
        expect((await backend.transferDomain(rival, 'query', name)).data.status).toBe('pending');

        const approved = await backend.transferDomain(rival, 'approve', name);
        expect(approved.data).toMatchObject({ name, status: 'clientApproved', actionAt: clock.now() });
        const gaining = await backend.pollRequest(acme);
        expect(gaining.data.message).toMatchObject({ object: { kind: 'domain', name }, pendingActionResult: true, transfer: { status: 'clientApproved' } });
        expect((await backend.infoDomain(acme, name)).data.sponsor).toBe('NewRegistrar');
      });

      test('reject', async () => {
        await backend.transferDomain(acme, 'request', name, { authInfo: 'fooBAR' });
        const rejected = await backend.transferDomain(rival, 'reject', name);
        expect(rejected.data.status).toBe('clientRejected');
        expect((await backend.pollRequest(acme)).data.message).toMatchObject({ pendingActionResult: false, transfer: { status: 'clientRejected' } });
        expect((await backend.infoDomain(rival, name)).data.sponsor).toBe('TheRegistrar');
      });

      test('cancel by the gaining registrar', async () => {
        await backend.transferDomain(acme, 'request', name, { authInfo: 'fooBAR' });
        const cancelled = await backend.transferDomain(acme, 'cancel', name);
        expect(cancelled.data.status).toBe('clientCancelled');
        await expect(backend.transferDomain(acme, 'cancel', name)).rejects.toMatchObject({ code: 'OBJECT_NOT_PENDING_TRANSFER', details: { upstreamCode: 2301 } });
      });

      test('server approval after the transfer period', async () => {
        await backend.transferDomain(acme, 'request', name, { authInfo: 'fooBAR' });
        clock.advance(TRANSFER_PERIOD + 1000);
        expect((await backend.transferDomain(acme, 'query', name)).data.status).toBe('serverApproved');
        const losing = await backend.pollRequest(rival);
        expect(losing.data.count).toBe(2);
        await backend.pollAck(rival, losing.data.message!.id);
        expect((await backend.pollRequest(rival)).data.message?.transfer?.status).toBe('serverApproved');
      });
    });

    describe('pollRequest / pollAck', () => {
      test('empty queue, then messages acknowledged one by one', async () => {
        expect(await backend.pollRequest(acme).then((r) => [r.code, r.data])).toEqual([1300, { message: null, count: 0 }]);
        await backend.transferDomain(rival, 'request', `fakesite.${tld}`, { authInfo: '2fooBAR' });
        await backend.transferDomain(rival, 'request', `test.${tld}`, { authInfo: 'testPW1' });
        const head = await backend.pollRequest(acme);
        expect(head.data.count).toBe(2);
        expect(head.data.message).toMatchObject({ count: 2, text: 'Transfer requested.', queuedAt: clock.now() });
        expect(head.data.message!.raw).toContain('trnData');
        // reading again does not dequeue
        expect((await backend.pollRequest(acme)).data.message!.id).toBe(head.data.message!.id);
        expect((await backend.pollAck(acme, head.data.message!.id)).data).toEqual({ count: 1 });
        const next = await backend.pollRequest(acme);
        expect(next.data.message!.id).not.toBe(head.data.message!.id);
        expect((await backend.pollAck(acme, next.data.message!.id)).data).toEqual({ count: 0 });
        await expect(backend.pollAck(acme, next.data.message!.id)).rejects.toBeInstanceOf(ObjectNotFoundError);
      });
    });

    describe('contacts', () => {
      const input = {
        id: 'gw-c1',
        postalInfo: [{ type: 'int' as const, name: 'Grace Hopper', org: 'Navy', street: ['1 Pentagon'], city: 'Arlington', sp: 'VA', pc: '22202', cc: 'US' }],
        voice: '+1.7035550100',
        email: 'grace@example.org',
        authInfo: 'Contact-pw1',
      };
      if (withContacts) {
        test('check, create, info, update, delete', async () => {
          expect((await backend.checkContacts(acme, ['gw-c1', 'jd1234'])).data.map((c) => c.available)).toEqual([true, false]);
          const created = await backend.createContact(acme, input);
          expect(created.data).toEqual({ id: 'gw-c1', createdAt: clock.now() });
          expect((await backend.infoContact(acme, 'gw-c1')).data).toMatchObject({
            id: 'gw-c1',
            postalInfo: input.postalInfo,
            voice: '+1.7035550100',
            email: 'grace@example.org',
            sponsor: 'NewRegistrar',
            authInfo: 'Contact-pw1',
          });
          await backend.updateContact(acme, { id: 'gw-c1', addStatuses: ['clientDeleteProhibited'], removeStatuses: [], email: 'hopper@example.org' });
          const upd = (await backend.infoContact(acme, 'gw-c1')).data;
          expect(upd.email).toBe('hopper@example.org');
          expect(upd.statuses).toContain('clientDeleteProhibited');
          await expect(backend.deleteContact(acme, 'gw-c1')).rejects.toBeInstanceOf(StatusProhibitsError);
          await backend.updateContact(acme, { id: 'gw-c1', addStatuses: [], removeStatuses: ['clientDeleteProhibited'] });
          expect((await backend.deleteContact(acme, 'gw-c1')).code).toBe(1000);
          await expect(backend.createContact(acme, { ...input, id: 'jd1234' })).rejects.toMatchObject({ code: 'OBJECT_EXISTS' });
          await expect(backend.deleteContact(acme, 'jd1234')).rejects.toBeInstanceOf(AssociationProhibitsError);
        });

        test('disclosure preference: set at create, replaced by update, read back; a refused one changes nothing', async () => {
          await backend.createContact(acme, { ...input, id: 'gw-disc', disclosure: { flag: true, fields: ['addr:int', 'voice', 'email'] } });
          expect((await backend.infoContact(acme, 'gw-disc')).data.disclosure).toEqual({ flag: true, fields: ['addr:int', 'voice', 'email'] });
          await backend.updateContact(acme, { id: 'gw-disc', addStatuses: [], removeStatuses: [], disclosure: { flag: true, fields: ['name:int', 'fax'] } });
          expect((await backend.infoContact(acme, 'gw-disc')).data.disclosure).toEqual({ flag: true, fields: ['name:int', 'fax'] });
          // This registry, like Nomulus, does not let a registrant decline disclosure (2306).
          await expect(
            backend.updateContact(acme, { id: 'gw-disc', addStatuses: [], removeStatuses: [], disclosure: { flag: false, fields: ['email'] } }),
          ).rejects.toMatchObject({ code: 'PARAMETER_VALUE_POLICY_ERROR', details: { upstreamCode: 2306 } });
          expect((await backend.infoContact(acme, 'gw-disc')).data.disclosure).toEqual({ flag: true, fields: ['name:int', 'fax'] });
          await backend.createContact(acme, { ...input, id: 'gw-nodisc' });
          expect((await backend.infoContact(acme, 'gw-nodisc')).data.disclosure).toBeNull();
        });
      } else {
        test('every contact method is UnsupportedByBackendError and nothing is sent', async () => {
          await backend.capabilities(acme);
          sent.length = 0;
          for (const p of [
            backend.checkContacts(acme, ['gw-c1']),
            backend.infoContact(acme, 'gw-c1'),
            backend.createContact(acme, input),
            backend.updateContact(acme, { id: 'gw-c1', addStatuses: ['clientHold'], removeStatuses: [] }),
            backend.deleteContact(acme, 'gw-c1'),
            backend.createDomain(acme, domainInput('withcontacts', { registrant: 'jd1234' })),
          ]) {
            await expect(p).rejects.toBeInstanceOf(UnsupportedByBackendError);
          }
          expect(sent).toEqual([]);
          expect(sandbox.applied('contact:create') + sandbox.applied('contact:check')).toBe(0);
        });
      }
    });

    describe('command log hooks', () => {
      test('a state-changing command under an idempotency key is announced before it is sent; if that fails, nothing is sent or reported', async () => {
        const started: string[] = [];
        const finished: string[] = [];
        const make = (onCommandStart: (e: { command: string }) => Promise<void>) =>
          new EppBackend(
            { name: `hooks-${profile}`, kind: 'epp', host: addr.host, port: addr.port, tls: { ca: addr.ca, servername: 'localhost' }, accounts: { acme: { clientId: 'NewRegistrar', password: password('NewRegistrar') } }, poolSize: 1 },
            { clock, onCommandStart, onCommand: (e) => void finished.push(e.command) },
          );
        const keyed: CallContext = { ...acme, idempotencyKey: 'k-hooks' };
        const ok = make(async (e) => void started.push(e.command));
        try {
          await ok.createDomain(keyed, domainInput('hooks-ok'));
          await ok.checkDomains(keyed, [`hooks-ok.${tld}`]);
          await ok.createDomain(acme, domainInput('hooks-nokey'));
          expect(started).toEqual(['domain:create']); // not the check, not a command without a key
          expect(finished).toEqual(['domain:create', 'domain:check', 'domain:create']);
        } finally {
          await ok.close();
        }
        finished.length = 0;
        const before = sandbox.applied('domain:create');
        const failing = make(async () => {
          throw new Error('database unavailable');
        });
        try {
          await expect(failing.createDomain(keyed, domainInput('hooks-fail'))).rejects.toThrow('database unavailable');
          expect(sandbox.applied('domain:create')).toBe(before);
          expect(sandbox.domain(`hooks-fail.${tld}`)).toBeUndefined();
          expect(finished).toEqual([]);
        } finally {
          await failing.close();
        }
      });
    });

    describe('hosts', () => {
      test('check, create (v4 + v6), info, update (rename, addresses, statuses), delete', async () => {
        await backend.createDomain(acme, domainInput('hosty'));
        expect((await backend.checkHosts(acme, [`ns1.hosty.${tld}`, 'ns1.example.net'])).data.map((h) => h.available)).toEqual([true, false]);
        const created = await backend.createHost(acme, { name: `ns1.hosty.${tld}`, ipv4: ['192.0.2.1'], ipv6: ['2001:db8::1'] });
        expect(created.data).toEqual({ name: `ns1.hosty.${tld}`, createdAt: clock.now() });
        expect((await backend.infoHost(acme, `ns1.hosty.${tld}`)).data).toMatchObject({
          name: `ns1.hosty.${tld}`,
          ipv4: ['192.0.2.1'],
          ipv6: ['2001:db8::1'],
          sponsor: 'NewRegistrar',
        });
        await backend.updateHost(acme, {
          name: `ns1.hosty.${tld}`,
          addIpv4: ['192.0.2.2'],
          addIpv6: [],
          removeIpv4: [],
          removeIpv6: ['2001:db8::1'],
          addStatuses: ['clientUpdateProhibited'],
          removeStatuses: [],
          newName: null,
        });
        let h = (await backend.infoHost(acme, `ns1.hosty.${tld}`)).data;
        expect(h.ipv4.sort()).toEqual(['192.0.2.1', '192.0.2.2']);
        expect(h.ipv6).toEqual([]);
        expect(h.statuses).toContain('clientUpdateProhibited');
        await backend.updateHost(acme, { name: `ns1.hosty.${tld}`, addIpv4: [], addIpv6: [], removeIpv4: [], removeIpv6: [], addStatuses: [], removeStatuses: ['clientUpdateProhibited'], newName: `ns2.hosty.${tld}` });
        h = (await backend.infoHost(acme, `ns2.hosty.${tld}`)).data;
        expect(h.name).toBe(`ns2.hosty.${tld}`);
        expect((await backend.deleteHost(acme, `ns2.hosty.${tld}`)).code).toBe(1000);
        await expect(backend.infoHost(acme, `ns2.hosty.${tld}`)).rejects.toBeInstanceOf(ObjectNotFoundError);
      });
    });

    describe('error mappings', () => {
      test('2302 -> ObjectExistsError (OBJECT_EXISTS)', async () => {
        const e = await rejection(backend.createDomain(acme, domainInput('example')));
        expect(e).toBeInstanceOf(ObjectExistsError);
        expect(e).toMatchObject({ code: 'OBJECT_EXISTS', details: { upstreamCode: 2302, backend: `sbx-${profile}` } });
        expect(e.details.upstreamMessage).toBeTruthy();
      });
      test('2303 -> ObjectNotFoundError', async () => {
        const e = await rejection(backend.infoDomain(acme, `nope.${tld}`));
        expect(e).toBeInstanceOf(ObjectNotFoundError);
        expect(e).toMatchObject({ code: 'OBJECT_NOT_FOUND', details: { upstreamCode: 2303 } });
      });
      test('2201 / 2202 -> AuthorizationError', async () => {
        const none = { statuses: [], contacts: [], nameservers: [] };
        const e1 = await rejection(backend.updateDomain(acme, { name: `example.${tld}`, add: { ...none, statuses: ['clientHold'] }, remove: none }));
        expect(e1).toBeInstanceOf(AuthorizationError);
        expect(e1.details.upstreamCode).toBe(2201);
        const e2 = await rejection(backend.transferDomain(acme, 'request', `example.${tld}`, { authInfo: 'wrong-pw1' }));
        expect(e2).toBeInstanceOf(AuthorizationError);
        expect(e2).toMatchObject({ code: 'AUTHORIZATION_ERROR', details: { upstreamCode: 2202 } });
        expect(e2.message).not.toContain('wrong-pw1');
      });
      test('2304 -> StatusProhibitsError', async () => {
        const cur = (await backend.infoDomain(rival, `locked.${tld}`)).data.expiresAt!;
        const e = await rejection(backend.renewDomain(rival, { name: `locked.${tld}`, currentExpiry: cur, period: { value: 1, unit: 'y' } }));
        expect(e).toBeInstanceOf(StatusProhibitsError);
        expect(e).toMatchObject({ code: 'STATUS_PROHIBITS_OPERATION', details: { upstreamCode: 2304 } });
      });
      test('2305 -> AssociationProhibitsError', async () => {
        const e = await rejection(backend.deleteHost(rival, 'ns1.example.net'));
        expect(e).toBeInstanceOf(AssociationProhibitsError);
        expect(e).toMatchObject({ code: 'ASSOCIATION_PROHIBITS_OPERATION', details: { upstreamCode: 2305 } });
      });
      test('a registrar without an account -> ForbiddenError before anything is sent', async () => {
        await expect(backend.checkDomains({ registrarId: 'stranger' }, [`a.${tld}`])).rejects.toBeInstanceOf(ForbiddenError);
        expect(sent).toEqual([]);
      });
    });

    describe('transport faults (sandbox fault injection)', () => {
      const renewInput = async () => ({
        name: `fakesite.${tld}`,
        currentExpiry: (await backend.infoDomain(acme, `fakesite.${tld}`)).data.expiresAt!,
        period: { value: 1, unit: 'y' as const },
      });
      test('applied, then the connection drops: UpstreamUnavailableError(maybeApplied true); next command re-logs in', async () => {
        const input = await renewInput();
        sandbox.faults.next({ command: 'domain:renew', action: 'drop-after-apply' });
        const e = await rejection(backend.renewDomain(acme, input));
        expect(e).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', maybeApplied: true });
        expect(sandbox.applied('domain:renew')).toBe(1);
        // the blind resend is refused by curExpDate instead of renewing twice
        const again = await rejection(backend.renewDomain(acme, input));
        expect(again.details.upstreamCode).toBe(2004);
        expect((await backend.infoDomain(acme, `fakesite.${tld}`)).data.expiresAt).toEqual(addYears(input.currentExpiry, 1));
      });
      test('2500 closes the session: UpstreamFailureError, then a fresh session works', async () => {
        sandbox.faults.next({ command: 'domain:check', action: 'close-session' });
        const e = await rejection(backend.checkDomains(acme, [`a.${tld}`]));
        expect(e).toMatchObject({ code: 'UPSTREAM_FAILURE', details: { upstreamCode: 2500 } });
        expect((await backend.checkDomains(acme, [`a.${tld}`])).data[0]!.available).toBe(true);
      });
      test('no answer within the command timeout: maybeApplied true', async () => {
        const { host, port, ca } = addr;
        const impatient = new EppBackend({
          name: 'impatient',
          kind: 'epp',
          host,
          port,
          tls: { ca, servername: 'localhost' },
          accounts: { acme: { clientId: 'NewRegistrar', password: password('NewRegistrar') } },
          commandTimeoutMs: 200,
        });
        try {
          sandbox.faults.next({ command: 'domain:delete', action: 'delay', delayMs: 1_000 });
          const e = await rejection(impatient.deleteDomain(acme, `test.${tld}`));
          expect(e).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', maybeApplied: true });
          expect(sandbox.applied('domain:delete')).toBe(1);
        } finally {
          await impatient.close();
        }
      });
    });

    describe('balance', () => {
      test('EPP has no standard balance', async () => {
        await expect(backend.balance(acme)).rejects.toBeInstanceOf(UnsupportedByBackendError);
      });
    });
  });
}
