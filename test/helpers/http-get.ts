/** Plain HTTP GETs for tests that need the answer's bytes exactly as the server sent them. */
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';

/**
 * GET `url` with `headers` on a connection of its own, read whole as it arrives, the body left as
 * sent (still compressed: fetch() decompresses 9 MB of GraphiQL while the socket waits, and on a
 * loaded machine the server's keep-alive timer can close it under a slow reader). Rejects on a
 * connection or stream error.
 */
export function getRaw(url: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}
