/**
 * Documents and operations too big to serve are refused before anything runs, with
 * QUERY_TOO_COMPLEX naming the limit, over HTTP and graphql-ws alike (issue 8, items 1 and 3).
 */
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HeadlessSandbox } from '../../src/sandbox/headless/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { wsOnce } from '../helpers/ws.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => (c.poll.enabled = false) });
});
afterAll(() => t?.close());

/** The issue's input: 26 fragments, each spreading the next twice; 1,028 bytes, 2^25 paths. */
export function fragmentBomb(levels = 26): string {
  const lines = ['query { ...F0 }'];
  for (let i = 0; i < levels - 1; i++) lines.push(`fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  lines.push(`fragment F${levels - 1} on Query { viewer { id } }`);
  return lines.join('\n');
}

const both = async (query: string, variables?: Record<string, unknown>) => {
  const key = t.keys.NewRegistrar!;
  return { http: await t.gql(key, query, variables), ws: await wsOnce(t.gateway.wsUrl, key, query, variables) };
};

describe('document limits', () => {
  it('refuses the fragment bomb (2^25 copies of one field) over HTTP and graphql-ws, without running it', async () => {
    const before = await t.upstreamCommands();
    const { http, ws } = await both(fragmentBomb());
    expect(http.status).toBe(400);
    expect(http.data).toBeUndefined();
    expect(http.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxFields', max: 20000 });
    expect(http.errors?.[0]?.message).toContain('expands to more than 20000 fields');
    expect(ws.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxFields', max: 20000 });
    expect(await t.upstreamCommands()).toBe(before);
  });

  it('serves the introspection query graphql-js writes (15 levels deep)', async () => {
    const { http, ws } = await both(getIntrospectionQuery());
    expect(http.errors).toBeUndefined();
    expect(http.data.__schema.queryType.name).toBe('Query');
    expect(ws.errors).toBeUndefined();
  });

  it('refuses more aliases than limits.maxAliases (default 50)', async () => {
    const query = `{ ${Array.from({ length: 51 }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`;
    const { http, ws } = await both(query);
    expect(http.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxAliases' });
    expect(ws.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxAliases' });
    const fifty = await t.gql(t.keys.NewRegistrar!, `{ ${Array.from({ length: 50 }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`);
    expect(fifty.errors).toBeUndefined();
  });

  it('refuses more directives than limits.maxDirectives (default 50)', async () => {
    // 52 directives on 26 fields (more than 30 of one name at one place would be maxSameNameFields).
    const query = `{ viewer { ${Array.from({ length: 26 }, () => 'id @include(if: true) @skip(if: false)').join(' ')} } }`;
    const { http, ws } = await both(query);
    expect(http.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxDirectives' });
    expect(ws.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxDirectives' });
  });

  it('stops parsing past limits.maxTokens (default 2,000): the 2 MB request of 1,000 aliases is refused, nothing sent upstream', async () => {
    const before = await t.upstreamCommands();
    const query = `query($n: String!) { ${Array.from({ length: 1000 }, (_, i) => `d${i}: domain(name: $n) { name }`).join(' ')} }`;
    const { http, ws } = await both(query, { n: `${'a'.repeat(1_900_000)}.example` });
    expect(http.status).toBe(400);
    expect(http.errors).toHaveLength(1);
    expect(http.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxTokens', max: 2000 });
    expect(ws.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxTokens' });
    expect(JSON.stringify(http).length).toBeLessThan(1000);
    expect(await t.upstreamCommands()).toBe(before);
  });
});

describe('comments', () => {
  it('counts comments against limits.maxTokens before parsing (graphql-js keeps a token for each), over HTTP and graphql-ws; a # in a string is no comment', async () => {
    const over = `{ viewer { id } }\n${'# a comment\n'.repeat(2001)}`;
    const { http, ws } = await both(over);
    expect(http.status).toBe(400);
    expect(http.errors).toHaveLength(1);
    expect(http.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxTokens', max: 2000 });
    expect(http.errors?.[0]?.message).toBe('the document has more than 2000 comments (limits.maxTokens counts them, as tokens); nothing was parsed');
    expect(ws.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxTokens', max: 2000 });

    // 2,000 comments, and 5,000 # in a string and 5,000 in a block string: served.
    const within = `{ viewer { id } a: __type(name: "${'#'.repeat(5000)}") { name } b: __type(name: """${'#\\"""'.repeat(2500)}""") { name } }\n${'#\n'.repeat(2000)}`;
    const served = await both(within);
    expect(served.http.errors).toBeUndefined();
    expect(served.http.data).toEqual({ viewer: { id: 'NewRegistrar' }, a: null, b: null });
    expect(served.ws.errors).toBeUndefined();
    expect(served.ws.data).toEqual({ viewer: { id: 'NewRegistrar' }, a: null, b: null });
  });
});

describe('deeply nested variables', () => {
  // Written by hand: JSON.stringify in this process would overflow on them too.
  const deepObject = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
  const deepList = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const body = (query: string, variables: string) => `{"query":${JSON.stringify(query)},"variables":${variables}}`;
  const http = async (raw: string) => {
    const res = await fetch(t.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.keys.NewRegistrar}` }, body: raw });
    return { status: res.status, ...((await res.json()) as { data?: any; errors?: any[] }) };
  };
  /** The subscribe message as raw text over one graphql-ws connection: its first answer, and whether the connection is still open after it. */
  const ws = (id: string, raw: string) =>
    new Promise<{ answer: any; open: boolean }>((resolve, reject) => {
      const socket = new WebSocket(t.gateway.wsUrl, 'graphql-transport-ws');
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${t.keys.NewRegistrar}` } })));
      socket.on('message', (m) => {
        const msg = JSON.parse(m.toString());
        if (msg.type === 'connection_ack') socket.send(`{"id":"${id}","type":"subscribe","payload":${raw}}`);
        else if (msg.type === 'next' || msg.type === 'error') {
          // A ping after the answer: a pong proves the connection survived the operation.
          socket.once('message', () => (resolve({ answer: msg, open: true }), socket.close()));
          socket.send('{"type":"ping"}');
        }
      });
      socket.on('close', (code) => resolve({ answer: { closed: code }, open: false }));
      socket.on('error', reject);
    });

  it('a variable 100,000 levels deep (600 KB), used or not, is refused before it is parsed: HTTP 400 BAD_REQUEST naming the bound, graphql-ws close 4400', async () => {
    // Before the bound, an unused one was parsed (and ignored, as the spec has it): parsing JSON that
    // deep holds the gateway's thread (1,000,000 levels: 0.6-1.5 s), so it is refused unread.
    const before = await t.upstreamCommands();
    for (const raw of [body('{ viewer { id } }', `{"v":${deepObject}}`), body('query($n: [String!]!) { checkDomains(names: $n) { name } }', `{"n":[${deepList}]}`)]) {
      const h = await http(raw);
      expect(h.status).toBe(400);
      expect(h.errors).toEqual([{ message: 'the request body nests arrays and objects more than 32 levels deep', extensions: { code: 'BAD_REQUEST', limit: 'jsonDepth', max: 32 } }]);
      expect(await ws('1', raw)).toEqual({ answer: { closed: 4400 }, open: false });
    }
    expect(await t.upstreamCommands()).toBe(before);
  });

  it('a list nested where names go, within the bound, is refused as BAD_USER_INPUT naming the argument, over HTTP and graphql-ws', async () => {
    const before = await t.upstreamCommands();
    const raw = body('query($n: [String!]!) { checkDomains(names: $n) { name } }', `{"n":[${'['.repeat(25)}${']'.repeat(25)}]}`);
    const h = await http(raw);
    expect(h.status).toBe(400);
    expect(h.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'names[0]' });
    expect(h.errors?.[0]?.message.length).toBeLessThan(300);
    const w = await ws('2', raw);
    expect(w.answer).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'BAD_USER_INPUT', field: 'names[0]' } }] });
    expect(w.open).toBe(true);
    expect(await t.upstreamCommands()).toBe(before);
  });
});

