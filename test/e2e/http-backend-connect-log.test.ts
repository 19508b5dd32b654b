/**
 * An HTTP backend (REPP, Joker DMAPI, HeadlessDomains) that cannot be reached told the API client
 * the class of cause ("connection refused") and the operator nothing: the host, port and OS error
 * were kept only in the error's `cause`, and no logger reached src/backends/http-exchange.ts. Now
 * each failed exchange writes one warn line "registry connection failed" with the backend's name,
 * host, port and OS error code, and never the request's credentials (REPP password, Joker API key,
 * HeadlessDomains token).
 */
import net from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setSandboxToken } from '../../src/backends/headless/config.js';
import type { BackendConfig } from '../../src/config.types.js';
import { noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';

const SECRETS = { repp: 'repp-Pa55word-7x', joker: 'joker-ApiKey-93kq', headless: 'headless-Token-51zz' };
let gw: TestGateway;
let closedPort: number;
const lines: Array<Record<string, unknown>> = [];
const raw: string[] = [];

beforeAll(async () => {
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedPort = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve())); // nothing listens there now
  const sink = new Writable({ write: (c: Buffer, _e, cb) => (raw.push(String(c)), lines.push(JSON.parse(String(c)) as Record<string, unknown>), cb()) });
  gw = await startTestGateway({
    logger: pino({ level: 'info' }, sink),
    configure: (c) => {
      noBackgroundWork(c);
      const url = `https://127.0.0.1:${closedPort}`;
      const headlessAccount = { channelId: 'chan-1' };
      setSandboxToken(headlessAccount, SECRETS.headless);
      c.backends.push(
        { name: 'down-repp', kind: 'repp', url, accounts: { NewRegistrar: { username: 'u', password: SECRETS.repp } }, retry: { budgetMs: 1, maxAttempts: 1 } } as BackendConfig,
        { name: 'down-joker', kind: 'joker', url, accounts: { NewRegistrar: { uid: 'x', password: SECRETS.joker } } } as BackendConfig,
        { name: 'down-headless', kind: 'headless', url, accounts: { NewRegistrar: headlessAccount } } as BackendConfig,
      );
      c.routes.push({ suffix: 'downrepp', backend: 'down-repp' }, { suffix: 'downjoker', backend: 'down-joker' }, { suffix: 'downheadless', backend: 'down-headless' });
    },
  });
}, 120_000);
afterAll(async () => {
  await gw?.close();
});

const CHECK = 'query($names: [String!]!) { checkDomains(names: $names) { name available } }';

for (const [tld, backend] of [['downrepp', 'down-repp'], ['downjoker', 'down-joker'], ['downheadless', 'down-headless']] as const) {
  it(`${backend}: the client gets the class of cause; the log gets one line with backend, host:port and ECONNREFUSED, no secret`, async () => {
    const before = lines.length;
    const r = await gw.gql(gw.keys.NewRegistrar!, CHECK, { names: [`a.${tld}`] });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', registry: backend });
    expect(JSON.stringify(r)).not.toContain(`${closedPort}`);
    const logged = lines.slice(before).filter((l) => l.msg === 'registry connection failed');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 40, backend, host: '127.0.0.1', port: closedPort, code: 'ECONNREFUSED', cause: 'connection refused', sent: false });
  });
}

it('no credential reaches the log', () => {
  const all = raw.join('');
  for (const s of Object.values(SECRETS)) expect(all).not.toContain(s);
  expect(all).not.toContain(Buffer.from(`u:${SECRETS.repp}`).toString('base64'));
});
