/**
 * What an error quotes of what was sent (README, Errors): at most 32 characters of any value,
 * whoever wrote the message (the gateway's checks, graphql-js's validation and parser, Apollo's and
 * graphql-js's unknown operationName), over HTTP and graphql-ws alike; and nothing at all of a
 * value the request used as a secret anywhere (authInfo, password), whichever argument an error is
 * about: a variable used as a domain name and as an auth code, an auth code sent as a bulk item's
 * name too. The secrets are looked for in every answer and in every log line (logged at trace);
 * a word that merely starts as an auth code does ("transfer" with "Transfer-Code-1") is still shown.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { wsOnce } from '../helpers/ws.js';

type Answer = { status?: number; data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };

describe('error quotes', () => {
  let t: TestGateway;
  let A: string;
  const logLines: string[] = [];
  beforeAll(async () => {
    t = await startTestGateway({ logger: pino({ level: 'trace' }, { write: (l: string) => void logLines.push(l) }), configure: (c) => void (c.poll.enabled = false) });
    A = t.keys.NewRegistrar!;
  });
  afterAll(() => t?.close());

  const post = async (body: Record<string, unknown>): Promise<Answer> => {
    const res = await fetch(t.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${A}` }, body: JSON.stringify(body) });
    return { status: res.status, ...((await res.json()) as object) };
  };
  const both = async (query: string, variables?: Record<string, unknown>, operationName?: string): Promise<Answer[]> => [
    await post({ query, variables, operationName }),
    await wsOnce(t.gateway.wsUrl, A, query, variables, operationName),
  ];

  const L = 'L'.repeat(600);
  /** The longest run of one character in `text`. */
  const longestRun = (text: string, ch: string) => Math.max(0, ...(text.match(new RegExp(`${ch}+`, 'g')) ?? []).map((m) => m.length));

  it.each([
    ['a string literal where an Int goes', `{ domains(first: "${L}") { pageInfo { hasNextPage } } }`, 'first'],
    ['an object literal where a String goes', `{ domain(name: {a: "${L}"}) { name } }`, 'name'],
    ['an enum value that does not exist', `mutation { renewDomain(idempotencyKey: "k", input: {name: "a.example", currentExpiry: "2030-01-01", period: {value: 1, unit: ${L}}}) { name } }`, 'input.period.unit'],
    ['a date-time literal the scalar refuses, spelling it bare', `{ commandLog(filter: {from: "next june ${L}"}) { edges { cursor } } }`, 'filter.from'],
    ['a number literal where a String goes', `{ domain(name: ${'7'.repeat(600)}) { name } }`, 'name'],
  ])('%s is quoted to 32 characters', async (_why, query, field) => {
    for (const r of await both(query)) {
      const e = r.errors![0]!;
      expect(e.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      if (field) expect(e.extensions?.field).toBe(field);
      const ch = query.includes(L) ? 'L' : '7';
      expect(longestRun(e.message, ch)).toBeGreaterThan(20);
      expect(longestRun(e.message, ch)).toBeLessThanOrEqual(32);
      expect(e.message).toContain('…');
      expect(e.message.length).toBeLessThan(250);
    }
  });

  it('a bidirectional override or a zero-width space in a quoted value is written as its \\u escape, over HTTP and graphql-ws', async () => {
    const q = 'query($n: [String!]!) { checkDomains(names: $n) { name } }';
    for (const r of await both(q, { n: ['\u202eelpmaxe\u200b.example'] })) {
      const e = r.errors![0]!;
      expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'names[0]' });
      expect(e.message).toContain('"\\u202eelpmaxe\\u200b.example"');
      expect(e.message).not.toMatch(/[\u202e\u200b]/);
    }
  });

  it("an unknown name is cut to 32 characters; the schema's own longer names stay whole", async () => {
    const r = await post({ query: `{ viewer { accounts { capabilities { transferActions(${'z'.repeat(600)}: 1) } } } }` });
    expect(r.errors![0]!.message).toBe(`Unknown argument "${'z'.repeat(32)}"… on field "RegistryCapabilities.transferActions".`);
  });

  it('a name token the parser quotes is cut to 32 characters', async () => {
    const r = await post({ query: `{ viewer { id } } ${L}` });
    expect(r.errors![0]!.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(longestRun(r.errors![0]!.message, 'L')).toBe(32);
  });

  it('an operationName that names no operation is quoted to 32 characters, over HTTP and graphql-ws', async () => {
    const name = `Op${'O'.repeat(5000)}`;
    for (const query of ['query A { viewer { id } } query B { viewer { id } }', 'query A { viewer { id } }']) {
      const [http, ws] = await both(query, undefined, name);
      expect(http!.errors![0]!.message).toBe(`Unknown operation named "Op${'O'.repeat(30)}"….`);
      // graphql-ws the same message and code as HTTP (it answered its own "Unable to identify operation", BAD_REQUEST).
      expect(ws!.errors![0]!.message).toBe(http!.errors![0]!.message);
      expect(ws!.errors![0]!.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
      expect(http!.errors![0]!.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
    }
  });

  it('a document of several operations without operationName: the same message and code over HTTP and graphql-ws', async () => {
    const [http, ws] = await both('query A { viewer { id } } query B { viewer { id } }');
    for (const r of [http!, ws!]) {
      expect(r.errors).toHaveLength(1);
      expect(r.errors![0]!.message).toBe('Must provide operation name if query contains multiple operations.');
      expect(r.errors![0]!.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
    }
  });

  it("a gateway check's quote is 32 characters too (an unknown TLD)", async () => {
    const r = await post({ query: `{ domain(name: "${'a'.repeat(60)}.${'b'.repeat(60)}") { name } }` });
    expect(r.errors![0]!.extensions?.code).toBe('UNKNOWN_TLD');
    expect(r.errors![0]!.message).toContain(`"${'a'.repeat(32)}"…`);
    expect(longestRun(r.errors![0]!.message, 'a')).toBe(32);
  });

  it("an unknown field in a variable's object is cut to 32 characters, in the message and in extensions.field", async () => {
    const name = `Zq${'x'.repeat(3000)}`;
    const q = 'mutation($i: RenewDomainInput!) { renewDomain(idempotencyKey: "k", input: $i) { name } }';
    for (const r of await both(q, { i: { name: 'a.example', currentExpiry: '2030-01-01', [name]: 1 } })) {
      const e = r.errors![0]!;
      expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: `input.${name.slice(0, 32)}…` });
      expect(longestRun(e.message, 'x')).toBe(30);
      expect(e.message.length).toBeLessThan(250);
    }
  });

  describe('a value used anywhere as a secret is quoted nowhere', () => {
    const secret = `Zq7-${randomUUID().slice(0, 8)}-s3cr3t-${'x'.repeat(30)}`;
    const answers: Answer[] = [];
    const ask = async (query: string, variables?: Record<string, unknown>) => {
      const got = await both(query, variables);
      answers.push(...got);
      return got;
    };
    /** No answer and no log line holds the secret, or its first 8 characters. */
    const nowhere = () => {
      for (const text of [...answers.map((a) => JSON.stringify(a)), ...logLines]) {
        expect(text).not.toContain(secret.slice(0, 8));
      }
    };

    it('a variable used as a domain name and as an auth code: its name check does not quote it', async () => {
      for (const r of await ask(`query($a: String!) { domain(name: $a) { name } transfer(domainName: "x.example", authInfo: $a) { status } }`, { a: secret })) {
        expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
        expect(r.errors![0]!.message).toContain('(a secret: not shown)');
      }
      // The secret use first, the name second: the same.
      for (const r of await ask(`query($a: String!) { transfer(domainName: "x.example", authInfo: $a) { status } domain(name: $a) { name } }`, { a: secret })) {
        expect(r.errors?.some((e) => e.extensions?.field === 'name')).toBe(true);
      }
      nowhere();
    });

    it('a variable of the wrong type used as a domain name first and as an auth code after', async () => {
      const n = Number(`9${secret.replace(/\D/g, '').slice(0, 12).padEnd(12, '7')}`);
      const got = await both(`query($a: String!) { domain(name: $a) { name } transfer(domainName: "x.example", authInfo: $a) { status } }`, { a: n });
      for (const r of got) {
        expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
        expect(r.errors![0]!.message).toBe('name: is not a valid value of its type (a secret: not shown)');
        expect(JSON.stringify(r)).not.toContain(String(n));
      }
      // Used as the secret only inside a fragment: still a secret.
      const viaFragment = await post({ query: `query($a: String!) { domain(name: $a) { name } ...T } fragment T on Query { transfer(domainName: "x.example", authInfo: $a) { status } }`, variables: { a: n } });
      expect(viaFragment.errors?.[0]?.message).toBe('name: is not a valid value of its type (a secret: not shown)');
      for (const line of logLines) expect(line).not.toContain(String(n));
    });

    it("an auth code written as the name of an unknown field of a variable's object: not in the message, nor in extensions.field", async () => {
      const q = 'mutation($i: RenewDomainInput!) { renewDomain(idempotencyKey: "k", input: $i) { name } }';
      // Spelt as a GraphQL name, so that graphql-js names the field (and the path ends in it).
      const named = secret.replace(/[^A-Za-z0-9]/g, '');
      for (const r of await ask(q, { i: { name: 'a.example', [named]: 1, authInfo: named } })) {
        expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.(a secret: not shown)…' }); // cut at 32 characters, then taken out
        expect(r.errors![0]!.message).toContain('(a secret: not shown)');
        expect(JSON.stringify(r)).not.toContain(named.slice(0, 8));
      }
      nowhere();
    });

    it("a variable's default value used as an auth code and written again as a domain name", async () => {
      // The default is the variable's value when the request gives none; the name check sees the same string, lower-cased.
      const q = `query($a: String = "${secret}") { domain(name: "x.example", authInfo: $a) { name } c: checkDomains(names: ["${secret.toLowerCase()}..example"]) { name } }`;
      for (const r of await ask(q)) {
        const e = r.errors?.find((x) => x.extensions?.field === 'names[0]');
        expect(e?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(e!.message).toContain('(a secret: not shown)');
        expect(JSON.stringify(r)).not.toContain(secret.toLowerCase().slice(0, 8));
      }
      nowhere();
    });

    it('a literal auth code written again as a domain name', async () => {
      for (const r of await ask(`{ domain(name: "${secret}") { name } transfer(domainName: "x.example", authInfo: "${secret}") { status } }`)) {
        expect(r.errors?.[0]?.extensions?.field).toBe('name');
      }
      nowhere();
    });

    it("bulkTransfer: an item's auth code given as its name too is not in the error about the name", async () => {
      const bulk = `mutation($k: String!, $d: [BulkTransferItemInput!]!) { bulkTransfer(idempotencyKey: $k, domains: $d) { job { id } } }`;
      for (const r of await ask(bulk, { k: randomUUID(), d: [{ name: 'fine.example', authInfo: 'Other-Code1' }, { name: secret, authInfo: secret }] })) {
        expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'domains[1].name' });
      }
      // Auth codes in another item: the name of one item is another's code.
      for (const r of await ask(bulk, { k: randomUUID(), d: [{ name: 'fine.example', authInfo: secret }, { name: secret, authInfo: 'Other-Code1' }] })) {
        expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'domains[1].name' });
      }
      for (const r of await ask(`mutation($k: String!) { bulkTransfer(idempotencyKey: $k, domains: [{name: "${secret}", authInfo: "${secret}"}]) { job { id } } }`, { k: randomUUID() })) {
        expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'domains[0].name' });
      }
      nowhere();
    });
  });

  it('a word that only starts like the auth code is still shown: "transfer" with the auth code "Transfer-Code-1"', async () => {
    // Refused before anything is sent (REPP takes no transfer period); its message says "transfer".
    const q = 'mutation($k: String!, $a: String!) { requestTransfer(idempotencyKey: $k, domainName: "domain2.ee", authInfo: $a, period: {value: 2, unit: YEARS}) { transfer { status } } }';
    const B = t.keys.TheRegistrar!;
    for (const r of [await t.gql(B, q, { k: randomUUID(), a: 'Transfer-Code-1' }), await wsOnce(t.gateway.wsUrl, B, q, { k: randomUUID(), a: 'Transfer-Code-1' })]) {
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field: 'period' });
      expect(r.errors![0]!.message).toMatch(/does not support a transfer period other than one year/);
      expect(JSON.stringify(r)).not.toContain('(a secret: not shown)');
      expect(JSON.stringify(r).toLowerCase()).not.toContain('transfer-code');
    }
  });
});
