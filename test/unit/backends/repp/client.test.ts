/**
 * The REPP wire client and codec against the REPP sandbox over real sockets: HTTP Basic with the
 * API user, the client certificate over HTTPS, the mapping of every status the document lists to
 * the gateway's errors, retries of 429/503 within the budget (with a fake timer: no waiting), and
 * what a lost or failed answer says about whether a change may have been applied.
 */
import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as balance from '../../../../src/backends/repp/codec/balance.js';
import * as contacts from '../../../../src/backends/repp/codec/contacts.js';
import * as parts from '../../../../src/backends/repp/codec/domain-parts.js';
import * as domains from '../../../../src/backends/repp/codec/domains.js';
import * as notifications from '../../../../src/backends/repp/codec/notifications.js';
import * as transfers from '../../../../src/backends/repp/codec/transfers.js';
import { ReppHttpClient, type ReppEndpoint, type Timer } from '../../../../src/backends/repp/http.js';
import { FakeClock } from '../../../../src/core/clock.js';
import {
  AssociationProhibitsError,
  AuthorizationError,
  GatewayError,
  ObjectNotFoundError,
  UnimplementedError,
  UpstreamAuthenticationError,
  UpstreamFailureError,
  UpstreamUnavailableError,
} from '../../../../src/core/errors.js';
import { ReppSandbox } from '../../../../src/sandbox/repp/index.js';

const clock = new FakeClock('2026-01-01T10:00:00Z');
const sandbox = new ReppSandbox({ clock });
let url: string;

/** A timer whose sleeps only record their length. */
function fakeTimer(): Timer & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
  };
}

const clients: ReppHttpClient[] = [];
function client(who: 'new' | 'the' | Partial<ReppEndpoint> = 'new', timer: Timer = fakeTimer()): ReppHttpClient {
  const creds = who === 'new' ? { username: 'test', password: 'test123' } : who === 'the' ? { username: 'theregistrar', password: 'password2' } : who;
  const c = new ReppHttpClient({ url, username: '', password: '', ...creds }, { backend: 'sandbox-repp', timer });
  clients.push(c);
  return c;
}

