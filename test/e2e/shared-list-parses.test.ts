/**
 * A list argument given through one variable and used by many fields is normalised once per
 * request (src/validation/list-parses.ts), over HTTP and graphql-ws alike: 4 aliases of
 * `checkDomains(names: $n)` over 5,000 IDNs (maxCost admits 8: each answered name costs
 * 1 a field, test/e2e/check-pricing.test.ts) each answer all 5,000 names, with the IDNA checks of
 * 5,000 names, not 20,000; a bad name inside the shared list is refused at every alias, each
 * error at its own alias's path naming `names[3]` (a bulk mutation's list likewise, before anything
 * is written); an inline literal list still answers; and nothing is shared between two requests or
 * two registrars. Counted, never timed: the IDNA checks are counted at idn-hostname's
 * isIdnHostname, which normalizeDomainName calls once for each name that holds a U-label or an A-label.
 */
import { randomUUID } from 'node:crypto';
import idn from 'idn-hostname';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { overBoth } from '../helpers/ws.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: noBackgroundWork });
});
afterAll(() => t?.close());

/** IDNA checks (names with a U-label or A-label normalised) since the spy was made. */
let idnaChecks: ReturnType<typeof vi.spyOn>;
beforeAll(() => {
  idnaChecks = vi.spyOn(idn, 'isIdnHostname');
});
afterEach(() => idnaChecks.mockClear());
afterAll(() => idnaChecks.mockRestore());

const run = randomUUID().slice(0, 6);
/**
 * 5,000 Arabic IDNs two labels below .example: names no registry can hold, which checkDomains
 * answers `available: false` (not registrable) without a check command, so that the aliases
 * cost the IDNA checks and not 5,000 commands.
 */
const IDNS = Array.from({ length: 5000 }, (_, i) => `ب${i}ب${'ت'.repeat(8)}.ث${run.replace(/[^0-9]/g, '')}ث.example`);
/** Their A-labels, as normalizeDomainName gives them (node:url's UTS #46, the conversion it uses). */
const A_LABELS = IDNS.map((n) => new URL(`http://${n}/`).hostname);

const ALIASES = 50;
/** Aliases of a 5,000-name checkDomains: a0 asks 3 fields (16,000 points), the others 1 (6,000 each); maxCost (60,000) admits 8. */
const CHECK_ALIASES = 4;
const aliased = (field: string, selection: string) => Array.from({ length: ALIASES }, (_, i) => `a${i}: ${field} ${selection}`).join('\n  ');
/** a0 asks for each name's availability, the other 3 for the names (a key's budget, 120,000 points per 10 s, pays for this file's requests over both transports). */
const CHECK_4 = `query($n: [String!]!) {\n  a0: checkDomains(names: $n) { name available reason }\n  ${aliased('checkDomains(names: $n)', '{ name }').split('\n').slice(1, CHECK_ALIASES).join('\n')}\n}`;

