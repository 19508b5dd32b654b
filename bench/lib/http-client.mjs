/**
 * The HTTP client of bench/http.mjs's latency figure, as lean as the direct EPP client it is
 * compared with (bench/lib/epp-client.mjs: framing by hand, the payload parsed by a library): one
 * keep-alive HTTP/1.1 connection (RFC 9112), each request written as one buffer, each answer
 * framed by its Content-Length and its body read with JSON.parse. A general-purpose client costs
 * a share of its own that would be counted as the gateway's: fetch (undici) added about 0.7 ms
 * per request on the development machine. Answers without Content-Length (chunked) are refused.
 */
import net from 'node:net';

/** Connects to `url` (http://host:port/path); `post(body)` sends body as JSON and resolves with { status, body }. */
export async function httpClient(url, headers = {}) {
  const u = new URL(url);
  const socket = net.connect(Number(u.port), u.hostname);
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const head = Object.entries({ host: u.host, 'content-type': 'application/json', ...headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  let buf = Buffer.alloc(0);
  let waiting = null;
  const settle = () => {
    if (!waiting) return;
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const lines = buf.subarray(0, end).toString('latin1');
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(lines);
    const w = waiting;
    if (!length) return void ((waiting = null), w.reject(new Error(`answer without Content-Length: ${lines.slice(0, 200)}`)));
    const total = end + 4 + Number(length[1]);
    if (buf.length < total) return;
    const body = buf.subarray(end + 4, total).toString('utf8');
    buf = buf.subarray(total);
    waiting = null;
    w.resolve({ status: Number(lines.slice(9, 12)), body: JSON.parse(body) });
  };
  socket.on('data', (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    settle();
  });
  const fail = (err) => waiting && (waiting.reject(err ?? new Error('connection closed')), (waiting = null));
  socket.on('error', fail).on('close', () => fail());
  return {
    post(payload) {
      const body = Buffer.from(JSON.stringify(payload), 'utf8');
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        socket.write(Buffer.concat([Buffer.from(`POST ${u.pathname} HTTP/1.1\r\n${head}content-length: ${body.length}\r\n\r\n`, 'latin1'), body]));
      });
    },
    close: () => socket.destroy(),
  };
}
