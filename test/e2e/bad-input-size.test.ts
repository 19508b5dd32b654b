/**
 * An error never echoes an unbounded input: a message quotes at most a short prefix of what was
 * sent, so one request of many aliases over one large invalid value gets a small answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** `count` aliases of `field` in one operation. */
const aliases = (count: number, field: string) => Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ');

describe('errors quote a short prefix of any input', () => {
  let t: TestGateway;
  let A: string;
  beforeAll(async () => {
    // The operation limits (src/limits) refuse 1,000 aliases before anything runs; raised here, so
    // that what is measured is the answer of every field that gets to validate its argument.
    t = await startTestGateway({
      configure: (c) => {
        c.poll.enabled = false;
        Object.assign(c.limits, { maxTokens: 50_000, maxAliases: 1000, maxCost: 1_000_000, maxErrors: 1000, rateLimit: false });
      },
    });
    A = t.keys.NewRegistrar!;
  });
  afterAll(() => t?.close());

  /** The errors of one request, with its raw size; every error BAD_USER_INPUT naming `field`. */
  async function refused(query: string, variables: Record<string, unknown>, field: string) {
    const before = await t.upstreamCommands();
    const res = await fetch(t.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${A}` },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    const body = JSON.parse(text) as { errors: Array<{ message: string; extensions: { code: string; field?: string } }> };
    expect(body.errors.length).toBeGreaterThan(0);
    for (const e of body.errors) {
      expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(e.message.length).toBeLessThan(200);
    }
    expect(await t.upstreamCommands()).toBe(before);
    return { size: text.length, errors: body.errors };
  }

  it.each([
    ['over every bound (1.9 MB)', `${'a'.repeat(1_900_000)}.example`],
    ['under the argument bound, over the name bound (8,000 characters)', `${'☃'.repeat(8_000)}.example`],
    ['short enough for IDNA to look at (900 characters)', `${'☃'.repeat(900)}.example`],
  ])('1,000 aliases of domain(name:) over one invalid name %s answer in a few hundred KB', async (_why, name) => {
    const { size, errors } = await refused(`query($n: String!) { ${aliases(1000, 'domain(name: $n) { name }')} }`, { n: name }, 'name');
    // At most 1,000 errors of a short message each (the transport may cap their number further).
    expect(size).toBeLessThan(errors.length * 400 + 1000);
    expect(JSON.stringify(errors)).not.toContain('☃'.repeat(33));
    expect(JSON.stringify(errors)).not.toContain('a'.repeat(33));
  });

  it.each([
    ['registry', `query($v: String) { ${aliases(100, 'host(name: "ns1.example.example", registry: $v) { name }')} }`, `no-such-registry-${'r'.repeat(5000)}`, 'registry'],
    ['IPv4 address', `mutation($v: String!) { createHost(idempotencyKey: "h1", input: { name: "ns1.example.example", ipv4: [$v] }) { name } }`, `192.0.2.${'1'.repeat(5000)}`, 'input.ipv4[0]'],
    ['IPv6 address', `mutation($v: String!) { createHost(idempotencyKey: "h2", input: { name: "ns1.example.example", ipv6: [$v] }) { name } }`, `2001:db8::${'f'.repeat(5000)}`, 'input.ipv6[0]'],
    ['e-mail', `mutation($v: String!) { createContact(idempotencyKey: "c1", input: { id: "c-echo", postalInfo: [{ name: "N", city: "C", cc: "EE" }], email: $v, authInfo: "G00d-Pw" }) { id } }`, `${'e'.repeat(5000)}@example.com`, 'input.email'],
    ['contact id', `query($v: String!) { ${aliases(100, 'contact(id: $v) { id }')} }`, 'i'.repeat(5000), 'id'],
    ['poll cursor', `query($v: String!) { pollMessages(after: $v) { edges { cursor } } }`, '9'.repeat(5000), 'after'],
    ['domains cursor', `query($v: String!) { domains(after: $v) { edges { cursor } } }`, 'Q'.repeat(5000), 'after'],
  ])('a long %s is quoted by a short prefix at most', async (_what, query, value, field) => {
    const { errors } = await refused(query, { v: value }, field);
    expect(JSON.stringify(errors)).not.toContain(value.slice(0, 200));
  });
});
