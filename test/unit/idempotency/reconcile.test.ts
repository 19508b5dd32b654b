/**
 * One reconcile function per operation, against a fake registry port: applied (with the result
 * the mutation would have stored), not applied (safe to resend) or unknown, for each.
 */
import { describe, expect, it } from 'vitest';
import { CommandSyntaxError, ObjectNotFoundError, UpstreamUnavailableError } from '../../../src/core/errors.js';
import type { Contact, Domain, Host, Transfer } from '../../../src/core/model/index.js';
import type { RegistryPort } from '../../../src/core/port.js';
import { BULK_SUBMISSIONS, OPERATIONS, type ReconcileInput } from '../../../src/idempotency/reconcile/index.js';
import { Fingerprints } from '../../../src/idempotency/fingerprint.js';
import { SecretDigests } from '../../../src/idempotency/secrets.js';

const digests = new SecretDigests(new Fingerprints(Buffer.alloc(32, 7)));

const SINCE = new Date('2026-05-01T12:00:00Z');
const AFTER = new Date('2026-05-01T12:00:05Z');
const BEFORE = new Date('2026-04-01T00:00:00Z');
const US = 'NewRegistrar';

function domain(over: Partial<Domain> = {}): Domain {
  return {
    name: 'x.tld', statuses: ['ok'], rgpStatuses: [], contacts: [], nameservers: [], subordinateHosts: [],
    dnssec: { dsData: [], keyData: [] }, sponsor: US, createdAt: AFTER, updatedAt: AFTER, expiresAt: new Date('2027-05-01T12:00:05Z'), authInfo: 'Old-Pw-1',
    ...over,
  };
}

interface World {
  domains?: Record<string, Domain>;
  transfers?: Record<string, Transfer>;
  contacts?: Record<string, Contact>;
  hosts?: Record<string, Host>;
  fail?: Error;
}

const notFound = () => new ObjectNotFoundError('Object does not exist', { upstreamCode: 2303 });
const ok = <T>(data: T) => ({ data, trid: { client: 'R-1', server: 'S-1' }, code: 1000 });

function fakePort(w: World): RegistryPort {
  const get = <T>(m: Record<string, T> | undefined, k: string) => {
    if (w.fail) throw w.fail;
    const v = m?.[k];
    if (!v) throw notFound();
    return ok(v);
  };
  return {
    name: 'sandbox-nomulus',
    kind: 'epp',
    hasAccount: () => true,
    upstreamId: (r: string) => r,
    capabilities: async () => ({ contactIdsAssigned: false }),
    infoDomain: async (_c: unknown, n: string) => get(w.domains, n),
    infoContact: async (_c: unknown, id: string) => get(w.contacts, id),
    infoHost: async (_c: unknown, n: string) => get(w.hosts, n),
    transferDomain: async (_c: unknown, op: string, n: string) => {
      if (op !== 'query') throw new Error('only queries');
      if (w.fail) throw w.fail;
      const t = w.transfers?.[n];
      if (!t) throw new CommandSyntaxError('Object has no transfer history.', { upstreamCode: 2002 });
      return ok(t);
    },
  } as unknown as RegistryPort;
}

/** Records what the reconcile functions do to the gateway's own tables (domain index, poll messages). */
function fakePrisma(poll: Record<string, Date | null> = {}) {
  const index: string[] = [];
  return {
    index,
    prisma: {
      domainIndex: {
        upsert: async ({ create }: { create: { name: string } }) => void index.push(`+${create.name}`),
        deleteMany: async ({ where }: { where: { name: string } }) => void index.push(`-${where.name}`),
      },
      pollMessage: { findFirst: async ({ where }: { where: { id: bigint } }) => (where.id.toString() in poll ? { ackedAt: poll[where.id.toString()] } : null) },
    } as never,
  };
}

