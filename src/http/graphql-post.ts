/**
 * POST /graphql with a JSON body, from node:http straight to Apollo Server's
 * `executeHTTPGraphQLRequest` (Apollo's integration API, the one @as-integrations/express5 calls
 * too), without express's router and body parser on the way: a GraphQL answer is most of what the
 * gateway serves, and those two cost more per request than Apollo Server itself on a request
 * whose answer waits on nothing (bench/http.mjs). Everything else (GET /graphql, GraphiQL,
 * /healthz, /readyz, /metrics, other content types, compressed or chunked bodies) still goes to
 * the express app, whose answers are the reference: this path answers as express.json() and the
 * express integration would (the same status, headers and bodies; errors as src/http/errors.ts
 * words them for express).
 *
 * Taken when (`takesGraphQLPost`): method POST, path exactly /graphql (a query string allowed),
 * Content-Type application/json with no parameter but an optional charset=utf-8 (RFC 8259 section
 * 8.1), no Content-Encoding, and a Content-Length of at most `maxBodyBytes`: the body is then read
 * whole (Node's parser stops at Content-Length) before it is parsed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { httpErrorAnswer, type HttpErrorAnswer } from './errors.js';

/** application/json, optionally with charset=utf-8 (quoted or not), case-insensitive. */
const JSON_CONTENT_TYPE = /^application\/json[ \t]*(?:;[ \t]*charset[ \t]*=[ \t]*(?:utf-8|"utf-8")[ \t]*)?$/i;

/** Whether `handleGraphQLPost` serves this request (see the module's comment); false: the express app does. */
export function takesGraphQLPost(req: IncomingMessage, maxBodyBytes: number): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  if (url !== '/graphql' && !url.startsWith('/graphql?')) return false;
  const { headers } = req;
  if (headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined) return false;
  const length = headers['content-length'];
  if (length === undefined || !/^\d+$/.test(length) || Number(length) > maxBodyBytes) return false;
  return JSON_CONTENT_TYPE.test(headers['content-type'] ?? '');
}

export interface GraphQLPostOptions<C extends BaseContext> {
  apollo: ApolloServer<C>;
  /** The request's context value (it may throw a GraphQLError: Apollo answers with it). */
  context: (req: IncomingMessage) => Promise<C>;
  /** Runs `next` within the request's operation (src/observe/operations.ts, only while tracing). */
  around?: ((req: IncomingMessage, res: ServerResponse, next: () => void) => void) | null;
  /** Called with anything that escapes Apollo Server (it answers 500). */
  onError: (err: unknown) => void;
}

/**
 * Serves one request `takesGraphQLPost` accepted: reads the body, parses it as express.json() does
 * (strict: an object or an array; empty is `{}`; a UTF-8 byte order mark skipped), and answers with
 * what Apollo Server returns. A body that is not JSON: 400 BAD_REQUEST, as the express app says it.
 */
export function handleGraphQLPost<C extends BaseContext>(opts: GraphQLPostOptions<C>, req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.once('end', () => {
    const run = () => void answer(opts, req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).catch((err) => fail(opts, res, err));
    if (opts.around) opts.around(req, res, run);
    else run();
  });
  req.once('error', (err) => fail(opts, res, err));
}

async function answer<C extends BaseContext>(opts: GraphQLPostOptions<C>, req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
  const body = parseJsonBody(raw);
  if (body === undefined) return sendError(res, httpErrorAnswer({ type: 'entity.parse.failed' }));
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = req.url!;
  const q = url.indexOf('?');
  const response = await opts.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search: q < 0 ? '' : url.slice(q), body },
    context: () => opts.context(req),
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.setHeader('content-length', Buffer.byteLength(response.body.string));
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** express.json()'s reading of a body (strict mode): undefined when it would refuse it. */
function parseJsonBody(raw: Buffer): unknown {
  let text = raw.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {};
  const first = /^[\x20\x09\x0a\x0d]*(.)/.exec(text)?.[1];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sendError(res: ServerResponse, { status, payload }: HttpErrorAnswer): void {
  const body = JSON.stringify(payload);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

function fail<C extends BaseContext>(opts: GraphQLPostOptions<C>, res: ServerResponse, err: unknown): void {
  opts.onError(err);
  if (res.headersSent) return void res.destroy();
  sendError(res, httpErrorAnswer(undefined));
}
