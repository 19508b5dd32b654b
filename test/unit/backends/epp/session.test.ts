/**
 * EPP sessions over real TLS sockets against a scripted server: framing, login, pool, failures;
 * each case with the sockets in the EPP I/O thread (the default) and in the calling thread (ioThread false).
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { EppBackend, type EppBackendOptions, type EppCommandEvent } from '../../../../src/backends/epp/index.js';
import type { EppBackendConfig } from '../../../../src/config.types.js';
import {
  ForbiddenError,
  ObjectExistsError,
  UnsupportedByBackendError,
  UpstreamAuthenticationError,
  UpstreamUnavailableError,
} from '../../../../src/core/errors.js';
import { ScriptedEppServer, URIS, scriptedBackendConfig, type ScriptedServerOptions } from '../../../helpers/epp-tls-server.js';

const ctx = { registrarId: 'acme' };
const PASSWORD = 'foo-BAR2';

let server: ScriptedEppServer | null = null;
let backend: EppBackend | null = null;
/** The backend's ioThread for the cases under way (set by the describe.each below). */
let ioThread = true;

afterEach(async () => {
  await backend?.close();
  await server?.stop();
  backend = null;
  server = null;
});

async function setup(
  serverOpts: ScriptedServerOptions = {},
  config: Partial<EppBackendConfig> = {},
  onCommand?: (e: EppCommandEvent) => void,
  logs?: unknown[],
  backendOpts: EppBackendOptions = {},
): Promise<{ server: ScriptedEppServer; backend: EppBackend }> {
  server = new ScriptedEppServer(serverOpts);
  const { host, port, ca } = await server.start();
  const record = (o: object, m?: string) => logs?.push([o, m]);
  backend = new EppBackend(
    scriptedBackendConfig({ host, port, ca }, { poolSize: 2, commandTimeoutMs: 5_000, keepAliveMs: 60_000, ioThread, ...config }),
    { onCommand, logger: { debug: record, info: record, warn: record, error: record }, clTRIDPrefix: 'T', ...backendOpts },
  );
  return { server, backend };
}

const chkData = (name: string) => ({
  'domain:chkData': { '@xmlns:domain': URIS.domain, 'domain:cd': { 'domain:name': { '#text': name, '@avail': '1' } } },
});
const checkHandler: ScriptedServerOptions['handler'] = async (r) => {
  await new Promise((res) => setTimeout(res, 5));
  const name = r.doc['epp']['command']['check']['domain:check']['domain:name'];
  return { code: 1000, resData: chkData(String(name)) };
};

