/**
 * Internal details reached API clients: a session that could not be opened answered
 * UPSTREAM_UNAVAILABLE with the raw error ("EPP session to x could not be opened: cannot connect
 * to 127.0.0.1:47700: connection error: self-signed certificate"; a missing CA file's path). Now
 * the client gets the backend and a short class of cause with the stable code, and the EPP detail
 * (host, port, OS/TLS error) goes to the log only; the HTTP backends (REPP here; Joker and
 * HeadlessDomains share src/backends/http-exchange.ts) say the class of cause, not host and port.
 */
import net from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BackendConfig } from '../../src/config.types.js';
import { ScriptedEppServer } from '../helpers/epp-tls-server.js';
import { noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let server: ScriptedEppServer;
let gw: TestGateway;
let closedPort: number;
let eppPort: number;
const lines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  server = new ScriptedEppServer({});
  eppPort = (await server.start()).port;
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedPort = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve())); // nothing listens there now
  const sink = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(JSON.parse(String(c)) as Record<string, unknown>), cb()) });
  gw = await startTestGateway({
    logger: pino({ level: 'info' }, sink),
    configure: (c) => {
      noBackgroundWork(c);
      // The registry's certificate is self-signed and no tls.ca is given: verification fails.
      c.backends.push({ name: 'selfsigned-epp', kind: 'epp', host: '127.0.0.1', port: eppPort, tls: { servername: 'localhost' }, accounts: { NewRegistrar: { clientId: 'NewRegistrar', password: 'foo-BAR2' } }, poolSize: 1, keepAliveMs: 0 } as BackendConfig);
      c.backends.push({ name: 'down-repp', kind: 'repp', url: `https://127.0.0.1:${closedPort}`, accounts: { NewRegistrar: { username: 'u', password: 'p-ssw0rd' } }, retry: { budgetMs: 1, maxAttempts: 1 } } as BackendConfig);
      c.routes.push({ suffix: 'selfsigned', backend: 'selfsigned-epp' }, { suffix: 'downrepp', backend: 'down-repp' });
    },
  });
}, 120_000);
afterAll(async () => {
  await gw?.close();
  await server?.stop();
});

const CHECK = 'query($names: [String!]!) { checkDomains(names: $names) { name available } }';

it('EPP: the backend and "TLS certificate verification failed", no host, port or raw error; those in the log', async () => {
  const r = await gw.gql(gw.keys.NewRegistrar!, CHECK, { names: ['a.selfsigned'] });
  const e = r.errors?.[0];
  expect(e?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', registry: 'selfsigned-epp' });
  expect(e?.message).toBe('could not open a session to backend selfsigned-epp (TLS certificate verification failed)');
  expect(JSON.stringify(r)).not.toMatch(/127\.0\.0\.1|self[- ]signed|cannot connect/);
  const logged = lines.filter((l) => l.msg === 'epp session could not be opened' && l.backend === 'selfsigned-epp');
  expect(logged.length).toBeGreaterThan(0);
  expect(String(logged[0]!.detail)).toContain(`127.0.0.1:${eppPort}`);
  expect(String(logged[0]!.detail)).toMatch(/self[- ]signed certificate/);
});

it('REPP: the class of cause ("connection refused"), not the host and port', async () => {
  const r = await gw.gql(gw.keys.NewRegistrar!, CHECK, { names: ['a.downrepp'] });
  const e = r.errors?.[0];
  expect(e?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', registry: 'down-repp' });
  expect(e?.message).toContain('connection refused');
  expect(JSON.stringify(r)).not.toContain(`${closedPort}`);
  expect(JSON.stringify(r)).not.toContain('ECONNREFUSED');
});
