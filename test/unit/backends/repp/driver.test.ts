/**
 * The REPP driver's port operations against the REPP sandbox over real sockets: what a port call
 * becomes in REPP requests, the beforeWrite hook run once before the first change (and nothing sent
 * when it fails), updates that converge when resent after a lost answer, and the poll queue read
 * oldest first.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReppHttpClient } from '../../../../src/backends/repp/http.js';
import * as account from '../../../../src/backends/repp/driver/account.js';
import type { ReppCall } from '../../../../src/backends/repp/driver/call.js';
import * as contacts from '../../../../src/backends/repp/driver/contacts.js';
import { updateDomain } from '../../../../src/backends/repp/driver/domain-update.js';
import * as domains from '../../../../src/backends/repp/driver/domains.js';
import { FakeClock } from '../../../../src/core/clock.js';
import { AuthorizationError, UnsupportedByBackendError, UpstreamUnavailableError, ValidationError } from '../../../../src/core/errors.js';
import type { DomainUpdateInput, PostalInfo } from '../../../../src/core/model/index.js';
import { ReppSandbox } from '../../../../src/sandbox/repp/index.js';

const clock = new FakeClock('2026-01-01T10:00:00Z');
const sandbox = new ReppSandbox({ clock });
const clients: ReppHttpClient[] = [];
let url: string;

/** A call as the portable layer will make it; `writes` counts beforeWrite runs. */
function call(who: 'new' | 'the' = 'new', beforeWrite: () => Promise<void> = async () => {}): ReppCall & { writes: number } {
  const [username, password] = who === 'new' ? ['test', 'test123'] : ['theregistrar', 'password2'];
  const client = new ReppHttpClient({ url, username, password }, { backend: 'sandbox-repp' });
  clients.push(client);
  const c: ReppCall & { writes: number } = {
    client,
    upstreamId: username,
    clock,
    policy: {},
    writes: 0,
    beforeWrite: async () => {
      c.writes++;
      await beforeWrite();
    },
    applied: () => {},
  };
  return c;
}

const noChange = (name: string): DomainUpdateInput => ({
  name,
  add: { statuses: [], contacts: [], nameservers: [] },
  remove: { statuses: [], contacts: [], nameservers: [] },
});
const changes = () => ['domain:update', 'domain:contacts:add', 'domain:contacts:remove', 'domain:nameservers:add', 'domain:nameservers:delete', 'domain:dnssec:add', 'domain:dnssec:delete', 'domain:hold:set', 'domain:hold:clear'].reduce((n, k) => n + sandbox.applied(k), 0);

beforeAll(async () => {
  url = (await sandbox.start()).url;
});
afterAll(async () => {
  for (const c of clients) c.close();
  await sandbox.stop();
});
beforeEach(() => {
  clock.set('2026-01-01T10:00:00Z');
  sandbox.reset();
});