function input(operation: string, args: unknown, w: World, over: Partial<ReconcileInput> = {}): ReconcileInput {
  return {
    args: digests.storable(args),
    noted: {},
    since: SINCE,
    port: fakePort(w),
    call: { registrarId: US, idempotencyKey: 'key-1', operation },
    upstreamId: US,
    sentTrid: async () => 'GW-clTRID-1',
    appliedByAnotherRequest: async () => false,
    prisma: fakePrisma().prisma,
    router: null as never,
    registrarId: US,
    registrars: [{ id: 'NewRegistrar' }, { id: 'TheRegistrar' }],
    secrets: digests,
    ...over,
  };
}

const run = (operation: string, args: unknown, w: World, over: Partial<ReconcileInput> = {}) => OPERATIONS[operation]!.reconcile(input(operation, args, w, over));

describe('reconcile: createDomain', () => {
  const args = { name: 'x.tld', period: { value: 1, unit: 'y' }, contacts: [], nameservers: [], authInfo: 'Secret-Pw-1' };
  it('applied: ours, created after the request; the domain index learns it', async () => {
    const { prisma, index } = fakePrisma();
    const v = await run('createDomain', args, { domains: { 'x.tld': domain() } }, { prisma });
    expect(v).toMatchObject({ status: 'applied', result: { name: 'x.tld', code: 1000, trid: { client: 'GW-clTRID-1', server: null } } });
    expect(index).toEqual(['+x.tld']);
  });
  it('not applied: no such domain', async () => expect((await run('createDomain', args, {})).status).toBe('not-applied'));
  it('not applied: sponsored by another registrar', async () =>
    expect((await run('createDomain', args, { domains: { 'x.tld': domain({ sponsor: 'TheRegistrar' }) } })).status).toBe('not-applied'));
  it('not applied: created before the request', async () =>
    expect((await run('createDomain', args, { domains: { 'x.tld': domain({ createdAt: BEFORE }) } })).status).toBe('not-applied'));
  it('not applied: the command log shows another request created it', async () =>
    expect((await run('createDomain', args, { domains: { 'x.tld': domain() } }, { appliedByAnotherRequest: async () => true })).status).toBe('not-applied'));
  it('a failing read propagates (the service turns it into unknown)', async () => {
    const fail = new UpstreamUnavailableError('down', { maybeApplied: false });
    await expect(run('createDomain', args, { fail })).rejects.toBe(fail);
  });
});

