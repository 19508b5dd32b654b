/**
 * A value of the wrong shape for the DateTimeISO scalar (README, Errors: dates and times), over
 * HTTP and graphql-ws as a client sends it: a `currentExpiry` (renewDomain, bulkRenew) or a
 * command-log `from` that is an object nested 25 levels deep (deeper JSON is refused before it is
 * parsed, BAD_REQUEST: test/e2e/limits.test.ts), or a small one, a list or a number. Before, graphql-scalars spelt the value with JSON.stringify, which quoted a small object
 * whole and, for the deep one, threw RangeError: the answer read `Expected type "DateTimeISO".
 * Maximum call stack size exceeded`. Now each is BAD_USER_INPUT naming the field and saying what
 * was expected and what kind of value came, never the value; nothing is sent or written, and the
 * gateway goes on answering. The one other scalar that takes any JSON, federation's `_Any`
 * (`_entities(representations:)`), is refused as deep as that by the argument check, naming the
 * place, where it answered INTERNAL_SERVER_ERROR.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let A: string;
beforeAll(async () => {
  t = await startTestGateway({ configure: noBackgroundWork });
  A = t.keys.NewRegistrar!;
});
afterAll(() => t?.close());

/** JSON text of an object nested `n` levels deep, written out as text: JSON.stringify of such an object overflows the test's own stack. */
const deepJson = (n: number) => '{"a":'.repeat(n) + '"2028-12-02"' + '}'.repeat(n);

/** One operation over HTTP with its variables given as JSON text: the status and the answer. */
async function overHttp(query: string, variablesJson: string): Promise<{ status: number; body: any }> {
  const res = await fetch(t.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${A}` },
    body: `{"query":${JSON.stringify(query)},"variables":${variablesJson}}`,
  });
  return { status: res.status, body: await res.json() };
}

/**
 * The first message `ws` receives from now on that `ok` accepts (parsed JSON); rejects when the
 * socket closes or fails first. Call it before sending what it answers, so the answer is not missed.
 */
function received(ws: WebSocket, ok: (m: any) => boolean): Promise<any> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      ws.off('message', onMessage);
      ws.off('close', onClose);
      ws.off('error', onError);
    };
    const onMessage = (d: WebSocket.RawData) => {
      const m = JSON.parse(d.toString());
      if (!ok(m)) return;
      stop();
      resolve(m);
    };
    const onClose = (code: number, reason: Buffer) => {
      stop();
      reject(new Error(`graphql-ws connection closed (${code} ${reason.toString()}) before the message awaited`));
    };
    const onError = (e: Error) => {
      stop();
      reject(e);
    };
    ws.on('message', onMessage).on('close', onClose).on('error', onError);
  });
}

/** The same over graphql-ws (graphql-transport-ws, written by hand for the same reason): the first next or error message's payload. */
async function overWs(query: string, variablesJson: string): Promise<{ status?: number; body: any }> {
  const ws = new WebSocket(t.gateway.wsUrl, 'graphql-transport-ws');
  await new Promise((resolve, reject) => ws.on('open', resolve).on('error', reject));
  try {
    const acked = received(ws, (m) => m.type === 'connection_ack');
    ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${A}` } }));
    await acked;
    const answered = received(ws, (m) => m.type === 'next' || m.type === 'error');
    ws.send(`{"id":"1","type":"subscribe","payload":{"query":${JSON.stringify(query)},"variables":${variablesJson}}}`);
    const m = await answered;
    return { body: m.type === 'error' ? { errors: m.payload } : m.payload };
  } finally {
    ws.close();
  }
}

const RENEW = 'mutation($k: String!, $d: DateTimeISO!) { renewDomain(idempotencyKey: $k, input: { name: "alpha.example", currentExpiry: $d }) { name } }';
const BULK_RENEW = 'mutation($k: String!, $d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: $k, domains: $d) { job { id } } }';
const COMMAND_LOG = 'query($d: DateTimeISO!) { commandLog(filter: { from: $d }) { edges { cursor } } }';