/** The error a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<GatewayError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(e)}`);
  return e;
}

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

describe('authentication', () => {
  it('reads the balance with the API user', async () => {
    const a = await client().send(balance.build());
    expect(a.code).toBe(1000);
    expect(balance.parse(a.data).money).toEqual({ amount: '420.0', currency: 'EUR' });
  });
  it('wrong Basic credentials: UPSTREAM_AUTHENTICATION_ERROR, without the password anywhere', async () => {
    const e = await failure(client({ username: 'test', password: 'wrong-secret-pw' }).send(balance.build()));
    expect(e).toBeInstanceOf(UpstreamAuthenticationError);
    expect(e.details).toMatchObject({ upstreamCode: 2202, backend: 'sandbox-repp' });
    expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain('wrong-secret-pw');
  });
  it('an API user without the role: 403, AUTHORIZATION_ERROR', async () => {
    const e = await failure(client({ username: 'test-billing', password: 'billing123' }).send(domains.buildList()));
    expect(e).toBeInstanceOf(AuthorizationError);
  });
});

describe('HTTPS with a client certificate', () => {
  const tls = new ReppSandbox({ clock, tls: { clientCertificate: true } });
  let addr: Awaited<ReturnType<ReppSandbox['start']>>;
  beforeAll(async () => {
    addr = await tls.start();
  });
  afterAll(() => tls.stop());
  it('is accepted with the certificate and refused without it', async () => {
    const base = { url: addr.url, username: 'test', password: 'test123', tls: { ca: addr.ca } };
    const ok = new ReppHttpClient({ ...base, tls: { ...base.tls, cert: addr.clientCert, key: addr.clientKey } });
    const without = new ReppHttpClient(base);
    clients.push(ok, without);
    expect((await ok.send(balance.build())).code).toBe(1000);
    expect(await failure(without.send(balance.build()))).toBeInstanceOf(UpstreamUnavailableError);
  });
});

describe('answers mapped to the gateway errors', () => {
  it('400 with 2305 (contact in use): ASSOCIATION_PROHIBITS_OPERATION', async () => {
    const e = await failure(client().send(contacts.buildDelete('ATSAA:KARL')));
    expect(e).toBeInstanceOf(AssociationProhibitsError);
    expect(e.details).toMatchObject({ upstreamCode: 2305, upstreamMessage: 'Object association prohibits operation [domains]' });
  });
  it('400 with 2202 (wrong transfer code): AUTHORIZATION_ERROR, the code masked', async () => {
    const e = await failure(client().send(transfers.buildTransfer('666.ee', 'not-the-code')));
    expect(e).toBeInstanceOf(AuthorizationError);
    expect(e.details.upstreamCode).toBe(2202);
    expect(sandbox.domain('666.ee')!.registrar).toBe('TheRegistrar');
  });
  it('404: OBJECT_NOT_FOUND; 410 for a deleted domain: OBJECT_NOT_FOUND too', async () => {
    expect(await failure(client().send(domains.buildInfo('puudub.ee')))).toBeInstanceOf(ObjectNotFoundError);
    await client().send(domains.buildDelete('kass.ee', { verified: true }));
    const e = await failure(client().send(domains.buildInfo('kass.ee')));
    expect(e).toBeInstanceOf(ObjectNotFoundError);
    expect(e.details.upstreamMessage).toMatch(/removed/);
  });
  it('405: UNIMPLEMENTED_BY_REGISTRY; 406: UPSTREAM_FAILURE, not retryable', async () => {
    expect(await failure(client().send({ ...balance.build(), method: 'PATCH' }))).toBeInstanceOf(UnimplementedError);
    const e = await failure(client().send({ ...balance.build(), headers: { Accept: 'text/html' } }));
    expect(e).toBeInstanceOf(UpstreamFailureError);
    expect(e.details.retryable).toBe(false);
  });
});

describe('429 and 503', () => {
  it('429 is retried after its Retry-After, and the request then succeeds once', async () => {
    sandbox.faults.next({ route: 'domain:renew', action: 'status', status: 429, retryAfterSeconds: 2 });
    const timer = fakeTimer();
    const exp = domains.parseInfo((await client().send(domains.buildInfo('kass.ee'))).data).domain.expiresAt!;
    const a = await client('new', timer).send(domains.buildRenew({ name: 'kass.ee', currentExpiry: exp, period: { value: 1, unit: 'y' } }));
    expect(a.attempts).toBe(2);
    expect(timer.slept).toEqual([2000]);
    expect(sandbox.applied('domain:renew')).toBe(1);
  });
  it('503 past the budget: UPSTREAM_UNAVAILABLE, retryable, not applied, after back-off delays that fit the budget', async () => {
    for (let i = 0; i < 10; i++) sandbox.faults.next({ route: 'contact:create', action: 'status', status: 503 });
    const timer = fakeTimer();
    const c = new ReppHttpClient({ url, username: 'test', password: 'test123', retry: { budgetMs: 3000, baseDelayMs: 500 } }, { timer });
    clients.push(c);
    const e = await failure(c.send(contacts.buildCreate({ name: 'A B', email: 'a@b.ee', phone: '+372.5550000', ident: { code: '38903110313', type: 'priv', countryCode: 'EE' } })));
    expect(e).toBeInstanceOf(UpstreamUnavailableError);
    expect(e).toMatchObject({ maybeApplied: false, details: { retryable: true } });
    expect(timer.slept).toEqual([500, 1000]); // the next (2000) would end after 3000 ms
    expect(sandbox.applied('contact:create')).toBe(0);
  });
});

describe('lost and failed answers', () => {
  const create = () =>
    domains.buildCreate({ name: 'uus.ee', period: { value: 1, unit: 'y' }, registrant: 'ATSAA:KARL', contacts: [], nameservers: [], authInfo: 'uus-code-123' });
  it('a 500 after the registry applied a change: outcome unknown (maybeApplied), and the domain exists', async () => {
    sandbox.faults.next({ route: 'domain:create', action: 'error-after-apply' });
    const e = await failure(client().send(create()));
    expect(e).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', maybeApplied: true });
    expect(sandbox.domain('uus.ee')).toBeDefined();
  });
  it('a connection dropped after applying: outcome unknown for a change, the transfer code not in the message', async () => {
    sandbox.faults.next({ route: 'domain:create', action: 'drop-after-apply' });
    const e = await failure(client().send(create()));
    expect(e).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', maybeApplied: true });
    expect(e.message).not.toContain('uus-code-123');
  });
  it('a refused connection: not applied, even for a change', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const c = new ReppHttpClient({ url: `http://127.0.0.1:${port}`, username: 'test', password: 'test123' });
    clients.push(c);
    expect(await failure(c.send(create()))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', maybeApplied: false });
  });
  it('no answer within the timeout: outcome unknown for a change', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => void sockets.push(s)); // accepts and never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const c = new ReppHttpClient({ url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, username: 'test', password: 'test123', timeoutMs: 200 });
    clients.push(c);
    expect(await failure(c.send(create()))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', maybeApplied: true });
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
});

describe('codec and sandbox together', () => {
  it('a contact gets its code from the registry and reads back with its ident', async () => {
    const c = client();
    const { id } = contacts.parseCode((await c.send(contacts.buildCreate({ name: 'Mari Maasikas', email: 'mari@example.ee', phone: '+372.5551111', ident: { code: '48001010000', type: 'priv', countryCode: 'EE' } }))).data);
    expect(id).toMatch(/^ATSAA:[0-9A-F]{8}$/);
    const info = contacts.parseInfo((await c.send(contacts.buildInfo(id))).data);
    expect(info.contact).toMatchObject({ id, email: 'mari@example.ee', voice: '+372.5551111', statuses: ['ok'], sponsor: 'New Registrar OÜ' });
    expect(info.ident).toEqual({ code: '48001010000', type: 'priv', countryCode: 'EE' });
    const custom = contacts.parseCode((await c.send(contacts.buildCreate({ id: 'mari2', name: 'Mari', email: 'm@example.ee', phone: '+372.5551112', ident: { code: '1990-01-01', type: 'birthday', countryCode: 'LV' } }))).data);
    expect(custom.id).toBe('ATSAA:MARI2');
    expect(contacts.parseCheck((await c.send(contacts.buildCheck('ATSAA:MARI2'))).data).available).toBe(false);
  });

  it('a domain with name servers and a DNSSEC key reads back; renew takes the expiry as a Tallinn date', async () => {
    const c = client();
    await c.send(
      domains.buildCreate({
        name: 'vahva.ee',
        period: { value: 1, unit: 'y' },
        registrant: 'ATSAA:KARL',
        contacts: [{ role: 'admin', id: 'ATSAA:KARL' }, { role: 'tech', id: 'ATSAA:LIZ' }],
        nameservers: [{ name: 'ns1.vahva.ee', ipv4: ['192.0.2.1'], ipv6: ['2001:db8::1'] }, { name: 'ns2.example.net', ipv4: [], ipv6: [] }],
        dnssec: { dsData: [], keyData: [{ flags: 257, protocol: 3, algorithm: 13, publicKey: 'AwEAAddt2AkLfYGKgiEZB5SmIF8EvrjxNMH6HtxWEA4RJ9Ao6LCWheg8' }] },
        authInfo: 'vahva-code-1',
      }),
    );
    const d = domains.parseInfo((await c.send(domains.buildInfo('vahva.ee'))).data).domain;
    expect(d).toMatchObject({
      registrant: 'ATSAA:KARL',
      contacts: [{ role: 'admin', id: 'ATSAA:KARL' }, { role: 'tech', id: 'ATSAA:LIZ' }],
      nameservers: [{ name: 'ns1.vahva.ee', ipv4: ['192.0.2.1'], ipv6: ['2001:db8::1'] }, { name: 'ns2.example.net', ipv4: [], ipv6: [] }],
      dnssec: { keyData: [{ flags: 257, protocol: 3, algorithm: 13, publicKey: 'AwEAAddt2AkLfYGKgiEZB5SmIF8EvrjxNMH6HtxWEA4RJ9Ao6LCWheg8' }] },
      statuses: ['ok'],
      authInfo: 'vahva-code-1',
      // Registered on 2026-01-01 (Tallinn) for a year: expires at the local midnight ending 2027-01-01.
      expiresAt: new Date('2027-01-02T00:00:00+02:00'),
    });
    // That instant is 2027-01-01 in UTC; renew must send the registry's date, 2027-01-02, or it is refused (2306).
    await c.send(domains.buildRenew({ name: 'vahva.ee', currentExpiry: d.expiresAt!, period: { value: 1, unit: 'y' } }));
    expect(sandbox.domain('vahva.ee')!.expireDate).toBe('2028-01-02');
    await c.send(parts.buildHold('vahva.ee', true));
    expect(sandbox.domain('vahva.ee')!.statuses).toContain('clientHold');
  });

  it('a transfer with the code moves the domain and tells the losing registrar', async () => {
    await client().send(transfers.buildTransfer('666.ee', 'd79d865fdf589a1cd52ae95fde4e5d30'));
    const a = await client('the').send(notifications.buildList());
    const list = notifications.parseList(a.data, a.message, clock.now());
    expect(list.total).toBe(1);
    expect(list.messages[0]).toMatchObject({ object: { kind: 'domain', name: '666.ee' }, text: expect.stringMatching(/^Transfer of domain 666\.ee has been approved/) });
    await client('the').send(notifications.buildMarkRead(list.messages[0].id));
    expect(notifications.parseLatest((await client('the').send(notifications.buildLatest())).data, clock.now())).toBeNull();
  });
});