describe('reconcile: renewDomain', () => {
  const args = { name: 'x.tld', period: { value: 2, unit: 'y' }, currentExpiry: null };
  const noted = { currentExpiry: '2027-05-01T12:00:05.000Z' };
  it('applied: expiry = curExpDate + period, answered with the new expiry', async () => {
    const v = await run('renewDomain', args, { domains: { 'x.tld': domain({ expiresAt: new Date('2029-05-01T12:00:05Z') }) } }, { noted });
    expect(v).toMatchObject({ status: 'applied', result: { name: 'x.tld', expiresAt: '2029-05-01T12:00:05.000Z', code: 1000 } });
  });
  it('applied, with currentExpiry given by the client (a date) and months', async () => {
    const v = await run('renewDomain', { name: 'x.tld', period: { value: 6, unit: 'm' }, currentExpiry: new Date('2027-05-01') }, { domains: { 'x.tld': domain({ expiresAt: new Date('2027-11-01T12:00:05Z') }) } });
    expect(v.status).toBe('applied');
  });
  it.each([
    ['2028-02-29T10:00:00.000Z', 1, 'y', '2029-02-28T10:00:00.000Z'],
    ['2028-02-29T10:00:00.000Z', 4, 'y', '2032-02-29T10:00:00.000Z'],
    ['2027-01-31T23:00:00.000Z', 1, 'm', '2027-02-28T23:00:00.000Z'],
    ['2027-08-31T00:00:00.000Z', 10, 'y', '2037-08-31T00:00:00.000Z'],
    ['2027-12-31T00:00:00.000Z', 2, 'm', '2028-02-29T00:00:00.000Z'],
  ] as const)('applied: %s + %i%s, the registry shows %s (day of month clamped to the month end)', async (cur, value, unit, shown) => {
    const v = await run('renewDomain', { name: 'x.tld', period: { value, unit }, currentExpiry: null }, { domains: { 'x.tld': domain({ expiresAt: new Date(shown) }) } }, { noted: { currentExpiry: cur } });
    expect(v).toMatchObject({ status: 'applied', result: { expiresAt: shown } });
  });
  it('not applied: expiry unchanged', async () =>
    expect((await run('renewDomain', args, { domains: { 'x.tld': domain() } }, { noted })).status).toBe('not-applied'));
  it('not applied: the renew was never sent (no curExpDate noted)', async () => expect((await run('renewDomain', args, {})).status).toBe('not-applied'));
  it("applied and not applied by the registry's own calendar day (REPP: Europe/Tallinn), a date alone given as currentExpiry", async () => {
    // REPP shows an expiry as its day's midnight in Tallinn (21:00 or 22:00 UTC the day before); the
    // client's `2027-05-02` is 00:00 UTC of that day: the same registry day, not the same UTC one.
    const tallinn = (t: Date) => t.toLocaleDateString('sv-SE', { timeZone: 'Europe/Tallinn' });
    const repp = (w: World) => ({ ...fakePort(w), name: 'sandbox-repp', kind: 'repp', expiryDay: tallinn }) as unknown as RegistryPort;
    const given = { name: 'x.tld', period: { value: 1, unit: 'y' }, currentExpiry: new Date('2027-05-02T00:00:00Z') };
    const renewedWorld = { domains: { 'x.tld': domain({ expiresAt: new Date('2028-05-01T21:00:00Z') }) } };
    expect(await run('renewDomain', given, renewedWorld, { port: repp(renewedWorld) })).toMatchObject({ status: 'applied', result: { expiresAt: '2028-05-01T21:00:00.000Z' } });
    const unchangedWorld = { domains: { 'x.tld': domain({ expiresAt: new Date('2027-05-01T21:00:00Z') }) } };
    expect((await run('renewDomain', given, unchangedWorld, { port: repp(unchangedWorld) })).status).toBe('not-applied');
  });
  it('unknown: expiry is neither (renewed again by someone else)', async () =>
    expect((await run('renewDomain', args, { domains: { 'x.tld': domain({ expiresAt: new Date('2031-05-01T12:00:05Z') }) } }, { noted })).status).toBe('unknown'));
});

describe('reconcile: updateDomain', () => {
  const change = { statuses: [], contacts: [], nameservers: [] };
  const args = {
    name: 'x.tld',
    add: { ...change, statuses: ['clientHold'], nameservers: [{ name: 'ns1.example.net', ipv4: [], ipv6: [] }] },
    remove: { ...change, statuses: ['clientTransferProhibited'] },
    registrant: null,
    authInfo: 'New-Pw-22',
    dnssec: { addDsData: [{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'ab' }], removeDsData: [], addKeyData: [], removeKeyData: [] },
  };
  const done = domain({
    statuses: ['clientHold'],
    nameservers: [{ name: 'NS1.example.net', ipv4: [], ipv6: [] }],
    authInfo: 'New-Pw-22',
    dnssec: { dsData: [{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'AB' }], keyData: [] },
  });
  it('applied: every requested change holds (auth info checked against its stored hash)', async () =>
    expect(await run('updateDomain', args, { domains: { 'x.tld': done } })).toMatchObject({ status: 'applied', result: { name: 'x.tld', code: 1000 } }));
  it('not applied: auth info differs', async () =>
    expect((await run('updateDomain', args, { domains: { 'x.tld': { ...done, authInfo: 'Old-Pw-1' } } })).status).toBe('not-applied'));
  it('not applied: a removed status is still there', async () =>
    expect((await run('updateDomain', args, { domains: { 'x.tld': { ...done, statuses: ['clientHold', 'clientTransferProhibited'] } } })).status).toBe('not-applied'));
  it('not applied: DS record missing', async () =>
    expect((await run('updateDomain', args, { domains: { 'x.tld': { ...done, dnssec: { dsData: [], keyData: [] } } } })).status).toBe('not-applied'));
});

