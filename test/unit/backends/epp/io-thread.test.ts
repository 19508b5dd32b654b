/**
 * The EPP I/O thread (src/backends/epp/session/io-thread.ts) as a registry sees it: a busy
 * session's next command is written as soon as the answer before it arrives, even while the
 * gateway's thread is blocked; never after an answer that ends the session (2500-2502, or 2002
 * for an ended login), nor after a command that timed out; such a command is sent once, on a
 * fresh login.
 */
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { generate } from 'selfsigned';
import { EppBackend } from '../../../../src/backends/epp/index.js';
import type { EppBackendConfig } from '../../../../src/config.types.js';
import { UpstreamUnavailableError } from '../../../../src/core/errors.js';
import { WriteFence, epochNow, revocationFlag, revokeFlag } from '../../../../src/core/write-fence.js';
import * as hello from '../../../../src/backends/epp/commands/hello.js';
import * as login from '../../../../src/backends/epp/commands/login.js';
import { EppConnection, FENCED_MESSAGE, TransportError, type ConnectionOptions } from '../../../../src/backends/epp/session/connection.js';
import { ThreadedConnection, endIoThreadForTests, startIoThread } from '../../../../src/backends/epp/session/io-thread.js';
import { ScriptedEppServer, URIS, scriptedBackendConfig, type Reply, type ScriptedServerOptions } from '../../../helpers/epp-tls-server.js';

const ctx = { registrarId: 'acme' };
const PASSWORD = 'foo-BAR2';

let backend: EppBackend | null = null;
let server: ScriptedEppServer | null = null;
let registryThread: Worker | null = null;
let connection: ThreadedConnection | null = null;

afterEach(async () => {
  connection?.destroy();
  connection = null;
  await backend?.close();
  await server?.stop();
  await registryThread?.terminate();
  backend = server = registryThread = null;
});

function eppBackend(host: string, port: number, ca: string, config: Partial<EppBackendConfig> = {}): EppBackend {
  return new EppBackend(scriptedBackendConfig({ host, port, ca }, { commandTimeoutMs: 10_000, keepAliveMs: 60_000, ...config }), { clTRIDPrefix: 'T' });
}

/** The one session of the backend's pool for `acme` (internals, as session-health.test.ts reads them). */
function onlySession(b: EppBackend) {
  const pool = (b.driver as unknown as { pools: Map<string, { openSessions: Array<{ holders: number }> }> }).pools.get('acme')!;
  return pool.openSessions[0];
}

/**
 * A registry in a worker thread of the test (so that it runs while the test's own thread is
 * blocked): plain JavaScript, TLS, RFC 5734 framing, a greeting, login, logout, and domain:check
 * answering "available". `shared[0]` counts the checks received; a check of `held.tld` is
 * answered only once the test sets `shared[1]` to 1.
 */
