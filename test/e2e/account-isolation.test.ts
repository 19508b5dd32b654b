/**
 * One account's failure stays its own (issue 8, item 4): with NewRegistrar's password wrong (as
 * GATEWAY_SANDBOX_NOMULUS_NEWREGISTRAR_PASSWORD set wrong would make it), TheRegistrar reads its
 * capabilities, creates and renews on .tld as usual; NewRegistrar gets
 * UPSTREAM_AUTHENTICATION_ERROR for its own account; no answer to either names the other's login.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { apiKeys, configFor, startInProcessGateway, startSharedSandbox, type InProcessGateway, type SharedSandbox } from '../helpers/processes.js';

const CAPS = '{ viewer { accounts { registry upstreamId capabilities { contacts hostObjects dnssec restore } } } }';
const CREATE = 'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Isolated-Pw-1" }) { name replayed } }';
const RENEW = 'mutation($k: String!, $n: String!) { renewDomain(idempotencyKey: $k, input: { name: $n, period: { value: 1, unit: YEARS } }) { name expiresAt } }';

describe('a wrong password fails its own account only', () => {
  let db: TestDatabase;
  let sandbox: SharedSandbox;
  let gw: InProcessGateway;
  let keys: Record<string, string>;

  beforeAll(async () => {
    db = await freshDatabase();
    sandbox = await startSharedSandbox({ name: 'sandbox-nomulus', profile: 'nomulus' });
    const config = configFor([sandbox]);
    config.backends[0]!.accounts['NewRegistrar']!.password = 'not-the-password';
    gw = await startInProcessGateway(config, db.prisma);
    keys = await apiKeys(db.prisma, config);
  });
  afterAll(async () => {
    await gw?.close();
    await sandbox?.stop();
    await db?.close();
  });

  it('the other registrar reads its capabilities, creates and renews; its answers never name the failing login', async () => {
    const the = keys['TheRegistrar']!;
    const caps = await gw.gql(the, CAPS);
    expect(caps.errors).toBeUndefined();
    expect(caps.data.viewer.accounts).toEqual([{ registry: 'sandbox-nomulus', upstreamId: 'TheRegistrar', capabilities: { contacts: false, hostObjects: true, dnssec: true, restore: true } }]);
    const name = `isolated-${Date.now().toString(36)}.tld`;
    const created = await gw.gql(the, CREATE, { k: `c-${name}`, n: name });
    expect(created.errors).toBeUndefined();
    expect(created.data.createDomain).toEqual({ name, replayed: false });
    const renewed = await gw.gql(the, RENEW, { k: `r-${name}`, n: name });
    expect(renewed.errors).toBeUndefined();
    expect(sandbox.sandbox.applied('domain:create')).toBe(1);
    expect(sandbox.sandbox.applied('domain:renew')).toBe(1);
    expect(JSON.stringify([caps, created, renewed])).not.toContain('NewRegistrar');
  });

  it("the failing registrar gets UPSTREAM_AUTHENTICATION_ERROR for its own account, naming no other login", async () => {
    const neu = keys['NewRegistrar']!;
    const caps = await gw.gql(neu, CAPS);
    expect(caps.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_AUTHENTICATION_ERROR', registry: 'sandbox-nomulus', upstreamCode: 2200 });
    const create = await gw.gql(neu, CREATE, { k: 'neu-create', n: 'refused-login.tld' });
    expect(create.errors?.[0]?.extensions?.code).toBe('UPSTREAM_AUTHENTICATION_ERROR');
    expect(JSON.stringify([caps, create])).not.toMatch(/TheRegistrar|not-the-password/);
    // Its key was not spent on an answer the registry never gave: once the password is right, it sends.
    expect(await db.prisma.idempotencyRecord.count({ where: { registrarId: 'NewRegistrar' } })).toBe(0);
  });
});