describe.each(['http', 'ws'] as const)('a list shared by many aliases is normalised once per request, over %s', (transport) => {
  const send = overBoth(() => t, () => t.keys.NewRegistrar!);

  it('4 aliases of checkDomains over one 5,000-IDN variable each answer all 5,000 names, with 5,000 IDNA checks in all', async () => {
    const r = await send[transport](CHECK_4, { n: IDNS });
    expect(r.errors).toBeUndefined();
    expect(Object.keys(r.data)).toHaveLength(CHECK_ALIASES);
    for (let a = 0; a < CHECK_ALIASES; a++) {
      const answers = r.data[`a${a}`] as { name: string }[];
      expect(answers).toHaveLength(5000);
      expect(answers.map((c) => c.name)).toEqual(A_LABELS);
    }
    expect(r.data.a0.every((c: { available: boolean; reason: string }) => c.available === false && c.reason.startsWith('not registrable: '))).toBe(true);
    expect(A_LABELS[4999]).toMatch(/^xn--.*\.xn--.*\.example$/);
    expect(idnaChecks).toHaveBeenCalledTimes(5000);
  }, 30_000); // 20,000 checks answered: the answer's size, not the names' checks

  it('a bad name inside the shared list is refused once, at the alias it is answered for, naming names[3]', async () => {
    const names = IDNS.slice(0, 10);
    names[3] = `ب${'ت'.repeat(6)}abc.example`; // RFC 5893 rule 2: no L in an RTL label
    const query = `query($n: [String!]!) {\n  ${aliased('checkDomains(names: $n)', '{ name }')}\n}`;
    const r = await send[transport](query, { n: names });
    // checkDomains is non-null: graphql-js answers data null with the first refusal (a mutation's pre-pass, below, answers every alias's).
    expect(r.data ?? null).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0].path).toEqual(['a0']);
    expect(r.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'names[3]' });
    expect(r.errors![0].message).toContain('label 1 breaks rule #2');
    expect(idnaChecks).toHaveBeenCalledTimes(4); // names[0..3] once, not once for each of the 50 aliases
  });

  it("a bulk mutation's shared domains are checked once, the bad one refused at every alias before anything is written", async () => {
    const prisma = t.gateway.services.prisma;
    const jobs = await prisma.bulkJob.count();
    const domains = IDNS.slice(0, 100).map((n, i) => (i === 60 ? `ب${'ت'.repeat(6)}abc.example` : n.replace(/\.ث.*ث\./, '.')));
    const query = `mutation($d: [String!]!) {\n  ${Array.from({ length: 10 }, (_, i) => `a${i}: bulkUpdateStatuses(idempotencyKey: "${randomUUID()}", domains: $d, add: [clientHold], remove: []) { job { id } }`).join('\n  ')}\n}`;
    const r = await send[transport](query, { d: domains });
    expect(r.data ?? null).toBeNull();
    expect(r.errors!.map((e) => [e.path, e.extensions?.code, e.extensions?.field])).toEqual(Array.from({ length: 10 }, (_, i) => [[`a${i}`], 'BAD_USER_INPUT', 'domains[60]']));
    expect(idnaChecks).toHaveBeenCalledTimes(61);
    expect(await prisma.bulkJob.count()).toBe(jobs);
  });
});

describe('what is shared and what is not', () => {
  const send = overBoth(() => t, () => t.keys.NewRegistrar!);

  it('inline literal lists answer as before, each alias its own list', async () => {
    const r = await send.http(`{ a: checkDomains(names: ["bücher-${run}.example", "ok-${run}.example"]) { name available } b: checkDomains(names: ["bücher-${run}.example"]) { name available } }`);
    expect(r.errors).toBeUndefined();
    const bucher = new URL(`http://bücher-${run}.example/`).hostname;
    expect(r.data).toEqual({ a: [{ name: bucher, available: true }, { name: `ok-${run}.example`, available: true }], b: [{ name: bucher, available: true }] });
  });

  it("pollMessages aliases over one objects list normalise it once, each answering", async () => {
    const objects = IDNS.slice(0, 20).map((n) => n.replace(/\.ث.*ث\./, '.'));
    const r = await send.ws(`query($o: [String!]) { a: pollMessages(objects: $o) { edges { cursor } } b: pollMessages(objects: $o) { edges { cursor } } c: pollMessages(objects: $o) { edges { cursor } } }`, { o: objects });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ a: { edges: [] }, b: { edges: [] }, c: { edges: [] } });
    expect(idnaChecks).toHaveBeenCalledTimes(20);
  });

  it('two requests, and two registrars, each normalise the list themselves', async () => {
    const names = IDNS.slice(0, 200);
    const query = `query($n: [String!]!) { a: checkDomains(names: $n) { name } b: checkDomains(names: $n) { name } }`;
    const first = await send.http(query, { n: names });
    const again = await send.ws(query, { n: names });
    const other = await t.gql(t.keys.TheRegistrar!, query, { n: names });
    for (const r of [first, again, other]) {
      expect(r.errors).toBeUndefined();
      expect(r.data.a.map((c: { name: string }) => c.name)).toEqual(A_LABELS.slice(0, 200));
      expect(r.data.b).toEqual(r.data.a);
    }
    expect(idnaChecks).toHaveBeenCalledTimes(600);
  });
});
