/**
 * Sessions the registry no longer honours, and accounts that fail on their own, over real TLS
 * sockets against the scripted server: a login the registry ended (2002 on a live connection) is
 * replaced by a fresh login and the command sent again once (it was not processed); a command
 * whose session closed before it was written is reported as not sent; one account's refused
 * login never fails another account's calls, nor names its login.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { EppBackend, type EppBackendOptions, type EppCommandEvent } from '../../../../src/backends/epp/index.js';
import type { EppBackendConfig } from '../../../../src/config.types.js';
import { CommandSyntaxError, UpstreamAuthenticationError, UpstreamUnavailableError } from '../../../../src/core/errors.js';
import { ScriptedEppServer, URIS, type Received, type Reply, type ScriptedServerOptions } from '../../../helpers/epp-tls-server.js';

const acme = { registrarId: 'acme' }; // NewRegistrar
const rival = { registrarId: 'rival' }; // TheRegistrar
const ACCOUNTS = { NewRegistrar: 'foo-BAR2', TheRegistrar: 'password2' };

let server: ScriptedEppServer | null = null;
let backend: EppBackend | null = null;

afterEach(async () => {
  await backend?.close();
  await server?.stop();
  backend = null;
  server = null;
});

async function setup(serverOpts: ScriptedServerOptions, config: Partial<EppBackendConfig> = {}, opts: EppBackendOptions = {}) {
  server = new ScriptedEppServer({ accounts: ACCOUNTS, ...serverOpts });
  const { host, port, ca } = await server.start();
  backend = new EppBackend(
    {
      name: 'scripted',
      kind: 'epp',
      host,
      port,
      tls: { ca, servername: 'localhost' },
      accounts: { acme: { clientId: 'NewRegistrar', password: ACCOUNTS.NewRegistrar }, rival: { clientId: 'TheRegistrar', password: ACCOUNTS.TheRegistrar } },
      poolSize: 1,
      commandTimeoutMs: 5_000,
      keepAliveMs: 0,
      ...config,
    },
    { clTRIDPrefix: 'T', ...opts },
  );
  return { server, backend };
}

const available = (r: Received): Reply => ({
  code: 1000,
  resData: { 'domain:chkData': { '@xmlns:domain': URIS.domain, 'domain:cd': { 'domain:name': { '#text': String(r.doc['epp']['command']['check']['domain:check']['domain:name']), '@avail': '1' } } } },
});
const renewed: Reply = { code: 1000, resData: { 'domain:renData': { '@xmlns:domain': URIS.domain, 'domain:name': 'x.tld', 'domain:exDate': '2028-01-01T00:00:00.0Z' } } };
const renewInput = { name: 'x.tld', currentExpiry: new Date('2027-01-01T00:00:00Z'), period: { value: 1, unit: 'y' as const } };
/** Answers `reply` to the `n`th command named `command` (1-based), `normal` to the rest. */
function nth(command: string, n: number[], reply: Reply, normal: (r: Received) => Reply) {
  let seen = 0;
  return (r: Received): Reply => (r.command === command && n.includes(++seen) ? reply : normal(r));
}
const byCommand = (r: Received): Reply => (r.command === 'domain:check' ? available(r) : r.command === 'domain:renew' ? renewed : { code: 1000 });
const ENDED: Reply = { code: 2002, msg: 'Command use error; registrar is not logged in', endLogin: true };