const REGISTRY_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const tls = require('node:tls');
const shared = new Int32Array(workerData.shared);
const frame = (xml) => { const b = Buffer.from(xml); const h = Buffer.alloc(4); h.writeUInt32BE(b.length + 4); return Buffer.concat([h, b]); };
const EPP = 'urn:ietf:params:xml:ns:epp-1.0';
const greeting = '<?xml version="1.0" encoding="UTF-8"?><epp xmlns="' + EPP + '"><greeting><svID>Threaded test registry</svID><svDate>2026-12-05T00:00:00.0Z</svDate><svcMenu><version>1.0</version><lang>en</lang><objURI>urn:ietf:params:xml:ns:domain-1.0</objURI></svcMenu><dcp><access><all/></access><statement><purpose><admin/><prov/></purpose><recipient><ours/></recipient><retention><stated/></retention></statement></dcp></greeting></epp>';
const answer = (code, msg, clTRID, resData) => '<?xml version="1.0" encoding="UTF-8"?><epp xmlns="' + EPP + '"><response><result code="' + code + '"><msg>' + msg + '</msg></result>' + (resData || '') + '<trID><clTRID>' + clTRID + '</clTRID><svTRID>SV-' + Date.now() + '</svTRID></trID></response></epp>';
const server = tls.createServer({ cert: workerData.cert, key: workerData.key }, (socket) => {
  socket.on('error', () => {});
  socket.write(frame(greeting));
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 4 && buf.length >= buf.readUInt32BE(0)) {
      const xml = buf.subarray(4, buf.readUInt32BE(0)).toString();
      buf = buf.subarray(buf.readUInt32BE(0));
      const clTRID = (/<clTRID>([^<]*)<\\/clTRID>/.exec(xml) || [])[1] || '';
      if (xml.includes('<login>')) socket.write(frame(answer(1000, 'Command completed successfully', clTRID)));
      else if (xml.includes('<logout/>')) { socket.write(frame(answer(1500, 'Command completed successfully; ending session', clTRID))); socket.end(); }
      else {
        const name = (/<domain:name>([^<]*)</.exec(xml) || [])[1];
        Atomics.add(shared, 0, 1);
        Atomics.notify(shared, 0);
        const reply = () => socket.write(frame(answer(1000, 'Command completed successfully', clTRID, '<resData><domain:chkData xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"><domain:cd><domain:name avail="1">' + name + '</domain:name></domain:cd></domain:chkData></resData>')));
        if (name !== 'held.tld') reply();
        else { const t = setInterval(() => { if (Atomics.load(shared, 1) === 1) { clearInterval(t); reply(); } }, 1); }
      }
    }
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

describe('the EPP I/O thread', () => {
  test("a busy session's next command reaches the registry while the gateway's thread is blocked", async () => {
    const g = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
    });
    const shared = new Int32Array(new SharedArrayBuffer(8));
    registryThread = new Worker(REGISTRY_SOURCE, { eval: true, workerData: { cert: g.cert, key: g.private, shared: shared.buffer } });
    const port = await new Promise<number>((resolve, reject) => registryThread!.once('message', resolve).once('error', reject));
    backend = eppBackend('127.0.0.1', port, g.cert);
    expect((await backend.checkDomains(ctx, ['warm.tld'])).data[0]!.name).toBe('warm.tld'); // logged in: one session
    const held = backend.checkDomains(ctx, ['held.tld']);
    const next = backend.checkDomains(ctx, ['next.tld']);
    // held.tld is at the registry, unanswered; next.tld waits in the session's connection.
    await vi.waitFor(() => expect([Atomics.load(shared, 0), onlySession(backend!)?.holders]).toEqual([2, 2]), { timeout: 10_000 });
    // The registry answers held.tld, and this thread blocks until next.tld reaches it (10 s at most:
    // a connection in this thread, ioThread false, could not write it before this thread is free again).
    Atomics.store(shared, 1, 1);
    Atomics.wait(shared, 0, 2, 10_000);
    expect(Atomics.load(shared, 0)).toBe(3);
    expect((await held).data[0]!.name).toBe('held.tld');
    expect((await next).data[0]!.name).toBe('next.tld');
  });

  /** A scripted registry whose answer to `first.tld` waits for `release()`, then is `reply`. */
  async function heldFirst(reply: Reply, config: Partial<EppBackendConfig> = {}) {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const handler: ScriptedServerOptions['handler'] = async (r) => {
      const name = String(r.doc['epp']['command']['check']['domain:check']['domain:name']);
      if (name === 'first.tld') {
        await gate;
        return reply;
      }
      return { code: 1000, resData: { 'domain:chkData': { '@xmlns:domain': URIS.domain, 'domain:cd': { 'domain:name': { '#text': name, '@avail': '1' } } } } };
    };
    server = new ScriptedEppServer({ handler });
    const { host, port, ca } = await server.start();
    backend = eppBackend(host, port, ca, config);
    await backend.checkDomains(ctx, ['warm.tld']);
    const first = backend.checkDomains(ctx, ['first.tld']).then(
      () => null,
      (e: unknown) => e,
    );
    const second = backend.checkDomains(ctx, ['second.tld']);
    await vi.waitFor(() => expect(onlySession(backend!)?.holders).toBe(2), { timeout: 10_000 });
    release();
    const checks = () => server!.commands('domain:check').map((c): [string, number] => [String(c.doc['epp']['command']['check']['domain:check']['domain:name']), c.conn]);
    return { first, second, checks };
  }

  /** second.tld reached the registry once, on another connection than first.tld. */
  function expectSentOnceElsewhere(sent: Array<[string, number]>) {
    const firstConn = sent.find(([n]) => n === 'first.tld')![1];
    const second = sent.filter(([n]) => n === 'second.tld');
    expect(second).toHaveLength(1);
    expect(second[0]![1]).not.toBe(firstConn);
  }

  test.each([
    ['2500 (the server closes the connection)', { code: 2500, msg: 'Command failed; server closing connection' }],
    ['2502 (session limit exceeded; server closing connection)', { code: 2502, msg: 'Session limit exceeded; server closing connection' }],
    ['2002 naming the ended login', { code: 2002, msg: 'Registrar is not logged in.', endLogin: true }],
  ] as const)('after an answer %s, the command waiting on that session is sent once, on a fresh login', async (_, reply) => {
    const { first, second, checks } = await heldFirst({ ...reply });
    expect((await second).data[0]!.name).toBe('second.tld');
    await first;
    expectSentOnceElsewhere(checks());
    expect(server!.commands('login')).toHaveLength(2);
  });

  test('a command that timed out: the one waiting behind it is not sent on that connection, and is sent once on a fresh login', async () => {
    const { first, second, checks } = await heldFirst('hang', { commandTimeoutMs: 500 });
    expect((await second).data[0]!.name).toBe('second.tld');
    const err = await first;
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ maybeApplied: true });
    expectSentOnceElsewhere(checks());
    expect(server!.commands('login')).toHaveLength(2);
  });

  describe('a fenced command waiting behind the one in flight (src/core/write-fence.ts)', () => {
    /** A logged-in ThreadedConnection to a scripted registry whose answer to held.tld waits for release(). */
    async function loggedIn() {
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => (release = r));
      server = new ScriptedEppServer({
        handler: async (r) => {
          const name = String(r.doc['epp']['command']['check']['domain:check']['domain:name']);
          if (name === 'held.tld') await gate;
          return { code: 1000, resData: { 'domain:chkData': { '@xmlns:domain': URIS.domain, 'domain:cd': { 'domain:name': { '#text': name, '@avail': '1' } } } } };
        },
      });
      const { host, port, ca } = await server.start();
      const opened = await ThreadedConnection.connect({ host, port, tls: { ca, servername: 'localhost' }, connectTimeoutMs: 10_000 });
      connection = opened.connection;
      const services = login.servicesFor(hello.parse(opened.greetingXml));
      expect(await connection.request(login.build({ clientId: 'NewRegistrar', password: PASSWORD, ...services }, 'L-1'), 10_000)).toContain('code="1000"');
      const check = (name: string, clTRID: string) =>
        `<?xml version="1.0" encoding="UTF-8"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><check><domain:check xmlns:domain="${URIS.domain}"><domain:name>${name}</domain:name></domain:check></check><clTRID>${clTRID}</clTRID></command></epp>`;
      const checked = () => server!.commands('domain:check').map((c) => String(c.doc['epp']['command']['check']['domain:check']['domain:name']));
      return { conn: connection, release, check, checked };
    }

    test('its bulk job cancelled meanwhile (the revocation flag set): not written, failed as not sent; the connection goes on', async () => {
      const { conn, release, check, checked } = await loggedIn();
      const first = conn.request(check('held.tld', 'C-1'), 10_000);
      const flag = revocationFlag();
      const second = conn.request(check('next.tld', 'C-2'), 10_000, new WriteFence(flag)).catch((e: unknown) => e);
      await vi.waitFor(() => expect(checked()).toEqual(['held.tld']), { timeout: 10_000 });
      revokeFlag(flag);
      release();
      expect(await first).toContain('held.tld');
      const err = await second;
      expect(err).toBeInstanceOf(TransportError);
      expect(err).toMatchObject({ written: false, message: FENCED_MESSAGE });
      expect(await conn.request(check('after.tld', 'C-3'), 10_000, new WriteFence(revocationFlag()))).toContain('after.tld');
      expect(checked()).toEqual(['held.tld', 'after.tld']);
    });

    test('the lease that allowed it too old by the time the answer before it came: not written, failed as not sent', async () => {
      const { conn, release, check, checked } = await loggedIn();
      const first = conn.request(check('held.tld', 'C-1'), 10_000);
      const fence = new WriteFence();
      fence.within(100);
      const second = conn.request(check('late.tld', 'C-2'), 10_000, fence).catch((e: unknown) => e);
      await vi.waitFor(() => expect(checked()).toEqual(['held.tld']), { timeout: 10_000 });
      // The answer before it comes once the fence's time is past (with room for the threads' clocks).
      await vi.waitFor(() => expect(epochNow()).toBeGreaterThan(fence.notAfter + 50), { timeout: 10_000 });
      release();
      expect(await first).toContain('held.tld');
      expect(await second).toMatchObject({ written: false, message: FENCED_MESSAGE });
      expect(checked()).toEqual(['held.tld']);
    });

    test('a fence that still holds: written the moment the answer before it is read', async () => {
      const { conn, release, check, checked } = await loggedIn();
      const first = conn.request(check('held.tld', 'C-1'), 10_000);
      const fence = new WriteFence(revocationFlag());
      fence.within(60_000);
      const second = conn.request(check('next.tld', 'C-2'), 10_000, fence);
      await vi.waitFor(() => expect(checked()).toEqual(['held.tld']), { timeout: 10_000 });
      release();
      expect(await first).toContain('held.tld');
      expect(await second).toContain('next.tld');
      expect(checked()).toEqual(['held.tld', 'next.tld']);
    });
  });

  test.each([
    ['in the I/O thread', (o: ConnectionOptions, signal: AbortSignal) => ThreadedConnection.connect(o, signal)],
    ["on the gateway's thread", (o: ConnectionOptions, signal: AbortSignal) => EppConnection.connect(o, signal)],
  ])('a connect aborted before the greeting (a stop giving it up) fails at once with the reason, not written, and closes the socket: %s', async (_where, connect) => {
    // A registry that accepts the TCP connection and never answers: no TLS handshake, no greeting.
    const silent = net.createServer();
    const sockets: net.Socket[] = [];
    // Each socket read (and what it reads dropped), so that the client's FIN is seen: 'close'.
    const accepted = new Promise<void>((resolve) => silent.on('connection', (s) => (sockets.push(s.resume()), resolve())));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const abort = new AbortController();
      const opening = connect({ host: '127.0.0.1', port, tls: { servername: 'localhost' }, connectTimeoutMs: 600_000 }, abort.signal).catch((e: unknown) => e);
      await accepted;
      const closedByClient = new Promise<void>((resolve) => sockets[0]!.on('close', () => resolve()));
      abort.abort('the gateway is stopping: abandoned while connecting');
      const err = await opening;
      expect(err).toBeInstanceOf(TransportError);
      expect(err).toMatchObject({ written: false, message: expect.stringContaining('the gateway is stopping') });
      await closedByClient;
      // Already aborted: nothing is opened.
      const before = sockets.length;
      await expect(connect({ host: '127.0.0.1', port, tls: {}, connectTimeoutMs: 600_000 }, abort.signal)).rejects.toMatchObject({ written: false });
      expect(sockets).toHaveLength(before);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('the thread ends while a command is in flight: it fails as maybe written (outcome unknown), the end is logged, and the next session runs on a new thread', async () => {
    server = new ScriptedEppServer({ handler: async (r) => (String(r.doc['epp']['command']['check']['domain:check']['domain:name']) === 'lost.tld' ? 'hang' : { code: 1000, resData: { 'domain:chkData': { '@xmlns:domain': URIS.domain, 'domain:cd': { 'domain:name': { '#text': 'after.tld', '@avail': '1' } } } } }) });
    const { host, port, ca } = await server.start();
    const warned: unknown[] = [];
    backend = eppBackend(host, port, ca);
    startIoThread((fields, message) => warned.push([fields, message]));
    const lost = backend.checkDomains(ctx, ['lost.tld']).catch((e: unknown) => e);
    await vi.waitFor(() => expect(server!.commands('domain:check')).toHaveLength(1), { timeout: 10_000 });
    await endIoThreadForTests();
    const err = await lost;
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ maybeApplied: true });
    expect(warned).toEqual([[{ reason: expect.stringContaining('exited'), connections: 1 }, expect.stringContaining('EPP I/O thread ended')]]);
    expect((await backend.checkDomains(ctx, ['after.tld'])).data[0]!.name).toBe('after.tld');
    expect(server.commands('login')).toHaveLength(2);
  });
});
