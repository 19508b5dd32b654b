/**
 * A HeadlessDomains refusal that echoes what the client sent quotes at most 32 characters of it
 * (README, Errors), in the GraphQL message and in extensions.upstreamMessage alike. The registry
 * names the value it refuses whole ("<domain> is not registered", "no approved namespace listing
 * for \"<namespace>\"", "<domain> is already registered"); the sandbox did the cutting for the
 * gateway, so a 70-character name came back whole from the real API. Here the sandbox answers as
 * a registry does, over its socket, and the gateway's HeadlessDomains adapter cuts the echoes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeadlessSandbox } from '../../src/sandbox/headless/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { expectQuotedAtMost32 } from '../helpers/quotes.js';

/** A name of one 63-character label under .hdtest (70 characters), unique to the test. */
const longName = (tag: string) => `${tag}${randomUUID().replace(/-/g, '')}${'q'.repeat(63)}`.slice(0, 63) + '.hdtest';

/**
 * A namespace routed to HeadlessDomains whose listing the registry withdrew from the registrar's
 * channel (HeadlessSandbox.unlistNamespace): a name one label under it is sent (one deeper under
 * .hdtest alone is refused before anything is sent, test/e2e/unregistrable-operations.test.ts),
 * and the registry refuses it naming the namespace.
 */
const UNLISTED_NAMESPACE = longName('ns');

let t: TestGateway;
let A: string;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      c.routes.push({ suffix: UNLISTED_NAMESPACE, backend: 'sandbox-headless' });
    },
  });
  A = t.keys.NewRegistrar!;
  (t.gateway.sandboxes.sandboxes.get('sandbox-headless') as HeadlessSandbox).unlistNamespace(UNLISTED_NAMESPACE);
}, 60_000);
afterAll(() => t?.close());

/** The error's message and upstreamMessage quote `value` at most 32 characters long: its first 32 and "…", never 33. */
function quotesAtMost32(e: { message: string; extensions?: Record<string, any> } | undefined, value: string) {
  expect(e).toBeDefined();
  for (const text of [e!.message, String(e!.extensions?.upstreamMessage ?? '')]) expectQuotedAtMost32(text, value);
}

describe('HeadlessDomains refusals echoing a long value the client sent', () => {
  it('renewing a name that is not registered (domain_not_found): OBJECT_NOT_FOUND quoting 32 characters of it', async () => {
    const name = longName('nf');
    const r = await t.gql(A, 'mutation($k: String!, $n: String!) { renewDomain(idempotencyKey: $k, input: { name: $n, currentExpiry: "2030-01-01" }) { expiresAt } }', { k: randomUUID(), n: name });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', registry: 'sandbox-headless' });
    expect(r.errors?.[0]?.extensions?.upstreamMessage).toMatch(/^domain_not_found: /);
    quotesAtMost32(r.errors?.[0], name);
  });

  it('a name under a namespace the channel has no listing for: the namespace quoted 32 characters long', async () => {
    const r = await t.gql(A, 'query($n: String!) { domain(name: $n) { name } }', { n: `www.${UNLISTED_NAMESPACE}` });
    expect(r.errors?.[0]?.extensions?.upstreamMessage).toMatch(/^namespace_not_approved: /);
    quotesAtMost32(r.errors?.[0], UNLISTED_NAMESPACE);
  });

  it('creating a name already registered (domain_exists): OBJECT_EXISTS quoting 32 characters of it', async () => {
    const name = longName('ex');
    const create = 'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Echo-pw-12", nameservers: [{ name: "ns1.example.net" }] }) { name } }';
    expect((await t.gql(A, create, { k: randomUUID(), n: name })).errors).toBeUndefined();
    const again = await t.gql(A, create, { k: randomUUID(), n: name });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'OBJECT_EXISTS', registry: 'sandbox-headless' });
    quotesAtMost32(again.errors?.[0], name);
  });
});

describe("an auth code that looks like the registry's name", () => {
  it.each(['headless', 'Headless-Pw-9'])('auth code %j: a refusal still names the registry sandbox-headless, in extensions.registry and the message', async (authInfo) => {
    const r = await t.gql(A, 'mutation($k: String!, $a: String!) { createDomain(idempotencyKey: $k, input: { name: "x.hdtest", authInfo: $a, period: { value: 6, unit: MONTHS } }) { name } }', { k: randomUUID(), a: authInfo });
    const e = r.errors?.[0];
    expect(e?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.period.unit', registry: 'sandbox-headless' });
    expect(e?.message).toContain('"sandbox-headless"');
    expect(e?.message).not.toContain('(a secret: not shown)');
  });
});
