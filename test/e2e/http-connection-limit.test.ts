/**
 * limits.httpConnectionsPerAddress: TCP connections one peer address may hold open at once on the
 * API's HTTP server (src/http/connection-cap.ts). Before it one client with no key held 19,700
 * idle connections of the process's 20,000 file descriptors. The connection beyond is answered
 * 429 and closed before anything it sends is read; a slot comes back when a connection closes;
 * a peer listed in trustProxy (a reverse proxy) is not counted.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const MAX = 4;
let t: TestGateway | undefined;
const open: Socket[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) s.destroy();
  await t?.close();
  t = undefined;
});

const start = async (trustProxy?: string[]) => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      c.limits.httpConnectionsPerAddress = MAX;
      if (trustProxy) c.trustProxy = trustProxy;
    },
  });
  return new URL(t.gateway.url);
};

/** A connection to `url`'s host and port, once connected (kept open until the test ends). */
const connection = (url: URL) =>
  new Promise<Socket>((resolve, reject) => {
    const s = connect(Number(url.port), url.hostname, () => resolve(s));
    s.once('error', reject);
    open.push(s);
  });

/** What the server sends on `s` after `request` (if any) until it closes the connection, or the first answer's head when it keeps it open. */
const answerOn = (s: Socket, request?: string) =>
  new Promise<string>((resolve) => {
    let got = '';
    s.on('data', (b) => {
      got += b.toString('latin1');
      if (got.includes('\r\n\r\n') && !/connection: close/i.test(got)) resolve(got);
    });
    s.once('close', () => resolve(got));
    if (request) s.write(request);
  });

const HEALTHZ = (host: string) => `GET /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\n`;

describe('limits.httpConnectionsPerAddress', () => {
  it('the connection beyond the limit is answered 429 and closed; one closed gives its slot back', async () => {
    const url = await start();
    const held = await Promise.all(Array.from({ length: MAX }, () => connection(url)));
    const beyond = await connection(url);
    const refused = await answerOn(beyond, HEALTHZ(url.host));
    expect(refused).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n/);
    expect(refused).toContain(`too many connections from this address: at most ${MAX} open at once (limits.httpConnectionsPerAddress)`);
    // The held ones still serve.
    expect(await answerOn(held[0]!, HEALTHZ(url.host))).toMatch(/^HTTP\/1\.1 200 OK/);
    // One closes: its slot comes back (the server's side closes a moment after the client's).
    const closed = new Promise((r) => held[1]!.once('close', r));
    held[1]!.end();
    await closed;
    for (;;) {
      const again = await answerOn(await connection(url), HEALTHZ(url.host));
      if (again.startsWith('HTTP/1.1 200')) break;
      expect(again).toMatch(/^HTTP\/1\.1 429/);
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('a peer listed in trustProxy is not counted', async () => {
    const url = await start(['loopback']);
    const held = await Promise.all(Array.from({ length: MAX + 3 }, () => connection(url)));
    for (const s of held) expect(await answerOn(s, HEALTHZ(url.host))).toMatch(/^HTTP\/1\.1 200 OK/);
  });
});