describe('domains', () => {
  it('check: a name the registry knows is in use, one it does not is available', async () => {
    expect((await domains.checkDomains(call(), ['kass.ee', 'uus.ee', '666.ee'])).data).toEqual([
      { name: 'kass.ee', available: false, reason: 'In use' },
      { name: 'uus.ee', available: true, reason: null },
      { name: '666.ee', available: false, reason: 'In use' },
    ]);
  });

  it('a name deeper than one label under .ee, .pri.ee, .com.ee ... is not available (no request sent; info would answer 404) and its create is BAD_USER_INPUT before sending', async () => {
    const infos = sandbox.applied('domain:info');
    expect((await domains.checkDomains(call(), ['sub.kass.ee', 'a.b.com.ee', 'mari.pri.ee'])).data).toEqual([
      { name: 'sub.kass.ee', available: false, reason: expect.stringContaining('not registrable') },
      { name: 'a.b.com.ee', available: false, reason: expect.stringContaining('not registrable') },
      { name: 'mari.pri.ee', available: false, reason: 'In use' },
    ]);
    expect(sandbox.applied('domain:info')).toBe(infos + 1);
    // Letters outside the .ee set: "раураl" mixes Cyrillic into Latin (xn--l-7sba6dbr); "õun" is Estonian.
    expect((await domains.checkDomains(call(), ['xn--l-7sba6dbr.ee', 'xn--un-bka.ee'])).data).toEqual([
      { name: 'xn--l-7sba6dbr.ee', available: false, reason: expect.stringContaining("outside the .ee registry's set") },
      { name: 'xn--un-bka.ee', available: true, reason: null },
    ]);
    const e = await (async () => domains.checkCreate('sandbox-repp', { name: 'sub.kass.ee', period: { value: 1, unit: 'y' }, registrant: 'ATSAA:KARL', contacts: [], nameservers: [], authInfo: 'uus-kood-1' }))().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).details.field).toBe('input.name');
  });

  it("a wrong auth code on the sponsor's own domain is AUTHORIZATION_ERROR naming the registry, as the registry's own 2202 for another's domain does", async () => {
    for (const [who, name] of [['new', 'kass.ee'], ['the', 'kass.ee']] as const) {
      const e = (await domains.infoDomain(call(who), name, 'Wrong-code-1').catch((x: unknown) => x)) as AuthorizationError;
      expect(e).toBeInstanceOf(AuthorizationError);
      expect([e.details.upstreamCode, e.details.backend]).toEqual([2202, 'sandbox-repp']);
    }
  });

  it('create answers the dates read back; the sponsor is the caller for itself and a name for others; beforeWrite ran once', async () => {
    const c = call();
    const r = await domains.createDomain(c, { name: 'uus.ee', period: { value: 2, unit: 'y' }, registrant: 'ATSAA:KARL', contacts: [], nameservers: [], authInfo: 'uus-kood-1' });
    expect(r.data).toEqual({ name: 'uus.ee', createdAt: new Date('2026-01-01T10:00:00Z'), expiresAt: new Date('2028-01-02T00:00:00+02:00') });
    expect(c.writes).toBe(1);
    expect((await domains.infoDomain(c, 'uus.ee')).data).toMatchObject({ sponsor: 'test', authInfo: 'uus-kood-1' });
    expect((await domains.infoDomain(call('the'), 'uus.ee')).data).toMatchObject({ sponsor: 'New Registrar OÜ', authInfo: null });
  });

  it('renew with the expiry read from info moves it by the period, and answers the new expiry', async () => {
    const c = call();
    const before = sandbox.domain('kass.ee')!.expireDate;
    const d = (await domains.infoDomain(c, 'kass.ee')).data;
    const r = await domains.renewDomain(c, { name: 'kass.ee', currentExpiry: d.expiresAt!, period: { value: 1, unit: 'y' } });
    const after = sandbox.domain('kass.ee')!;
    expect(after.expireDate).toBe(`${Number(before.slice(0, 4)) + 1}${before.slice(4)}`);
    expect(r.data).toEqual({ name: 'kass.ee', expiresAt: new Date(after.expireTime) });
  });

  it('transfer request with the code completes at once; a wrong code is AUTHORIZATION_ERROR; approve is unsupported', async () => {
    const c = call();
    await expect(domains.transferDomain(c, 'request', '666.ee', { authInfo: 'vale' })).rejects.toBeInstanceOf(AuthorizationError);
    const t = await domains.transferDomain(c, 'request', '666.ee', { authInfo: 'd79d865fdf589a1cd52ae95fde4e5d30' });
    expect(t.data).toMatchObject({ name: '666.ee', status: 'serverApproved', gainingRegistrar: 'test', losingRegistrar: 'The Registrar AS' });
    expect((await domains.transferDomain(c, 'query', '666.ee')).data).toMatchObject({ status: 'serverApproved', gainingRegistrar: 'test' });
    await expect(domains.transferDomain(call('the'), 'approve', '666.ee')).rejects.toBeInstanceOf(UnsupportedByBackendError);
  });

  it('delete is sent verified: the domain is gone at once', async () => {
    expect((await domains.deleteDomain(call(), 'kass.ee')).data).toEqual({ name: 'kass.ee', pending: false });
    expect(sandbox.domain('kass.ee')).toBeUndefined();
  });
});