describe.each([true, false])('EPP session over TLS (ioThread %s)', (threaded) => {
  beforeEach(() => {
    ioThread = threaded;
  });
  test('greeting -> login with the understood services -> command', async () => {
    const { server, backend } = await setup({ handler: checkHandler, extURIs: [URIS.secDNS, URIS.rgp, URIS.fee] });
    const res = await backend.checkDomains(ctx, ['example.tld']);
    expect(res.data).toEqual([{ name: 'example.tld', available: true, reason: null }]);
    expect(res.code).toBe(1000);
    expect(res.trid.client).toMatch(/^T-/);
    expect(res.trid.server).toMatch(/^SV-/);
    const [loginCmd] = server.commands('login');
    const login = loginCmd!.doc['epp']['command']['login'];
    expect(login.clID).toBe('NewRegistrar');
    expect(login.svcs.objURI).toEqual([URIS.host, URIS.domain, URIS.contact]);
    // fee-0.6 is offered but not understood, so it is not asked for.
    expect(login.svcs.svcExtension.extURI).toEqual([URIS.secDNS, URIS.rgp]);
    expect(server.commands().map((c) => c.command)).toEqual(['login', 'domain:check']);
    expect(await backend.capabilities(ctx)).toMatchObject({ contacts: true, dnssec: true, restore: true, hostObjects: true });
  });

  test('responses split into small chunks (partial frames) are reassembled', async () => {
    const { backend } = await setup({ handler: checkHandler, chunkSize: 7 });
    const res = await backend.checkDomains(ctx, ['partial.tld']);
    expect(res.data[0]!.name).toBe('partial.tld');
  });

  test('pool of 2: many concurrent commands, never two in flight on one session', async () => {
    const { server, backend } = await setup({ handler: checkHandler }, { poolSize: 2 });
    const names = Array.from({ length: 12 }, (_, i) => `n${i}.tld`);
    const results = await Promise.all(names.map((n) => backend.checkDomains(ctx, [n])));
    expect(results.map((r) => r.data[0]!.name)).toEqual(names);
    expect(server.maxInFlightPerConnection).toBe(1);
    expect(server.connectionsOpened).toBe(2);
    expect(server.commands('login')).toHaveLength(2);
    const clTRIDs = server.commands('domain:check').map((c) => c.clTRID);
    expect(new Set(clTRIDs).size).toBe(12);
  });

  test('bounded wait queue: one more caller than the queue holds is refused without sending', async () => {
    const { server, backend } = await setup({ handler: checkHandler }, { poolSize: 1 }, undefined, undefined, { maxQueue: 1 });
    const settled = await Promise.allSettled([1, 2, 3].map((i) => backend.checkDomains(ctx, [`q${i}.tld`])));
    const rejected = settled.filter((s) => s.status === 'rejected') as PromiseRejectedResult[];
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(UpstreamUnavailableError);
    expect(rejected[0]!.reason.maybeApplied).toBe(false);
    expect(server.commands('domain:check')).toHaveLength(2);
  });

  test('timeout: session destroyed, UpstreamUnavailableError(maybeApplied true), next command re-logs in', async () => {
    const { server, backend } = await setup(
      { handler: (r) => (r.command === 'domain:delete' ? 'hang' : checkHandler(r)) },
      { commandTimeoutMs: 300, poolSize: 1 },
    );
    const err = await backend.deleteDomain(ctx, 'slow.tld').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', maybeApplied: true });
    await vi.waitFor(() => expect(server.openConnections).toBe(0));
    const res = await backend.checkDomains(ctx, ['after.tld']);
    expect(res.data[0]!.name).toBe('after.tld');
    expect(server.commands('login')).toHaveLength(2);
  });

  test('timeout: counted for each command from when it is sent, whatever the commands before it on the session', async () => {
    const { backend } = await setup(
      {
        handler: async (r) => {
          const slow = JSON.stringify(r.doc).includes('slow.tld');
          if (slow) await new Promise((res) => setTimeout(res, 1_500));
          return checkHandler(r);
        },
      },
      { commandTimeoutMs: 3_000, poolSize: 1 },
    );
    await backend.checkDomains(ctx, ['first.tld']);
    await new Promise((res) => setTimeout(res, 2_000));
    // Answered 1.5 s after it was sent: within its own 3 s (1.5 s to spare on a loaded machine),
    // though 3.5 s after the first command's, whose deadline would have fired 1 s into this one.
    const res = await backend.checkDomains(ctx, ['slow.tld']);
    expect(res.data[0]!.name).toBe('slow.tld');
  });

  test('connection failure before writing: UpstreamUnavailableError(maybeApplied false)', async () => {
    const { server, backend } = await setup({ handler: checkHandler });
    await server.stop();
    const err = await backend.checkDomains(ctx, ['x.tld']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ maybeApplied: false });
  });

  test('server drops the connection: the next command logs in again and succeeds', async () => {
    const { server, backend } = await setup({ handler: checkHandler }, { poolSize: 1 });
    await backend.checkDomains(ctx, ['one.tld']);
    server.dropAll();
    await vi.waitFor(() => expect(server.openConnections).toBe(0));
    const res = await backend.checkDomains(ctx, ['two.tld']);
    expect(res.data[0]!.name).toBe('two.tld');
    expect(server.commands('login')).toHaveLength(2);
  });

  test('server drops the connection while a command is in flight: maybeApplied true', async () => {
    const { backend } = await setup({ handler: (r) => (r.command === 'domain:renew' ? 'drop' : checkHandler(r)) });
    const err = await backend
      .renewDomain(ctx, { name: 'x.tld', currentExpiry: new Date('2027-01-01T00:00:00Z'), period: { value: 1, unit: 'y' } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', maybeApplied: true });
  });

  test('keep-alive: an idle session sends <hello/> and stays usable', async () => {
    const { server, backend } = await setup({ handler: checkHandler }, { keepAliveMs: 40, poolSize: 1 });
    await backend.checkDomains(ctx, ['a.tld']);
    await vi.waitFor(() => expect(server.commands('hello').length).toBeGreaterThanOrEqual(1), { timeout: 5_000 });
    const res = await backend.checkDomains(ctx, ['b.tld']);
    expect(res.data[0]!.name).toBe('b.tld');
    expect(server.commands('login')).toHaveLength(1);
    expect(server.maxInFlightPerConnection).toBe(1);
  });

  test("keep-alive: a greeting that offers other services logs the session out, and capabilities and the next login follow it", async () => {
    const offer: ScriptedServerOptions = { handler: checkHandler, extURIs: [URIS.rgp] };
    const { server, backend } = await setup(offer, { keepAliveMs: 40, poolSize: 1 });
    await backend.checkDomains(ctx, ['a.tld']);
    expect(await backend.capabilities(ctx)).toMatchObject({ dnssec: false });
    // The registry now offers secDNS: the next keep-alive's greeting says so.
    offer.extURIs = [URIS.rgp, URIS.secDNS];
    await vi.waitFor(async () => expect(await backend.capabilities(ctx)).toMatchObject({ dnssec: true }), { timeout: 5_000 });
    await vi.waitFor(() => expect(server.commands('logout')).toHaveLength(1), { timeout: 5_000 });
    await backend.checkDomains(ctx, ['b.tld']);
    const logins = server.commands('login');
    expect(logins).toHaveLength(2);
    expect(logins[1]!.doc['epp']['command']['login'].svcs.svcExtension.extURI).toEqual([URIS.rgp, URIS.secDNS]);
  });

  test('prepare: logs in the sessions coming commands need, at most the pool size, and the commands then log in no more', async () => {
    const { server, backend } = await setup({ handler: checkHandler }, { poolSize: 3 });
    await backend.prepare('acme', 5);
    expect(server.commands().map((c) => c.command)).toEqual(['login', 'login', 'login']);
    expect(server.connectionsOpened).toBe(3);
    await backend.prepare('acme', 2); // already open: nothing more
    const names = ['p1.tld', 'p2.tld', 'p3.tld', 'p4.tld', 'p5.tld', 'p6.tld'];
    expect((await Promise.all(names.map((n) => backend.checkDomains(ctx, [n])))).map((r) => r.data[0]!.name)).toEqual(names);
    expect(server.commands('login')).toHaveLength(3);
    expect(server.connectionsOpened).toBe(3);
    expect(server.maxInFlightPerConnection).toBe(1);
  });

  test('prepare: nothing for a registrar without an account here; a refused login is left to the commands, which report it', async () => {
    const { server, backend } = await setup({ handler: checkHandler, accounts: { NewRegistrar: 'other-pw' } });
    await backend.prepare('nobody', 2);
    expect(server.connectionsOpened).toBe(0);
    await expect(backend.prepare('acme', 2)).resolves.toBeUndefined();
    expect(server.commands('login')).toHaveLength(2);
    const err = await backend.checkDomains(ctx, ['a.tld']).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UPSTREAM_AUTHENTICATION_ERROR', details: { upstreamCode: 2200 } });
    expect(server.commands('domain:check')).toHaveLength(0);
  });

  test('close() logs out every session', async () => {
    const { server, backend: b } = await setup({ handler: checkHandler });
    await Promise.all([b.checkDomains(ctx, ['a.tld']), b.checkDomains(ctx, ['b.tld'])]);
    await b.close();
    expect(server.commands('logout')).toHaveLength(server.commands('login').length);
    await vi.waitFor(() => expect(server.openConnections).toBe(0));
  });

  test('login refused: UpstreamAuthenticationError without the password in it', async () => {
    const { backend } = await setup({ accounts: { NewRegistrar: 'other-pw' } });
    const err = await backend.checkDomains(ctx, ['a.tld']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamAuthenticationError);
    expect(err).toMatchObject({ code: 'UPSTREAM_AUTHENTICATION_ERROR', details: { upstreamCode: 2200 } });
    expect(JSON.stringify(err) + String(err)).not.toContain(PASSWORD);
  });

  test('result codes map to errors with the upstream code and message; echoed secrets are masked', async () => {
    const { backend } = await setup({
      handler: (r) => (r.command === 'domain:create' ? { code: 2302, msg: 'Object exists; authInfo s3cretAuth9 rejected' } : { code: 1000 }),
    });
    const err = await backend
      .createDomain(ctx, { name: 'taken.tld', period: { value: 1, unit: 'y' }, contacts: [], nameservers: [], authInfo: 's3cretAuth9' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectExistsError);
    expect(err).toMatchObject({ code: 'OBJECT_EXISTS', details: { upstreamCode: 2302, backend: 'scripted' } });
    expect((err as Error).message).not.toContain('s3cretAuth9');
    expect((err as ObjectExistsError).details.upstreamMessage).toContain('Object exists');
  });

  test('unsupported capability and unknown registrar fail before anything is sent', async () => {
    const { server, backend } = await setup({ objURIs: [URIS.host, URIS.domain], extURIs: [] });
    const input = { id: 'c1', postalInfo: [{ type: 'int' as const, name: 'A', street: [], city: 'B', cc: 'DE' }], email: 'a@b.de', authInfo: 'pw123456' };
    await expect(backend.createContact(ctx, input)).rejects.toBeInstanceOf(UnsupportedByBackendError);
    await expect(backend.restoreDomain(ctx, 'x.tld')).rejects.toBeInstanceOf(UnsupportedByBackendError);
    await expect(
      backend.createDomain(ctx, { name: 'x.tld', period: { value: 1, unit: 'y' }, contacts: [], nameservers: [], authInfo: 'pw123456', dnssec: { dsData: [{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'AA' }], keyData: [] } }),
    ).rejects.toBeInstanceOf(UnsupportedByBackendError);
    await expect(
      backend.createDomain(ctx, { name: 'x.tld', period: { value: 1, unit: 'y' }, registrant: 'c1', contacts: [], nameservers: [], authInfo: 'pw123456' }),
    ).rejects.toBeInstanceOf(UnsupportedByBackendError);
    await expect(backend.balance(ctx)).rejects.toBeInstanceOf(UnsupportedByBackendError);
    expect(server.commands().map((c) => c.command)).toEqual(['login']);
    await expect(backend.checkDomains({ registrarId: 'nobody' }, ['a.tld'])).rejects.toBeInstanceOf(ForbiddenError);
    expect(() => backend.upstreamId('nobody')).toThrow(ForbiddenError);
    expect(backend.upstreamId('acme')).toBe('NewRegistrar');
    expect(server.commands().map((c) => c.command)).toEqual(['login']);
  });

  test('onCommand events and logs never carry secrets', async () => {
    const events: EppCommandEvent[] = [];
    const logs: unknown[] = [];
    const { backend } = await setup(
      {
        // The server echoes the authInfo it was sent in its error message.
        handler: (r) => {
          if (r.command === 'domain:check') return checkHandler(r);
          const verb = r.command.split(':')[1]!;
          const pw = r.doc['epp']['command'][verb][r.command]['domain:authInfo']['domain:pw'];
          return { code: 2201, msg: `Authorization error (${pw})` };
        },
      },
      {},
      (e) => events.push(e),
      logs,
    );
    await backend.checkDomains({ registrarId: 'acme', idempotencyKey: 'k1', operation: 'checkDomains' }, ['a.tld']);
    await backend.infoDomain(ctx, 'a.tld', 'authS3cret77').catch(() => undefined);
    await backend.transferDomain(ctx, 'request', 'a.tld', { authInfo: 'authS3cret88' }).catch(() => undefined);
    expect(events.map((e) => e.command)).toEqual(['domain:check', 'domain:info', 'domain:transfer:request']);
    expect(events[0]).toMatchObject({ registrarId: 'acme', clientId: 'NewRegistrar', objectName: 'a.tld', code: 1000, idempotencyKey: 'k1', operation: 'checkDomains' });
    expect(events[0]!.svTRID).toMatch(/^SV-/);
    expect(typeof events[0]!.durationMs).toBe('number');
    expect(events[1]).toMatchObject({ code: 2201, errorCode: 'AUTHORIZATION_ERROR' });
    const dump = JSON.stringify(events) + JSON.stringify(logs);
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [PASSWORD, 'authS3cret77', 'authS3cret88']) expect(dump).not.toContain(secret);
  });
});