describe('reconcile: deleteDomain', () => {
  it('applied: gone (deleted at once), and dropped from the domain index', async () => {
    const { prisma, index } = fakePrisma();
    expect(await run('deleteDomain', { name: 'x.tld' }, {}, { prisma })).toMatchObject({ status: 'applied', result: { name: 'x.tld', pending: false, code: 1000 } });
    expect(index).toEqual(['-x.tld']);
  });
  it('applied: pending delete (1001)', async () =>
    expect(await run('deleteDomain', { name: 'x.tld' }, { domains: { 'x.tld': domain({ statuses: ['pendingDelete'] }) } })).toMatchObject({ status: 'applied', result: { pending: true, code: 1001 } }));
  it('not applied: still active', async () => expect((await run('deleteDomain', { name: 'x.tld' }, { domains: { 'x.tld': domain() } })).status).toBe('not-applied'));
});

describe('reconcile: restoreDomain', () => {
  it('applied: no longer pending delete and changed since the request', async () =>
    expect((await run('restoreDomain', { name: 'x.tld' }, { domains: { 'x.tld': domain() } })).status).toBe('applied'));
  it('not applied: still pending delete', async () =>
    expect((await run('restoreDomain', { name: 'x.tld' }, { domains: { 'x.tld': domain({ statuses: ['pendingDelete'], rgpStatuses: ['redemptionPeriod'] }) } })).status).toBe('not-applied'));
  it('not applied: not changed since the request', async () =>
    expect((await run('restoreDomain', { name: 'x.tld' }, { domains: { 'x.tld': domain({ updatedAt: BEFORE }) } })).status).toBe('not-applied'));
});

describe('reconcile: transfers', () => {
  const pending: Transfer = { name: 'x.tld', status: 'pending', gainingRegistrar: US, losingRegistrar: 'TheRegistrar', requestedAt: AFTER, actionAt: new Date('2026-05-06T12:00:05Z') };
  const args = { name: 'x.tld', authInfo: 'Their-Pw-1', period: null };
  it('request applied: pending to us since the request (1001, the transfer as stored JSON)', async () =>
    expect(await run('requestTransfer', args, { transfers: { 'x.tld': pending } })).toMatchObject({
      status: 'applied',
      result: { code: 1001, transfer: { name: 'x.tld', status: 'pending', requestedAt: AFTER.toISOString() } },
    }));
  it('request not applied: no transfer history', async () => expect((await run('requestTransfer', args, {})).status).toBe('not-applied'));
  it('request not applied: an older transfer', async () =>
    expect((await run('requestTransfer', args, { transfers: { 'x.tld': { ...pending, requestedAt: BEFORE } } })).status).toBe('not-applied'));
  it('request not applied: to someone else', async () =>
    expect((await run('requestTransfer', args, { transfers: { 'x.tld': { ...pending, gainingRegistrar: 'Other' } } })).status).toBe('not-applied'));

  it('approve applied: clientApproved since the request; the domain index moves the name', async () => {
    const { prisma, index } = fakePrisma();
    const t = { ...pending, gainingRegistrar: 'TheRegistrar', losingRegistrar: US, status: 'clientApproved' as const, actionAt: AFTER };
    expect(await run('approveTransfer', { name: 'x.tld', authInfo: null, period: null }, { transfers: { 'x.tld': t } }, { prisma })).toMatchObject({ status: 'applied', result: { code: 1000 } });
    expect(index).toEqual(['-x.tld', '+x.tld']);
  });
  it('approve not applied: still pending', async () =>
    expect((await run('approveTransfer', { name: 'x.tld' }, { transfers: { 'x.tld': pending } })).status).toBe('not-applied'));
  it('reject applied / cancel not applied when the transfer was rejected', async () => {
    const t = { ...pending, status: 'clientRejected' as const, actionAt: AFTER };
    expect((await run('rejectTransfer', { name: 'x.tld' }, { transfers: { 'x.tld': t } })).status).toBe('applied');
    expect((await run('cancelTransfer', { name: 'x.tld' }, { transfers: { 'x.tld': t } })).status).toBe('not-applied');
  });
  it('cancel applied: clientCancelled since the request', async () =>
    expect((await run('cancelTransfer', { name: 'x.tld' }, { transfers: { 'x.tld': { ...pending, status: 'clientCancelled', actionAt: AFTER } } })).status).toBe('applied'));
});