describe('updateDomain', () => {
  const big = (): DomainUpdateInput => ({
    name: 'kass.ee',
    add: {
      statuses: ['clientHold'],
      contacts: [{ role: 'tech', id: 'ATSAA:LIZ' }],
      nameservers: [
        { name: 'ns1.kass.ee', ipv4: ['192.0.2.7'], ipv6: [] },
        { name: 'ns2.example.net', ipv4: [], ipv6: [] },
      ],
    },
    remove: { statuses: [], contacts: [{ role: 'tech', id: 'ATSAA:KARL' }], nameservers: [] },
    registrant: 'ATSAA:LIZ',
    authInfo: 'uus-kood-2',
    dnssec: { addDsData: [], removeDsData: [], addKeyData: [{ flags: 257, protocol: 3, algorithm: 13, publicKey: 'AwEAAddt2AkLfYGKgiEZB5SmIF8EvrjxNMH6HtxWEA4RJ9Ao6LCWheg8' }], removeKeyData: [] },
  });

  it('sends each part once, with beforeWrite once before the first change, and the domain ends as asked', async () => {
    const c = call();
    await updateDomain(c, 'sandbox-repp', big());
    expect(c.writes).toBe(1);
    expect(sandbox.domain('kass.ee')).toMatchObject({
      registrant: 'ATSAA:LIZ',
      transferCode: 'uus-kood-2',
      tech: ['ATSAA:LIZ'],
      statuses: ['clientHold'],
      nameservers: [
        { hostname: 'ns1.kass.ee', ipv4: ['192.0.2.7'], ipv6: [] },
        { hostname: 'ns2.example.net', ipv4: [], ipv6: [] },
      ],
    });
    expect(sandbox.domain('kass.ee')!.dnskeys).toHaveLength(1);
    // registrant and transfer code, contact added, contact removed, name servers added, DNSKEY added, clientHold set
    expect(changes()).toBe(6);
    expect(sandbox.applied('domain:hold:set')).toBe(1);
  });

  it('resent after an answer lost halfway, it sends only what is missing and converges', async () => {
    sandbox.faults.next({ route: 'domain:nameservers:add', action: 'drop-after-apply' });
    await expect(updateDomain(call(), 'sandbox-repp', big())).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', maybeApplied: true });
    expect(sandbox.applied('domain:dnssec:add')).toBe(0);
    const before = changes();
    await updateDomain(call(), 'sandbox-repp', big());
    expect(changes() - before).toBe(2); // the DNSKEY and clientHold were still missing
    const again = changes();
    await updateDomain(call(), 'sandbox-repp', big());
    expect(changes()).toBe(again); // nothing left to send
  });

  it('refuses what REPP cannot do before sending anything', async () => {
    const c = call();
    await expect(updateDomain(c, 'sandbox-repp', { ...noChange('kass.ee'), add: { ...noChange('kass.ee').add, statuses: ['clientTransferProhibited'] } })).rejects.toBeInstanceOf(UnsupportedByBackendError);
    await expect(updateDomain(c, 'sandbox-repp', { ...noChange('kass.ee'), dnssec: { addDsData: [{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'AB'.repeat(32) }], removeDsData: [], addKeyData: [], removeKeyData: [] } })).rejects.toBeInstanceOf(UnsupportedByBackendError);
    expect(c.writes).toBe(0);
    expect(sandbox.applied('domain:info')).toBe(0);
  });

  it('sends nothing when beforeWrite fails', async () => {
    const c = call('new', async () => {
      throw new Error('command log unavailable');
    });
    await expect(updateDomain(c, 'sandbox-repp', big())).rejects.toThrow('command log unavailable');
    expect(changes()).toBe(0);
  });
});