describe('a login the registry ended', () => {
  test('a read on the live session: the session is replaced by a fresh login and the read answered', async () => {
    const events: EppCommandEvent[] = [];
    const { server, backend } = await setup({ handler: nth('domain:check', [2], ENDED, byCommand) }, {}, { onCommand: (e) => events.push(e) });
    await backend.checkDomains(acme, ['a.tld']);
    expect((await backend.checkDomains(acme, ['b.tld'])).data[0]).toMatchObject({ name: 'b.tld', available: true });
    // Later commands go over the new login too (the old connection is gone).
    expect((await backend.checkDomains(acme, ['c.tld'])).data[0]!.name).toBe('c.tld');
    expect(server.commands('login')).toHaveLength(2);
    await vi.waitFor(() => expect(server.openConnections).toBe(1));
    expect(events.map((e) => [e.objectName, e.code])).toEqual([['a.tld', 1000], ['b.tld', 2002], ['b.tld', 1000], ['c.tld', 1000]]);
    expect(new Set(events.map((e) => e.clTRID)).size).toBe(4); // each attempt has its own transaction id
  });

  test('the server answers the bare standard text: also replaced when the session had served before', async () => {
    // After endLogin the scripted server answers "Command use error" (no reason) to every command.
    let checks = 0;
    const { server, backend } = await setup({ handler: (r) => (r.command === 'domain:check' && ++checks === 2 ? { ...(available(r) as object), code: 1000, endLogin: true } : byCommand(r)) });
    await backend.checkDomains(acme, ['a.tld']);
    await backend.checkDomains(acme, ['b.tld']); // answered 1000, then the login ends
    expect((await backend.checkDomains(acme, ['c.tld'])).data[0]!.name).toBe('c.tld');
    expect(server.commands('login')).toHaveLength(2);
  });

  test('a mutation: announced and sent again once on the fresh login, applied once', async () => {
    const announced: string[] = [];
    const events: EppCommandEvent[] = [];
    const { server, backend } = await setup(
      { handler: nth('domain:renew', [1], ENDED, byCommand) },
      {},
      { onCommandStart: async (e) => void announced.push(e.clTRID), onCommand: (e) => events.push(e) },
    );
    await backend.checkDomains(acme, ['warm.tld']);
    const r = await backend.renewDomain({ ...acme, idempotencyKey: 'k1', operation: 'renewDomain' }, renewInput);
    expect(r.code).toBe(1000);
    expect(server.commands('domain:renew')).toHaveLength(2);
    const renews = events.filter((e) => e.command === 'domain:renew');
    expect(renews.map((e) => [e.code, e.errorCode, e.sent])).toEqual([[2002, 'UPSTREAM_UNAVAILABLE', undefined], [1000, undefined, undefined]]);
    expect(announced).toEqual(renews.map((e) => e.clTRID));
  });

  test('refused as not logged in again on the fresh login: UpstreamUnavailableError, nothing applied (not the 2002 as an answer)', async () => {
    const { server, backend } = await setup({ handler: nth('domain:renew', [1, 2], ENDED, byCommand) });
    await backend.checkDomains(acme, ['warm.tld']);
    const err = await backend.renewDomain(acme, renewInput).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ maybeApplied: false, details: { upstreamCode: 2002, retryable: true } });
    expect(server.commands('domain:renew')).toHaveLength(2);
    expect((await backend.renewDomain(acme, renewInput)).code).toBe(1000);
  });

  test('a 2002 with a reason, or the bare text on a fresh session, is an answer: no new login', async () => {
    const { server, backend } = await setup({
      handler: (r) =>
        r.command === 'domain:check' && String(r.doc['epp']['command']['check']['domain:check']['domain:name']).startsWith('bare')
          ? { code: 2002, msg: 'Command use error' }
          : r.command === 'domain:check'
            ? { code: 2002, msg: 'Service extension(s) must be declared at login.' }
            : { code: 1000 },
    });
    await expect(backend.checkDomains(acme, ['bare.tld'])).rejects.toBeInstanceOf(CommandSyntaxError);
    await expect(backend.checkDomains(acme, ['ext.tld'])).rejects.toMatchObject({ code: 'UPSTREAM_REJECTED_INPUT', details: { upstreamCode: 2002 } });
    expect(server.commands('login')).toHaveLength(1);
  });
});

describe('a session closed before the command was written', () => {
  test('reported as not sent, then sent once over a fresh login', async () => {
    const events: EppCommandEvent[] = [];
    let first = true;
    const { server, backend } = await setup(
      { handler: byCommand },
      {},
      {
        onCommand: (e) => events.push(e),
        // The registry closes the idle connection while the command is being announced.
        onCommandStart: async () => {
          if (!first) return;
          first = false;
          server!.dropAll();
          await vi.waitFor(() => expect(backend!.driver['pools'].get('acme')!.openSessions).toHaveLength(0));
        },
      },
    );
    await backend.checkDomains(acme, ['warm.tld']);
    expect((await backend.renewDomain({ ...acme, idempotencyKey: 'k2', operation: 'renewDomain' }, renewInput)).code).toBe(1000);
    const renews = events.filter((e) => e.command === 'domain:renew');
    expect(renews.map((e) => [e.code, e.sent, e.maybeApplied])).toEqual([[undefined, false, false], [1000, undefined, undefined]]);
    expect(server.commands('domain:renew')).toHaveLength(1);
  });
});

