/**
 * DMAPI rules the Joker driver once missed (review defects), over GraphQL against Joker sandboxes
 * over HTTPS that follow the document:
 * - query-whois knows only Joker's registrations ("Only object registered with Joker.Com may be
 *   queried"), so `checkDomains` answers a name it does not know as not known to be available
 *   (`available: false`, reason `unknown: ...`), never as free;
 * - a transfer-in sends autorenew=0: DMAPI's default there is 1 ("If not set explicitly, defaults
 *   to 1"), so a domain moved in was renewed and charged on its own;
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JokerBackendConfig } from '../../src/backends/joker/config.js';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import { keepBackends, noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';

const run = randomUUID().slice(0, 6);

describe('the zero-setup Joker sandbox', () => {
  let t: TestGateway;
  let joker: JokerSandbox;
  let A: string;
  beforeAll(async () => {
    t = await startTestGateway({
      configure: (c) => {
        noBackgroundWork(c);
        keepBackends(c, ['joker'], 'sandbox-joker');
        (c.backends[0] as JokerBackendConfig).sandbox = { domainDelayMs: 0 };
      },
    });
    joker = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
    A = t.keys.NewRegistrar!;
  }, 60_000);
  afterAll(() => t?.close());

  it('checkDomains: a name Joker does not know is not known to be available; a registered one is taken', async () => {
    const free = `nobody-${run}.joker.test`;
    const r = await t.gql(A, 'query($n: [String!]!) { checkDomains(names: $n) { name available reason registry } }', { n: ['alpha.joker.test', free] });
    expect(r.errors).toBeUndefined();
    expect(r.data.checkDomains).toEqual([
      { name: 'alpha.joker.test', available: false, reason: 'registered', registry: 'sandbox-joker' },
      { name: free, available: false, reason: 'unknown: not registered at Joker; DMAPI cannot tell whether another registrar holds it', registry: 'sandbox-joker' },
    ]);
  });

  it('a transferred-in domain is not set to renew on its own', async () => {
    expect(joker.domain('spare.joker.test')!.autorenew).toBe(false);
    const r = await t.gql(A, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "spare.joker.test", authInfo: "Spare-Auth-3") { transfer { status } } }`, { k: randomUUID() });
    expect(r.errors).toBeUndefined();
    expect(joker.domain('spare.joker.test')).toMatchObject({ resellerUid: '100001', autorenew: false });
  });
});