describe('contacts', () => {
  it('create gets the code from the registry; without an ident it is refused before sending', async () => {
    const c = call();
    const base = { postalInfo: [{ type: 'int' as const, name: 'Mari Maasikas', street: [], city: '', cc: 'EE' }], email: 'mari@example.ee', voice: '+372.5551111', authInfo: 'unused-1' };
    await expect(contacts.createContact(c, base)).rejects.toBeInstanceOf(ValidationError);
    expect(c.writes).toBe(0);
    const r = await contacts.createContact(c, { ...base, ident: { code: '48001010000', type: 'priv', countryCode: 'EE' } });
    expect(r.data.id).toMatch(/^ATSAA:[0-9A-F]{8}$/);
    expect((await contacts.infoContact(c, r.data.id)).data).toMatchObject({ id: r.data.id, sponsor: 'test', email: 'mari@example.ee', ident: { code: '48001010000', type: 'priv', countryCode: 'EE' } });
  });

  it('an Estonian personal or registry code of the wrong length is BAD_USER_INPUT naming input.ident.code, nothing sent', async () => {
    const c = call();
    const base = { postalInfo: [{ type: 'int' as const, name: 'Mari Maasikas', street: [], city: 'Tallinn', cc: 'EE' }], email: 'mari@example.ee', voice: '+372.5551111', authInfo: 'unused-1' };
    for (const ident of [{ code: '12345', type: 'priv' as const, countryCode: 'EE' }, { code: '123456789', type: 'org' as const, countryCode: 'EE' }]) {
      const e = await contacts.createContact(c, { ...base, ident }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).details.field).toBe('input.ident.code');
    }
    expect(c.writes).toBe(0);
    expect(sandbox.applied('contact:create')).toBe(0);
    // Another country's code is the registry's to judge.
    expect((await contacts.createContact(c, { ...base, ident: { code: '12345', type: 'priv', countryCode: 'LV' } })).data.id).toMatch(/^ATSAA:/);
  });

  it('a rename with the city and country the schema requires is sent as the name alone; street, org, sp or pc is refused naming it', async () => {
    const c = call();
    const id = (await contacts.createContact(c, { postalInfo: [{ type: 'int', name: 'Mari Maasikas', street: [], city: 'Tallinn', cc: 'EE' }], email: 'mari@example.ee', voice: '+372.5551111', authInfo: 'unused-1', ident: { code: '48001010000', type: 'priv', countryCode: 'EE' } })).data.id;
    const update = { id, addStatuses: [], removeStatuses: [], postalInfo: [{ type: 'int' as const, name: 'Mari Uus', street: [], city: 'Tallinn', cc: 'EE' }] };
    await contacts.updateContact(c, 'sandbox-repp', update);
    expect((await contacts.infoContact(c, id)).data.postalInfo[0]?.name).toBe('Mari Uus');
    const updates = sandbox.applied('contact:update');
    for (const [extra, field] of [[{ street: ['Pikk 1'] }, 'street'], [{ org: 'Firma' }, 'org'], [{ pc: '10111' }, 'pc']] as Array<[Partial<PostalInfo>, string]>) {
      const e = await contacts.updateContact(c, 'sandbox-repp', { ...update, postalInfo: [{ ...update.postalInfo[0]!, ...extra }] }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UnsupportedByBackendError);
      expect((e as UnsupportedByBackendError).details.field).toBe(`input.postalInfo[0].${field}`);
    }
    expect(sandbox.applied('contact:update')).toBe(updates);
  });
});

describe('account', () => {
  it('the poll queue is read oldest first with its count, and ack leaves one fewer', async () => {
    const c = call();
    const q = await account.pollRequest(c);
    expect(q.data).toMatchObject({ count: 2, message: { id: '1398', count: 2 } });
    expect((await account.pollAck(c, '1398')).data).toEqual({ count: 1 });
    expect((await account.pollRequest(c)).data.message).toMatchObject({ id: '1399', object: { kind: 'domain', name: 'koer.ee' } });
  });
  it('balance, and transactions over a date range', async () => {
    const c = call();
    expect((await account.balance(c)).data).toEqual({ amount: '420.0', currency: 'EUR' });
    const t = await account.transactions(c, { from: new Date('2021-02-20T00:00:00Z') });
    expect(t.data.transactions.map((x) => x.description)).toEqual(['Create abadiitas.ee']);
  });
  it('bulk renew, as one request', async () => {
    expect((await account.bulkRenew(call(), ['kass.ee', 'koer.ee'], { value: 1, unit: 'y' })).data).toEqual({ renewed: ['kass.ee', 'koer.ee'] });
    expect(sandbox.applied('bulk:renew')).toBe(1);
  });
  it('an unreachable registry is UPSTREAM_UNAVAILABLE', async () => {
    const c = call();
    c.client = new ReppHttpClient({ url: 'http://127.0.0.1:1', username: 'test', password: 'test123' });
    clients.push(c.client);
    await expect(account.balance(c)).rejects.toBeInstanceOf(UpstreamUnavailableError);
  });
});