const cases = [
  { what: 'renewDomain currentExpiry, 25 objects deep', query: RENEW, vars: (k: string) => `{"k":"${k}","d":${deepJson(25)}}`, field: 'input.currentExpiry', kind: 'an object' },
  { what: 'bulkRenew domains[0].currentExpiry, 25 objects deep', query: BULK_RENEW, vars: (k: string) => `{"k":"${k}","d":[{"name":"alpha.example","currentExpiry":${deepJson(25)}}]}`, field: 'domains[0].currentExpiry', kind: 'an object' },
  { what: 'commandLog filter.from, 25 objects deep', query: COMMAND_LOG, vars: () => `{"d":${deepJson(25)}}`, field: 'filter.from', kind: 'an object' },
  { what: 'renewDomain currentExpiry, a small object', query: RENEW, vars: (k: string) => `{"k":"${k}","d":{"year":2028,"secret-looking":"S3cr3t-value-1"}}`, field: 'input.currentExpiry', kind: 'an object' },
  { what: 'renewDomain currentExpiry, a list', query: RENEW, vars: (k: string) => `{"k":"${k}","d":["2028-12-02"]}`, field: 'input.currentExpiry', kind: 'a list' },
  { what: 'renewDomain currentExpiry, a number', query: RENEW, vars: (k: string) => `{"k":"${k}","d":20281202}`, field: 'input.currentExpiry', kind: 'a number' },
];

describe.each(['http', 'ws'] as const)('a DateTimeISO variable that is no string, over %s', (transport) => {
  it.each(cases)('$what: BAD_USER_INPUT naming the field, saying what was expected, nothing sent', async (c) => {
    const key = `deep-${randomUUID()}`;
    const before = await t.upstreamCommands();
    const r = transport === 'http' ? await overHttp(c.query, c.vars(key)) : await overWs(c.query, c.vars(key));
    if (transport === 'http') expect(r.status).toBe(400);
    expect(r.body.data ?? null).toBeNull();
    expect(r.body.errors).toHaveLength(1);
    const e = r.body.errors[0];
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: c.field });
    expect(e.message).toBe(`${c.field}: expected an ISO 8601 date-time string (RFC 3339), not ${c.kind}: give a date-time with its offset, such as 2028-12-02T10:15:30Z (only the currentExpiry of a renewal also takes a date alone: 2028-12-02)`);
    expect(e.message).not.toMatch(/stack|Expected type|2028-12-02"|S3cr3t/);
    expect(await t.upstreamCommands()).toBe(before);
    expect(await t.gateway.services.prisma.idempotencyRecord.count({ where: { idempotencyKey: key } })).toBe(0);
    // The gateway goes on answering, on the same transport.
    const ok = transport === 'http' ? await overHttp('{ viewer { id } }', '{}') : await overWs('{ viewer { id } }', '{}');
    expect(ok.body).toEqual({ data: { viewer: { id: 'NewRegistrar' } } });
  });

  it('a long string that is no date: its quote cut to 32 characters, the example whole (the message was cut at 200 characters, in the middle of it)', async () => {
    const r = transport === 'http' ? await overHttp(RENEW, `{"k":"k-${randomUUID()}","d":"2028-13-45T00:00:00.000+02:00 and then some more"}`) : await overWs(RENEW, `{"k":"k-${randomUUID()}","d":"2028-13-45T00:00:00.000+02:00 and then some more"}`);
    expect(r.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.currentExpiry' });
    expect(r.body.errors[0].message).toBe(
      'input.currentExpiry: DateTime cannot represent an invalid date-time-string "2028-13-45T00:00:00.000+02:00 an"…: give a date-time with its offset, such as 2028-12-02T10:15:30Z (only the currentExpiry of a renewal also takes a date alone: 2028-12-02)',
    );
  });

  it('a literal of the wrong shape in the document says the same, naming the field', async () => {
    const query = 'mutation { renewDomain(idempotencyKey: "k", input: { name: "alpha.example", currentExpiry: { year: 2028 } }) { name } }';
    const r = transport === 'http' ? await overHttp(query, '{}') : await overWs(query, '{}');
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors[0].message).toMatch(/^(input\.currentExpiry: )?expected an ISO 8601 date-time string \(RFC 3339\), not an object: give a date-time/);
    expect(r.body.errors[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', field: 'input.currentExpiry' });
  });

  it('an _entities representation nested 40 objects deep in the document is BAD_USER_INPUT naming where it goes too deep, not an internal error', async () => {
    // As a variable, JSON this deep is refused before it is parsed (BAD_REQUEST, limits.test.ts):
    // a literal in the document reaches the argument check.
    const literal = `${'{a: '.repeat(40)}"2028-12-02"${'}'.repeat(40)}`;
    const query = `{ _entities(representations: [{__typename: "Domain", name: "alpha.example", x: ${literal}}]) { __typename } }`;
    const r = transport === 'http' ? await overHttp(query, '{}') : await overWs(query, '{}');
    expect(r.body.errors).toHaveLength(1);
    const field = `representations[0].x${'.a'.repeat(30)}`;
    expect(r.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(r.body.errors[0].message).toBe(`${field}: is nested more than 32 lists or objects deep; no argument of this schema nests more than a few`);
  });
});
