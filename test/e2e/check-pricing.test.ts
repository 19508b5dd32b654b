/**
 * checkDomains is priced by the answers it gives (src/limits/cost.ts CHECK_FIELD: 1 for each field
 * asked of each name, on top of 10 a check command), over HTTP and graphql-ws alike: 50 aliases of
 * `checkDomains(names: $n)` over one 5,000-name list, which cost 50,000 points and held the event
 * loop for seconds answering 250,000 checks, are refused by cost naming the first alias's list
 * before any command is sent; one checkDomains of limits.maxBatch (5,000) names asking every field
 * is still answered in full, and so is the issue-10 benchmark's 1,000-name check.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { overBoth } from '../helpers/ws.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: noBackgroundWork }); // every command in the log is a request's
});
afterAll(() => t?.close());

const send = overBoth(() => t, () => t.keys.NewRegistrar!);
const run = randomUUID().slice(0, 6);
/** Registrable names at the EPP sandbox: each would go out in a check command. */
const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${run}-${i}.example`);

const FIFTY = `query($n: [String!]!) {\n  ${Array.from({ length: 50 }, (_, i) => `a${i}: checkDomains(names: $n) { name available reason }`).join('\n  ')}\n}`;
const ONE = 'query($n: [String!]!) { checkDomains(names: $n) { __typename name available reason registry } }';

describe.each(['http', 'ws'] as const)('checkDomains is priced by its answers, over %s', (transport) => {
  it('50 aliases over one 5,000-name list are refused QUERY_TOO_COMPLEX naming a0.names, nothing sent', async () => {
    const before = await t.upstreamCommands();
    const r = await send[transport](FIFTY, { n: names(`f${transport}`, 5000) });
    expect(r.data ?? null).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxCost', max: 60_000, field: 'a0.names' });
    expect(r.errors![0].message).toContain('a0.names (5000 items) costs 16000');
    expect(await t.upstreamCommands()).toBe(before);
  });

  it('one checkDomains of 5,000 names asking every field is answered in full, in order', async () => {
    const list = names(`o${transport}`, 5000);
    const before = await t.upstreamCommands();
    const r = await send[transport](ONE, { n: list });
    expect(r.errors).toBeUndefined();
    expect(r.data.checkDomains).toHaveLength(5000);
    expect(r.data.checkDomains.map((c: { name: string }) => c.name)).toEqual(list);
    expect(r.data.checkDomains.every((c: { __typename: string; available: boolean; registry: string }) => c.__typename === 'DomainCheck' && c.available === true && c.registry === 'sandbox-epp')).toBe(true);
    expect(await t.upstreamCommands()).toBe(before + 100); // 50 names a command
  });

  it("the issue-10 benchmark's checkDomains of 1,000 names is answered in full", async () => {
    const list = names(`b${transport}`, 1000);
    const r = await send[transport]('query($n: [String!]!) { checkDomains(names: $n) { name available } }', { n: list });
    expect(r.errors).toBeUndefined();
    expect(r.data.checkDomains.map((c: { name: string }) => c.name)).toEqual(list);
  });
});