describe('each account fails on its own', () => {
  test("a wrong password fails that account's capabilities and commands only; no error names the other login", async () => {
    const { server, backend } = await setup({ handler: byCommand, accounts: { NewRegistrar: 'changed-pw', TheRegistrar: ACCOUNTS.TheRegistrar } });
    const bad = await backend.capabilities(acme).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(UpstreamAuthenticationError);
    expect(await backend.capabilities(rival)).toMatchObject({ contacts: true, hostObjects: true });
    expect((await backend.checkDomains(rival, ['ok.tld'])).data[0]!.available).toBe(true);
    expect((await backend.renewDomain(rival, renewInput)).code).toBe(1000);
    const again = await backend.checkDomains(acme, ['no.tld']).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(UpstreamAuthenticationError);
    for (const e of [bad, again]) expect(JSON.stringify(e) + String(e)).not.toMatch(/TheRegistrar|password2|changed-pw|foo-BAR2/);
    expect(server.commands('login').map((l) => l.doc['epp']['command']['login']['clID'])).toEqual(['NewRegistrar', 'TheRegistrar', 'NewRegistrar']);
  });

  test.each([
    [2502, 'Session limit exceeded; server closing connection', UpstreamUnavailableError],
    [2307, 'Unimplemented object service', UpstreamUnavailableError],
    [2501, 'Authentication error; server closing connection', UpstreamAuthenticationError],
  ])('a login refused with %i sends nothing and is never an answer to the command', async (code, msg, cls) => {
    const { server, backend } = await setup({ handler: byCommand, loginAnswer: (id) => (id === 'NewRegistrar' ? { code, msg } : null) });
    const err = await backend.renewDomain(acme, renewInput).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(cls);
    expect(err).toMatchObject({ details: { upstreamCode: code } });
    if (cls === UpstreamUnavailableError) expect(err).toMatchObject({ maybeApplied: false });
    expect(server.commands('domain:renew')).toHaveLength(0);
    expect((await backend.renewDomain(rival, renewInput)).code).toBe(1000);
  });

  test("a refused login is a warning naming the backend and clientId, once until a login of that account succeeds (then an info line); never the password (an operator's trial found nothing at the default level)", async () => {
    const lines: Array<[string, Record<string, unknown>, string]> = [];
    const logger = Object.fromEntries((['debug', 'info', 'warn', 'error'] as const).map((level) => [level, (o: object, m?: string) => void lines.push([level, o as Record<string, unknown>, m ?? ''])]));
    let refusals = 2; // the registry refuses the account's first two logins, then takes it (the password corrected upstream)
    const { backend } = await setup({ handler: byCommand, loginAnswer: (id) => (id === 'NewRegistrar' && refusals-- > 0 ? { code: 2200, msg: 'Authentication error' } : null) }, {}, { logger: logger as never });
    for (let i = 0; i < 2; i++) expect(await backend.checkDomains(acme, ['a.tld']).catch((e: unknown) => e)).toBeInstanceOf(UpstreamAuthenticationError);
    expect((await backend.checkDomains(acme, ['a.tld'])).data[0]!.available).toBe(true);
    const about = lines.filter(([, , m]) => /epp login/.test(m));
    expect(about.map(([level, o, m]) => [level, m, o.backend, o.clientId, o.upstreamCode])).toEqual([
      ['warn', "epp login refused by the registry: check this account's clientId and password (backends[].accounts); logged again once a login succeeds", 'scripted', 'NewRegistrar', 2200],
      ['info', 'epp login accepted again', 'scripted', 'NewRegistrar', undefined],
    ]);
    expect(JSON.stringify(lines)).not.toContain(ACCOUNTS.NewRegistrar);
  });
});
