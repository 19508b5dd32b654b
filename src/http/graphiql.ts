import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { NextFunction, Request, Response } from 'express';
import { runInWorker } from '../worker.js';
import { graphiqlTemplate } from './graphiql-page.js';

/** The page, built once per process: compressed twice, and its validator. */
export interface GraphiQLPage {
  /** Brotli (quality 5: 9 MB of HTML to about 1.9 MB). */
  brotli: Buffer;
  /** gzip (level 6: about 2.4 MB), for clients without Brotli. */
  gzip: Buffer;
  /** Weak ETag of the HTML (the same for both encodings). */
  etag: string;
  /** Uncompressed size in bytes. */
  size: number;
  /**
   * The page uncompressed, for a client that accepts neither encoding (`Accept-Encoding: identity`
   * or none): decompressed on the first such request, then kept (one buffer of `size` bytes), so
   * that N of them cost one decompression, not N (each took ~9 MB and the CPU of a gunzip, with
   * no API key needed).
   */
  identity(): Promise<Buffer>;
}

let identityDecompressions = 0;

/** How many times this process has decompressed the page for identity clients (at most once per page built). */
export function graphiqlIdentityDecompressions(): number {
  return identityDecompressions;
}

let page: Promise<GraphiQLPage> | undefined;

/**
 * A self-contained GraphiQL page (no CDN): editor, workers, styles and the graphql-ws client are
 * inlined, so it works on networks that cannot reach the internet. Queries and introspection go
 * over HTTP, subscriptions over graphql-ws on the same path, all with the headers pane's headers
 * (src/http/graphiql-page.ts). Built on the first request, in a worker thread, and kept compressed.
 */
export function graphiqlPage(): Promise<GraphiQLPage> {
  page ??= build().catch((err: unknown) => {
    page = undefined; // try again on the next request
    throw err;
  });
  return page;
}

/**
 * Express handler for GraphiQL: Brotli or gzip as the client accepts (decompressed once, on the
 * first request of a client that takes neither, and kept: GraphiQLPage.identity), `Cache-Control: public, max-age=3600` and an ETag, so a reload
 * costs a 304 without a body.
 */
export function serveGraphiQL(req: Request, res: Response, next: NextFunction): void {
  graphiqlPage().then(async (p) => {
    // On /graphql the same URL answers GraphQL to other clients: caches must key on Accept too.
    res.vary('Accept').vary('Accept-Encoding');
    res.set({ ETag: p.etag, 'Cache-Control': 'public, max-age=3600', 'Content-Type': 'text/html; charset=utf-8' });
    if (req.fresh) return void res.status(304).end();
    // Brotli whenever accepted (smaller), whatever order the client lists encodings in.
    const encoding = req.acceptsEncodings('br') === 'br' ? 'br' : req.acceptsEncodings('gzip') === 'gzip' ? 'gzip' : undefined;
    if (encoding) {
      res.set('Content-Encoding', encoding);
      return void res.send(encoding === 'br' ? p.brotli : p.gzip);
    }
    res.send(await p.identity());
  }, next);
}

/** Whether a GET on the GraphQL path comes from a browser navigating to it (it prefers HTML to any GraphQL response type). */
export function prefersHtml(req: Request): boolean {
  return req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}

interface BuildInput {
  template: string;
  graphqlWs: string;
}
interface Built {
  brotli: Uint8Array;
  gzip: Uint8Array;
  etag: string;
  size: number;
}

/**
 * In a worker: the renderer module holds ~45 MiB of inlined editor code, which would otherwise
 * stay in the gateway's heap for good; compressing 9 MB takes seconds of CPU off the event loop.
 */
async function build(): Promise<GraphiQLPage> {
  const require = createRequire(import.meta.url);
  const pieces = pathToFileURL(require.resolve('@graphql-yoga/render-graphiql/graphiql')).href;
  // graphql-ws's browser build (UMD, global `graphqlWs`); the package exports no path to it.
  const graphqlWs = join(dirname(require.resolve('graphql-ws')), '..', 'umd', 'graphql-ws.min.js');
  const input: BuildInput = { template: graphiqlTemplate('/graphql'), graphqlWs };
  const built = await runInWorker<Built>(
    `import(workerData.pieces).then((pieces) => (${assemble.toString()})(workerData.input, pieces, require))`,
    { pieces, input },
    'building GraphiQL',
  );
  const buffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  const gzip = buffer(built.gzip);
  let identity: Promise<Buffer> | undefined;
  return {
    brotli: buffer(built.brotli),
    gzip,
    etag: built.etag,
    size: built.size,
    identity() {
      if (!identity) {
        identityDecompressions++;
        identity = promisify(gunzip)(gzip).catch((err: unknown) => {
          identity = undefined; // try again on the next request
          throw err;
        });
      }
      return identity;
    },
  };
}

/**
 * Runs in the worker (its source is sent there, so it uses nothing but its arguments): fills the
 * template's pieces, refusing any that would end its <script> or <style> early, then hashes and
 * compresses the page.
 */
async function assemble(input: BuildInput, pieces: Record<string, unknown>, load: (id: string) => any): Promise<Built> {
  const fs = load('node:fs');
  const zlib = load('node:zlib');
  const crypto = load('node:crypto');
  const util = load('node:util');
  const all: Record<string, unknown> = { ...pieces, graphqlWs: fs.readFileSync(input.graphqlWs, 'utf8') };
  const asJson = new Set(['editorWorkerService', 'jsonWorker', 'graphqlWorker']);
  const html = input.template.replace(/<!--piece:(\w+)-->/g, (_match: string, name: string) => {
    const value = all[name];
    if (typeof value !== 'string') throw new Error(`GraphiQL piece "${name}" is missing`);
    if (asJson.has(name)) return JSON.stringify(value).replace(/<\//g, '<\\/');
    if (/<\/(script|style)/i.test(value)) throw new Error(`GraphiQL piece "${name}" would end its element early`);
    return value;
  });
  const bytes = Buffer.from(html, 'utf8');
  const { constants } = zlib;
  const [brotli, gzip] = await Promise.all([
    util.promisify(zlib.brotliCompress)(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }),
    util.promisify(zlib.gzip)(bytes, { level: 6 }),
  ]);
  const etag = `W/"${crypto.createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
  return { brotli, gzip, etag, size: bytes.length };
}