describe('operation cost', () => {
  it('refuses 30 commandLog(first: 500) aliases (15,000 rows) before reading anything', async () => {
    const query = `{ ${Array.from({ length: 30 }, (_, i) => `c${i}: commandLog(first: 500) { edges { node { id command } } }`).join(' ')} }`;
    const { http, ws } = await both(query);
    expect(http.status).toBe(400);
    expect(http.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxFields' });
    expect(ws.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxFields' });
  });

  it('prices database lists by their rows: 12 command log pages of 500 (with a poll read) and 12 bulk item pages of 1,000 are refused naming the dearest list, nothing read or polled', async () => {
    const before = await t.upstreamCommands();
    const log = (alias: string) => `${alias}: commandLog(first: $n) { edges { node { id command } } }`;
    // 12 x (5 + 500 x 10) + 15 + 500 x 10 = 65,075: 5 points each before, and pollMessages would have polled the registries.
    const pages = await both(`query($n: Int!) { ${Array.from({ length: 12 }, (_, i) => log(`c${i}`)).join(' ')} p: pollMessages(first: $n) { edges { node { id } } } }`, { n: 500 });
    for (const answer of [pages.http, pages.ws]) {
      // pollMessages' page (15 + 5,000) costs more than a command log page (5 + 5,000).
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxCost', field: 'p.first' });
      expect(answer.errors?.[0]?.message).toContain('estimated cost is 65075');
    }
    expect(pages.http.status).toBe(400);
    const items = (alias: string) => `${alias}: bulkJob(id: $id) { items(first: $n) { edges { node { position domainName } } } }`;
    // 12 x (5 + 5 + 1,000 x 5) = 60,120: nothing before.
    const jobs = await both(`query($id: ID!, $n: Int!) { ${Array.from({ length: 12 }, (_, i) => items(`j${i}`)).join(' ')} }`, { id: 'any', n: 1000 });
    for (const answer of [jobs.http, jobs.ws]) expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxCost', field: 'j0.items.first' });
    expect(await t.upstreamCommands()).toBe(before);
    // One page of each is served.
    const one = await t.gql(t.keys.NewRegistrar!, `query($n: Int!) { ${log('c0')} }`, { n: 500 });
    expect(one.errors).toBeUndefined();
  });

  it('names the argument of a list too long for the limit, given in a variable ($first: 2147483647 is domains.first)', async () => {
    const before = await t.upstreamCommands();
    const { http, ws } = await both('query($first: Int!) { viewer { id } domains(first: $first) { edges { node { name } } } }', { first: 2147483647 });
    for (const answer of [http, ws]) {
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxCost', max: 60000, field: 'domains.first' });
      expect(answer.errors?.[0]?.message).toContain('domains.first (2147483647 items)');
    }
    expect(await t.upstreamCommands()).toBe(before);
  });

  it('a list size out of Int range is one error naming the argument (no maxFields beside it), as a literal or a variable, over HTTP and graphql-ws', async () => {
    const before = await t.upstreamCommands();
    const lists = ['commandLog(FIRST) { edges { cursor } }', 'domains(FIRST) { edges { cursor } }', 'pollMessages(FIRST) { edges { cursor } }', 'bulkJob(id: "1") { items(FIRST) { edges { cursor } } }'];
    for (const list of lists) {
      const literal = await both(`{ ${list.replace('FIRST', 'first: 123456789012')} }`);
      expect(literal.http.status).toBe(400);
      for (const answer of [literal.http, literal.ws]) {
        expect(answer.errors).toHaveLength(1);
        expect(answer.errors![0]!.message).toBe('Int cannot represent non 32-bit signed integer value: 123456789012');
        expect(answer.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
      }
      expect(literal.http.errors![0]!.extensions).toMatchObject({ field: 'first' });
      const variable = await both(`query($n: Int) { ${list.replace('FIRST', 'first: $n')} }`, { n: 123456789012 });
      for (const answer of [variable.http, variable.ws]) {
        expect(answer.errors).toHaveLength(1);
        expect(answer.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
        expect(answer.errors![0]!.message).toContain('first: Int cannot represent non 32-bit signed integer value');
      }
      expect(variable.http.errors![0]!.extensions).toMatchObject({ field: 'first' });
    }
    // A literal within Int's range is still counted: maxFields alone.
    const big = await both('{ commandLog(first: 2147483647) { edges { cursor } } }');
    for (const answer of [big.http, big.ws]) {
      expect(answer.errors).toHaveLength(1);
      expect(answer.errors![0]!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxFields' });
    }
    expect(await t.upstreamCommands()).toBe(before);
  });

  it("aliases of an account's status share one upstream GET /status, and each costs a registry read", async () => {
    const hd = t.gateway.sandboxes.sandboxes.get('sandbox-headless') as HeadlessSandbox;
    const query = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: viewer { accounts { registry status { channelId } } }`).join(' ')} }`;
    const sent = hd.traffic('NewRegistrar').requests;
    const r = await t.gql(t.keys.NewRegistrar!, query(50));
    expect(r.errors).toBeUndefined();
    expect(r.data.a49.accounts.find((a: { registry: string }) => a.registry === 'sandbox-headless').status).toEqual({ channelId: 'chn_newregistrar' });
    // 50 requests before (one per alias); capabilities may have needed one more before the first.
    expect(hd.traffic('NewRegistrar').requests - sent).toBe(1);
  });

  it('counts registry fields and list sizes from the variables: two pages of 500 domains reading everything are refused, one is served', async () => {
    const before = await t.upstreamCommands();
    const page = (alias: string) => `${alias}: domains(first: $n) { edges { node { name registrant { email } contacts { contact { email } } nameservers { ipv4 } transfer { status } } } }`;
    // One page costs 5 + 500 x (10 + 10 + 4 x 10 + 4 x 10 + 10) = 55,005: the largest the API offers, within maxCost.
    const big = await both(`query($n: Int!) { ${page('a')} ${page('b')} }`, { n: 500 });
    expect(big.http.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxCost', max: 60000 });
    expect(big.http.errors?.[0]?.message).toMatch(/estimated cost is 110010; the limit is 60000/);
    expect(big.ws.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxCost' });
    expect(await t.upstreamCommands()).toBe(before);
    const one = await t.gql(t.keys.NewRegistrar!, `query($n: Int!) { ${page('a')} }`, { n: 500 });
    expect(one.errors, JSON.stringify(one.errors)).toBeUndefined();
  });
});

describe('fields of one name at one place', () => {
  it('refuses more than maxSameNameFields (30) fields answering under one name at one place, naming it, before graphql-js compares them', async () => {
    const rep = (n: number, x: string) => Array.from({ length: n }, () => x).join(' ');
    // 190 copies (151 ms of validation before), and 30 x 30 through repeated parents ("Validation aborted." before).
    for (const [query, field] of [
      [`{ ${rep(190, 'domains { edges { node { name } } }')} }`, 'domains'],
      [`{ viewer { ${rep(30, `accounts { ${rep(30, 'registry')} }`)} } }`, 'viewer.accounts.registry'],
    ] as const) {
      const { http, ws } = await both(query);
      expect(http.status).toBe(400);
      expect(http.errors).toHaveLength(1);
      expect(http.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxSameNameFields', max: 30, field });
      expect(ws.errors).toHaveLength(1);
      expect(ws.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxSameNameFields', field });
    }
    const thirty = await t.gql(t.keys.NewRegistrar!, `{ viewer { ${rep(30, 'id')} } }`);
    expect(thirty.data).toEqual({ viewer: { id: 'NewRegistrar' } });
  });

  it("graphql-js's own budget running out is QUERY_TOO_COMPLEX naming validationBudget, not a bare \"Validation aborted.\"", async () => {
    const wide = await startTestGateway({ configure: (c) => ((c.poll.enabled = false), (c.limits.maxSameNameFields = 10_000)) });
    try {
      const rep = (n: number, x: string) => Array.from({ length: n }, () => x).join(' ');
      const query = `{ viewer { ${rep(30, `accounts { ${rep(30, 'registry')} }`)} } }`;
      const http = await wide.gql(wide.keys.NewRegistrar!, query);
      const ws = await wsOnce(wide.gateway.wsUrl, wide.keys.NewRegistrar!, query);
      for (const answer of [http, ws]) {
        expect(answer.errors).toHaveLength(1);
        expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'validationBudget', max: 500000 });
      }
      expect(http.status).toBe(400);
    } finally {
      await wide.close();
    }
  });
});

describe('introspection and the rate limit', () => {
  let r: TestGateway;
  beforeAll(async () => {
    // A window of an hour: nothing is given back while the test runs; maxCost within it, as the config check asks.
    r = await startTestGateway({ configure: (c) => ((c.poll.enabled = false), (c.limits.maxCost = 2499), (c.limits.rateLimit = { points: 2500, durationSec: 3600 })) });
  });
  afterAll(() => r?.close());

  it("the schema's introspection costs 1,000 points of the key's budget, over HTTP and graphql-ws; another key is not affected", async () => {
    const key = r.keys.NewRegistrar!;
    expect((await r.gql(key, getIntrospectionQuery())).errors).toBeUndefined();
    expect((await wsOnce(r.gateway.wsUrl, key, getIntrospectionQuery())).errors).toBeUndefined();
    const third = await r.gql(key, getIntrospectionQuery());
    expect(third.status).toBe(429);
    expect(third.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    const aliased = await wsOnce(r.gateway.wsUrl, key, `{ ${Array.from({ length: 50 }, (_, i) => `s${i}: __schema { types { name } }`).join(' ')} }`);
    expect(aliased.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await r.gql(r.keys.TheRegistrar!, '{ viewer { id } }')).data).toEqual({ viewer: { id: 'TheRegistrar' } });
  });

  it("each aliased __type costs 200 points of the key's budget, over HTTP and graphql-ws; another key is not affected", async () => {
    const { createApiKey } = await import('../../src/auth/api-keys.js');
    const key = (await createApiKey(r.gateway.services.prisma, 'NewRegistrar', 'type introspection')).key;
    const other = (await createApiKey(r.gateway.services.prisma, 'NewRegistrar', 'bystander')).key;
    const types = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `t${i}: __type(name: "Domain") { fields { name type { name } } }`).join(' ')} }`;
    // 2,500 points: six aliases over HTTP (1,200) and six over graphql-ws (1,200) are served,
    const http = await r.gql(key, types(6));
    expect(http.errors).toBeUndefined();
    expect(http.data.t5.fields.map((f: { name: string }) => f.name)).toContain('registrant');
    expect((await wsOnce(r.gateway.wsUrl, key, types(6))).errors).toBeUndefined();
    // and one more does not fit (2,400 + 200): refused on both transports, as it was not when __type cost nothing.
    const refused = await r.gql(key, types(1));
    expect(refused.status).toBe(429);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await wsOnce(r.gateway.wsUrl, key, types(1))).errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await r.gql(other, types(6))).errors).toBeUndefined();
  });
});

describe('configured limits', () => {
  let small: TestGateway;
  beforeAll(async () => {
    small = await startTestGateway({ configure: (c) => ((c.poll.enabled = false), (c.limits.maxDepth = 4)) });
  });
  afterAll(() => small?.close());

  it('limits.maxDepth counts field levels, refusing an operation deeper than the limit before running it', async () => {
    const deep = await small.gql(small.keys.NewRegistrar!, '{ domain(name: "example.example") { contacts { contact { postalInfo { name } } } } }');
    expect(deep.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxDepth', max: 4 });
    expect(deep.errors?.[0]?.message).toContain('found 5');
    const ok = await small.gql(small.keys.NewRegistrar!, '{ domain(name: "example.example") { contacts { contact { id } } } }');
    expect(ok.errors).toBeUndefined();
  });
});