describe('reconcile: contacts', () => {
  const c: Contact = {
    id: 'c1', statuses: ['ok'], email: 'a@example.net', voice: '+1.5555550100', sponsor: US, createdAt: AFTER, authInfo: 'Contact-Pw-1',
    postalInfo: [{ type: 'int', name: 'Ann', org: null, street: ['1 Main St'], city: 'Town', sp: null, pc: null, cc: 'US' }],
  };
  it('create applied / not applied when older or someone else’s', async () => {
    expect(await run('createContact', { id: 'c1', authInfo: 'Contact-Pw-1', registry: 'r' }, { contacts: { c1: c } })).toMatchObject({ status: 'applied', result: { code: 1000 } });
    expect((await run('createContact', { id: 'c1' }, { contacts: { c1: { ...c, createdAt: BEFORE } } })).status).toBe('not-applied');
    expect((await run('createContact', { id: 'c1' }, { contacts: { c1: { ...c, sponsor: 'TheRegistrar' } } })).status).toBe('not-applied');
    expect((await run('createContact', { id: 'c1' }, {})).status).toBe('not-applied');
  });
  it('update applied when email, postal info and auth info are as requested', async () => {
    const args = { id: 'c1', addStatuses: [], removeStatuses: [], email: 'a@example.net', postalInfo: c.postalInfo, authInfo: 'Contact-Pw-1' };
    expect((await run('updateContact', args, { contacts: { c1: c } })).status).toBe('applied');
    expect((await run('updateContact', { ...args, email: 'b@example.net' }, { contacts: { c1: c } })).status).toBe('not-applied');
    expect((await run('updateContact', { ...args, authInfo: 'Other-Pw-1' }, { contacts: { c1: c } })).status).toBe('not-applied');
  });
  it('update of the disclosure preference applied only when the registry holds exactly the one requested', async () => {
    const args = { id: 'c1', addStatuses: [], removeStatuses: [], disclosure: { flag: true, fields: ['voice', 'email'] } };
    const holding = (disclosure: Contact['disclosure']) => ({ contacts: { c1: { ...c, disclosure } } });
    expect((await run('updateContact', args, holding({ flag: true, fields: ['email', 'voice'] }))).status).toBe('applied');
    expect((await run('updateContact', args, holding(null))).status).toBe('not-applied');
    expect((await run('updateContact', args, holding({ flag: false, fields: ['voice', 'email'] }))).status).toBe('not-applied');
    expect((await run('updateContact', args, holding({ flag: true, fields: ['voice', 'email', 'fax'] }))).status).toBe('not-applied');
  });
  it('delete applied when gone or pending delete; not applied while active', async () => {
    expect((await run('deleteContact', { id: 'c1' }, {})).status).toBe('applied');
    expect(await run('deleteContact', { id: 'c1' }, { contacts: { c1: { ...c, statuses: ['pendingDelete'] } } })).toMatchObject({ status: 'applied', result: { code: 1001 } });
    expect((await run('deleteContact', { id: 'c1' }, { contacts: { c1: c } })).status).toBe('not-applied');
  });
});

