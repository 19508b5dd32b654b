/**
 * POST /graphql answers the same whichever way the body comes: a JSON body with a Content-Length
 * goes straight to Apollo Server (src/http/graphql-post.ts), a chunked or compressed one, or one
 * of another content type, through express (express.json and the express integration). Each case
 * below is sent both ways and must get the same status, content type and body.
 */
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
});
afterAll(() => t?.close());

interface Answer {
  status: number;
  type: string | undefined;
  body: string;
}

/** One POST to /graphql (plus `search`): with a Content-Length, or chunked (Transfer-Encoding), or gzip-compressed. */
function post(body: Buffer, headers: Record<string, string>, how: 'length' | 'chunked' | 'gzip', search = ''): Promise<Answer> {
  const url = new URL(t.gateway.url);
  const payload = how === 'gzip' ? gzipSync(body) : body;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${search}`,
        method: 'POST',
        headers: { ...headers, ...(how === 'gzip' ? { 'content-encoding': 'gzip' } : {}), ...(how === 'chunked' ? {} : { 'content-length': String(payload.length) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    if (how === 'chunked') {
      // Two writes: Node sends them as chunks, without a Content-Length.
      req.write(payload.subarray(0, 1));
      req.end(payload.subarray(1));
    } else req.end(payload);
  });
}

const json = (type = 'application/json') => ({ 'content-type': type, authorization: `Bearer ${t.keys.NewRegistrar}` });

describe('POST /graphql', () => {
  it.each([
    ['a query', JSON.stringify({ query: '{ viewer { id } }' }), 'application/json', ''],
    ['a query, charset=utf-8', JSON.stringify({ query: '{ viewer { id } }' }), 'application/json; charset=utf-8', ''],
    ['a query with a byte order mark', `\uFEFF${JSON.stringify({ query: '{ viewer { id } }' })}`, 'application/json', ''],
    ['variables and an operation name', JSON.stringify({ query: 'query V($n: String!) { a: domain(name: $n) { name } }', variables: { n: 'nosuch.example' }, operationName: 'V' }), 'application/json', ''],
    ['a query string beside the body', JSON.stringify({ query: '{ viewer { id } }' }), 'application/json', '?x=1'],
    ['not JSON', '{"query": ', 'application/json', ''],
    ['a JSON string, not an object', '"{ viewer { id } }"', 'application/json', ''],
    ['only white space', ' \n', 'application/json', ''],
    ['an empty body', '', 'application/json', ''],
    ['a batch (an array)', JSON.stringify([{ query: '{ viewer { id } }' }]), 'application/json', ''],
    ['no query', JSON.stringify({ variables: {} }), 'application/json', ''],
    ['a validation error', JSON.stringify({ query: '{ nosuchfield }' }), 'application/json', ''],
  ])('%s: the same answer straight to Apollo Server as through express', async (_name, body, type, search) => {
    const direct = await post(Buffer.from(body), json(type), 'length', search);
    const chunked = await post(Buffer.from(body), json(type), 'chunked', search);
    const gzip = await post(Buffer.from(body), json(type), 'gzip', search);
    expect(chunked).toEqual(direct);
    expect(gzip).toEqual(direct);
    expect(direct.type).toMatch(/^application\/(graphql-response\+)?json/);
  });

  it('answers a valid query with its data, and a body that is not JSON with 400 BAD_REQUEST', async () => {
    const ok = await post(Buffer.from(JSON.stringify({ query: '{ viewer { id } }' })), json(), 'length');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ data: { viewer: { id: 'NewRegistrar' } } });
    const broken = await post(Buffer.from('{"query": '), json(), 'length');
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('refuses a missing or wrong API key with 401 UNAUTHENTICATED either way', async () => {
    const body = Buffer.from(JSON.stringify({ query: '{ viewer { id } }' }));
    const refusals: Array<Record<string, string>> = [{ 'content-type': 'application/json' }, { 'content-type': 'application/json', authorization: 'Bearer rgw_nosuchkey' }];
    for (const headers of refusals) {
      const direct = await post(body, headers, 'length');
      expect(direct.status).toBe(401);
      expect(JSON.parse(direct.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(await post(body, headers, 'chunked')).toEqual(direct);
    }
  });
});
