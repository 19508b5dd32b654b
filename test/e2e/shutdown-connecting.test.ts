/**
 * A stop does not wait for a registry that does not let a session open. At a stop, the sessions
 * still opening (a registry that accepts the TCP connection and never completes TLS, or never
 * answers the login) waited for their connectTimeoutMs (10 s by default; a login, the longer of it
 * and commandTimeoutMs) before the process could exit. Now they are given up with the commands
 * held after the drain (UPSTREAM_STOP_GRACE_MS): nothing was sent on them, so nothing is counted
 * as in doubt.
 *
 * Both registries here hold for ever and the timeouts are ten minutes, far past the test's: the
 * stop completing at all is what shows the sessions were given up.
 */
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BackendConfig } from '../../src/config.types.js';
import { ScriptedEppServer } from '../helpers/epp-tls-server.js';
import { noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { capturedLog } from '../helpers/log-sink.js';

const log = capturedLog();

let t: TestGateway;
let closed = false;
/** Accepts TCP connections and never writes a byte (no TLS handshake, no greeting). */
const silent = net.createServer();
const accepted = new Set<net.Socket>();
let connected: () => void;
const connectSeen = new Promise<void>((r) => (connected = r));
let loginSeenResolve: () => void;
const loginSeen = new Promise<void>((r) => (loginSeenResolve = r));
/** Completes TLS and greets, then never answers the login. */
const mute = new ScriptedEppServer({
  loginAnswer: () => {
    loginSeenResolve();
    return 'hang';
  },
});

beforeAll(async () => {
  silent.on('connection', (s) => {
    accepted.add(s);
    connected();
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentPort = (silent.address() as net.AddressInfo).port;
  const { host, port, ca } = await mute.start();
  const held = { poolSize: 1, keepAliveMs: 0, connectTimeoutMs: 600_000, commandTimeoutMs: 600_000, accounts: { NewRegistrar: { clientId: 'NewRegistrar', password: 'foo-BAR2' } } };
  t = await startTestGateway({
    logger: log.logger,
    configure: (c) => {
      noBackgroundWork(c);
      c.shutdownDrainMs = 300;
      c.backends.push({ name: 'silent-epp', kind: 'epp', host: '127.0.0.1', port: silentPort, tls: { servername: 'localhost' }, ...held } as BackendConfig);
      c.backends.push({ name: 'mute-epp', kind: 'epp', host, port, tls: { ca, servername: 'localhost' }, ...held } as BackendConfig);
      c.routes.push({ suffix: 'silent', backend: 'silent-epp' }, { suffix: 'mute', backend: 'mute-epp' });
    },
  });
}, 120_000);
afterAll(async () => {
  if (!closed) await t?.close();
  for (const s of accepted) s.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
  await mute.stop();
});

it('sessions still connecting or logging in are given up at the stop: it completes, and none is counted as a command in doubt', async () => {
  const A = t.keys.NewRegistrar!;
  const check = (name: string) =>
    t.gql(A, 'query($n: [String!]!) { checkDomains(names: $n) { name available } }', { n: [name] }).then(
      (r) => ({ answered: r }),
      (err: unknown) => ({ cut: err }),
    );
  const connecting = check('a.silent');
  const loggingIn = check('a.mute');
  // One session is in its TLS handshake, the other waits for its login's answer.
  await Promise.all([connectSeen, loginSeen]);
  await t.close();
  closed = true;
  // The client's requests were cut at the drain, before any answer.
  expect(await connecting).toHaveProperty('cut');
  expect(await loggingIn).toHaveProperty('cut');
  const gaveUp = log.lines.find((l) => l.msg === 'epp session could not be opened' && l.backend === 'silent-epp');
  expect(gaveUp?.detail).toMatch(/the gateway is stopping/);
  expect(log.lines.find((l) => l.msg.startsWith('closing: upstream commands still under way'))).toBeUndefined();
}, 120_000);