describe('reconcile: hosts', () => {
  const h: Host = { name: 'ns1.x.tld', statuses: ['ok'], ipv4: ['192.0.2.1'], ipv6: ['2001:db8::1'], sponsor: US, createdAt: AFTER };
  const upd = { name: 'ns1.x.tld', addIpv4: ['192.0.2.1'], addIpv6: [], removeIpv4: ['192.0.2.9'], removeIpv6: [], addStatuses: [], removeStatuses: [], newName: null };
  it('create applied / not applied', async () => {
    expect((await run('createHost', { name: 'ns1.x.tld' }, { hosts: { 'ns1.x.tld': h } })).status).toBe('applied');
    expect((await run('createHost', { name: 'ns1.x.tld' }, { hosts: { 'ns1.x.tld': { ...h, createdAt: BEFORE } } })).status).toBe('not-applied');
  });
  it('update applied when the addresses are as requested', async () => {
    expect((await run('updateHost', upd, { hosts: { 'ns1.x.tld': h } })).status).toBe('applied');
    expect((await run('updateHost', upd, { hosts: { 'ns1.x.tld': { ...h, ipv4: ['192.0.2.9'] } } })).status).toBe('not-applied');
  });
  it('rename applied only when the new name exists and the old one is gone', async () => {
    const rename = { ...upd, addIpv4: [], removeIpv4: [], newName: 'ns2.x.tld' };
    expect((await run('updateHost', rename, { hosts: { 'ns2.x.tld': { ...h, name: 'ns2.x.tld' } } })).status).toBe('applied');
    expect((await run('updateHost', rename, { hosts: { 'ns1.x.tld': h, 'ns2.x.tld': { ...h, name: 'ns2.x.tld' } } })).status).toBe('not-applied');
  });
  it('delete applied when gone; not applied while it exists', async () => {
    expect((await run('deleteHost', { name: 'ns1.x.tld' }, {})).status).toBe('applied');
    expect((await run('deleteHost', { name: 'ns1.x.tld' }, { hosts: { 'ns1.x.tld': h } })).status).toBe('not-applied');
  });
});

describe('reconcile: ackPollMessage (gateway-local)', () => {
  it('applied when the stored message is acknowledged, with the result the resolver stores', async () => {
    const { prisma } = fakePrisma({ '7': AFTER, '8': null });
    expect(await run('ackPollMessage', { id: '7' }, {}, { prisma, port: null })).toMatchObject({
      status: 'applied',
      result: { trid: { client: 'gateway-ack-7' }, code: 1000, message: null },
    });
    expect((await run('ackPollMessage', { id: '8' }, {}, { prisma, port: null })).status).toBe('not-applied');
    expect((await run('ackPollMessage', { id: '9' }, {}, { prisma, port: null })).status).toBe('not-applied');
  });
});

describe('reconcile: cancelBulkJob (gateway-local)', () => {
  it('applied when the job is cancelled, with the job and its counts as found (the answer every replay gives); not applied otherwise (cancelling again is the retry)', async () => {
    const at = new Date('2026-12-01T10:00:00Z');
    const jobs: Record<string, Record<string, unknown>> = { j1: { id: 'j1', kind: 'RENEW', state: 'CANCELLED', total: 3, createdAt: at, finishedAt: null }, j2: { id: 'j2', state: 'RUNNING' } };
    const counts = [{ state: 'RUNNING', n: 1 }, { state: 'CANCELLED', n: 2 }];
    const prisma = { bulkJob: { findFirst: async ({ where }: any) => jobs[where.id] ?? null }, $queryRawUnsafe: async () => counts } as any;
    expect(await run('cancelBulkJob', { id: 'j1' }, {}, { prisma, port: null })).toMatchObject({
      status: 'applied',
      result: { trid: { client: 'gateway-cancel-j1' }, code: 1000, message: null, job: { id: 'j1', state: 'CANCELLED', total: 3, finishedAt: null, counts: { running: 1, cancelled: 2, done: 0 } } },
    });
    expect((await run('cancelBulkJob', { id: 'j2' }, {}, { prisma, port: null })).status).toBe('not-applied');
    expect((await run('cancelBulkJob', { id: 'j3' }, {}, { prisma, port: null })).status).toBe('not-applied');
  });
});

describe('every mutation has a reconcile function', () => {
  it('one per Mutation field of the schema, apart from bulk submissions (their own key, one transaction)', async () => {
    const { buildGatewaySchema } = await import('../../../schema/build.js');
    const mutations = Object.keys((await buildGatewaySchema()).getMutationType()!.getFields()).sort();
    expect([...Object.keys(OPERATIONS), ...BULK_SUBMISSIONS].sort()).toEqual(mutations);
  });
});
