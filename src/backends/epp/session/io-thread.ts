/**
 * EPP connections whose socket lives in a thread of its own (the "EPP I/O thread"), so that a
 * registry's answer is read, and the session's next command written, without waiting for the
 * gateway's thread.
 *
 * Why: on a busy gateway (a bulk job's items settling, GraphQL, statements, collections) an answer
 * waits in the socket until the gateway's thread gets to it, and only then is the session's next
 * command written. bench/bulk.mjs (20 ms round trip, 16 sessions) measured the gateway's own path
 * from an answer's `data` event to the next write at a median of 0.19 ms, and the registry's view
 * of that turnaround at a mean of 1.6-2.3 ms: the rest was the answer waiting for the thread.
 * Here a thread that does nothing else reads every answer at once, and a command handed to a
 * connection while its previous one is in flight (`request` accepts one such next command) is
 * written the moment that answer is read: still one command in flight per session (RFC 5730
 * section 2: a command is answered before the next is sent; RFC 5734 section 3), but the session
 * does not idle while the gateway's thread is busy.
 *
 * What the thread does and does not do: TLS, RFC 5734 section 4 framing, the greeting read on
 * connect, each request's deadline, and the hand-over of the next command. Everything else (login,
 * parsing, clTRID checks, logging, redaction, the pool) stays in the calling thread, on the same
 * text frames as EppConnection's. One exception to "the next command is written at once": after an
 * answer whose first result code is 2002 (a command use error: registries answer it when they
 * ended the login) or 2500-2502 (the server ends the session, RFC 5730 section 3), the next
 * command is not written but failed as not sent (`written` false: the pool retries it once, on
 * another session or on this one once its answer is dealt with), since the session may be about to
 * be replaced; the connection then takes no next request until the session is handed over afresh.
 *
 * A command written later than its caller's checks (the idempotency owner's lease, a bulk item's
 * claim and job: they run in the attempt's beforeWrite, before the command is handed over) carries
 * the caller's fence (src/core/write-fence.ts): its job's revocation flag, shared with this thread,
 * and the time the checks' proof lasts. The thread looks at the flag right before any write, and at
 * the time too when the command waited behind another; when the fence no longer holds it fails the
 * command as not sent (FENCED_MESSAGE), so that a cancelled job sends nothing more and no command
 * that waited goes out on a proof older than its lease's margin.
 *
 * Failure reports carry whether the frame reached the socket (TransportError.written), as the
 * thread saw it; if the thread itself dies, every request handed to it counts as written (the
 * outcome is unknown), and the next connection starts a new thread. The thread is started when an
 * EPP backend is made (startIoThread) or by the first connection, kept referenced (it keeps the
 * process alive) while a connection is open, as an open socket would, and is shared by every EPP
 * backend and account of the process.
 */
import { Worker } from 'node:worker_threads';
import { DEFAULT_MAX_FRAME_BYTES } from './framing.js';
import { FENCED_MESSAGE, abortReason, TransportError, tlsConnectOptions, type ConnectionOptions, type EppTransport } from './connection.js';
import type { WriteFence } from '../../../core/write-fence.js';

/**
 * The thread: one Conn per connection id. Messages in: {t:'open', id, o} (o: tls.connect's
 * options plus connectTimeoutMs, maxFrameBytes), {t:'req', id, rid, xml, ms, f?} (f: the fence as
 * {flag?, notAfter}), {t:'destroy', id, reason}. Messages out: {t:'greeting', id, xml}, {t:'ans',
 * id, rid, xml}, {t:'fail', id, rid, reason, written, timedOut, held?}, {t:'closed', id, reason,
 * timedOut} (after every pending request's fail). The framing is RFC 5734 section 4's, as
 * framing.ts's (which this string cannot import).
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const tls = require('node:tls');
const conns = new Map();
const post = (m) => parentPort.postMessage(m);
/**
 * One TLS context per distinct CA, certificate and key (at most 16 kept): tls.connect given them
 * makes a context per connection (the PEMs parsed, the root store copied), 2-3 ms of this thread
 * each, so 16 sessions opening at once waited some 40 ms for the last connect. Keyed by content:
 * files changed on disk (read again for each connection by the gateway's thread) give a new one.
 */
const contexts = new Map();
const secureContext = (o) => {
  const key = [o.ca || '', o.cert || '', o.key || ''].join('\\0');
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = tls.createSecureContext({ ca: o.ca, cert: o.cert, key: o.key });
    contexts.set(key, ctx);
    if (contexts.size > 16) contexts.delete(contexts.keys().next().value);
  }
  return ctx;
};
/** The first <result code="NNNN"> of an answer, or 0. */
const firstCode = (xml) => { const m = /<(?:[A-Za-z_][\\w.-]*:)?result\\s+code\\s*=\\s*["'](\\d{4})["']/.exec(xml); return m ? Number(m[1]) : 0; };
class Conn {
  constructor(id, o) {
    this.id = id;
    this.max = o.maxFrameBytes;
    this.chunks = [];
    this.held = 0;
    this.greeted = false;
    this.closed = false;
    this.inflight = null;
    this.next = null;
    this.timer = null;
    this.timerMs = 0;
    this.expiry = '';
    this.socket = tls.connect({ ...o.tls, secureContext: secureContext(o.tls) });
    this.socket.setNoDelay(true);
    this.socket.setKeepAlive(true, 30000);
    this.arm(o.connectTimeoutMs, 'no greeting within ' + o.connectTimeoutMs + ' ms');
    this.socket.on('data', (c) => this.onData(c));
    this.socket.on('error', (e) => this.fail('connection error: ' + e.message));
    this.socket.on('close', () => this.fail('connection closed by the server'));
  }
  arm(ms, expiry) {
    this.expiry = expiry;
    if (this.timer && this.timerMs === ms) { this.timer.refresh(); return; }
    if (this.timer) clearTimeout(this.timer);
    this.timerMs = ms;
    this.timer = setTimeout(() => { this.timer = null; if (!this.greeted || this.inflight) this.fail(this.expiry, true); }, ms);
  }
  request(rid, xml, ms, f) {
    if (this.closed || this.socket.destroyed || !this.socket.writable) { post({ t: 'fail', id: this.id, rid, reason: 'connection is closed', written: false, timedOut: false }); return; }
    if (!this.inflight) { this.write(rid, xml, ms, f, false); return; }
    if (this.next) { post({ t: 'fail', id: this.id, rid, reason: 'a request is already waiting on this connection', written: false, timedOut: false }); return; }
    this.next = { rid, xml, ms, f };
  }
  write(rid, xml, ms, f, waited) {
    if (f && ((f.flag && Atomics.load(f.flag, 0) !== 0) || (waited && performance.timeOrigin + performance.now() > f.notAfter))) {
      post({ t: 'fail', id: this.id, rid, reason: workerData.fenced, written: false, timedOut: false });
      return;
    }
    const body = Buffer.from(xml, 'utf8');
    const frame = Buffer.allocUnsafe(4 + body.length);
    frame.writeUInt32BE(4 + body.length, 0);
    body.copy(frame, 4);
    this.inflight = { rid, written: false };
    this.arm(ms, 'no response within ' + ms + ' ms');
    this.socket.write(frame);
    this.inflight.written = true;
  }
  onData(chunk) {
    this.chunks.push(chunk);
    this.held += chunk.length;
    while (this.held >= 4 && !this.closed) {
      if (this.chunks[0].length < 4) this.join();
      const total = this.chunks[0].readUInt32BE(0);
      if (total < 5 || total > this.max) { this.fail('bad EPP frame length ' + total); return; }
      if (this.held < total) break;
      const buf = this.join();
      const xml = buf.subarray(4, total).toString('utf8');
      const rest = buf.subarray(total);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.held = rest.length;
      this.frame(xml);
    }
  }
  join() {
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.held);
    this.chunks = [buf];
    return buf;
  }
  frame(xml) {
    if (!this.greeted) { this.greeted = true; post({ t: 'greeting', id: this.id, xml }); return; }
    const r = this.inflight;
    if (!r) { this.fail('unsolicited frame from the server'); return; }
    this.inflight = null;
    const n = this.next;
    this.next = null;
    if (n) {
      const code = firstCode(xml);
      if (code === 2002 || code >= 2500) post({ t: 'fail', id: this.id, rid: n.rid, reason: 'the answer before it (' + code + ') may end the session', written: false, timedOut: false, held: true });
      else this.write(n.rid, n.xml, n.ms, n.f, true);
    }
    post({ t: 'ans', id: this.id, rid: r.rid, xml });
  }
  fail(reason, timedOut = false) {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const r = this.inflight, n = this.next;
    this.inflight = null;
    this.next = null;
    if (r) post({ t: 'fail', id: this.id, rid: r.rid, reason, written: r.written, timedOut });
    if (n) post({ t: 'fail', id: this.id, rid: n.rid, reason, written: false, timedOut: false });
    this.socket.destroy();
    conns.delete(this.id);
    post({ t: 'closed', id: this.id, reason, timedOut });
  }
}
parentPort.on('message', (m) => {
  if (m.t === 'req') {
    const c = conns.get(m.id);
    if (c) c.request(m.rid, m.xml, m.ms, m.f);
    else post({ t: 'fail', id: m.id, rid: m.rid, reason: 'connection is closed', written: false, timedOut: false });
  } else if (m.t === 'open') {
    try { conns.set(m.id, new Conn(m.id, m.o)); }
    catch (e) { post({ t: 'closed', id: m.id, reason: String((e && e.message) || e), timedOut: false }); }
  } else if (m.t === 'destroy') {
    const c = conns.get(m.id);
    if (c) c.fail(m.reason);
  }
});
`;

/**
 * The thread's young generation, in MiB: it holds a frame or two per connection at a time (as
 * src/db/pglite-thread.ts's, V8's default would size it for throughput and add to the RSS).
 */
const THREAD_YOUNG_GENERATION_MB = 4;

type FromThread =
  | { t: 'greeting'; id: number; xml: string }
  | { t: 'ans'; id: number; rid: number; xml: string }
  | { t: 'fail'; id: number; rid: number; reason: string; written: boolean; timedOut: boolean; held?: boolean }
  | { t: 'closed'; id: number; reason: string; timedOut: boolean };

interface Pending {
  resolve: (xml: string) => void;
  reject: (e: TransportError) => void;
}

/** The process's one EPP I/O thread and the connections it holds (ids to their calling-thread side). */
class IoThread {
  private readonly worker: Worker;
  private readonly connections = new Map<number, ThreadedConnection>();
  private nextId = 0;
  private dead: string | null = null;

  constructor(warn: ThreadLogger) {
    this.worker = new Worker(THREAD_SOURCE, { eval: true, name: 'epp-io', workerData: { fenced: FENCED_MESSAGE }, resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB } });
    this.worker.unref();
    this.worker.on('message', (m: FromThread) => this.connections.get(m.id)?.fromThread(m));
    const died = (reason: string) => {
      if (this.dead) return;
      this.dead = reason;
      if (thread === this) thread = null;
      if (this.connections.size > 0) warn({ reason, connections: this.connections.size }, 'EPP I/O thread ended: its connections failed (commands in flight have an unknown outcome and are reconciled); the next connection starts a new thread');
      for (const c of [...this.connections.values()]) c.threadDied(reason);
      this.connections.clear();
    };
    this.worker.on('error', (e) => died(`the EPP I/O thread failed: ${e.message}`));
    this.worker.on('exit', (code) => died(`the EPP I/O thread exited (code ${code})`));
  }

  open(c: ThreadedConnection, o: Record<string, unknown>): number {
    if (this.dead) throw new TransportError(this.dead, false);
    const id = ++this.nextId;
    this.connections.set(id, c);
    if (this.connections.size === 1) this.worker.ref();
    this.worker.postMessage({ t: 'open', id, o });
    return id;
  }

  post(m: { t: 'req'; id: number; rid: number; xml: string; ms: number; f?: { flag?: Int32Array; notAfter: number } } | { t: 'destroy'; id: number; reason: string }): void {
    this.worker.postMessage(m);
  }

  /** Ends the thread (tests: endIoThreadForTests). */
  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  forget(id: number): void {
    if (this.connections.delete(id) && this.connections.size === 0) this.worker.unref();
  }
}

let thread: IoThread | null = null;

/** Where the thread's end is told (a logger's warn: fields, then the message). */
type ThreadLogger = (fields: Record<string, unknown>, message: string) => void;
let warnThreadEnded: ThreadLogger = () => {};

/**
 * Starts the process's EPP I/O thread now if it is not running (it is otherwise started by the
 * first connection): an EPP backend calls it when it is made, with its logger's warn, which is
 * told if the thread ends while it holds connections. The thread keeps no process alive while it
 * holds no connection.
 */
export function startIoThread(warn?: ThreadLogger): void {
  if (warn) warnThreadEnded = warn;
  ioThread();
}

/** @internal For tests: ends the running thread as a crash would (worker.terminate); resolves once it has ended. */
export async function endIoThreadForTests(): Promise<void> {
  await thread?.terminate();
}

/** The running thread, started if none is (or the last one died). */
function ioThread(): IoThread {
  return (thread ??= new IoThread((fields, message) => warnThreadEnded(fields, message)));
}

/**
 * One EPP connection held by the I/O thread: the same contract as EppConnection (TLS, RFC 5734
 * framing, one request in flight; failures are TransportError with `written` and `timedOut`),
 * plus one next request accepted while a request is in flight, written by the thread as soon as
 * the answer before it is read (`queues` true). Text frames in and out, as EppConnection's.
 */
export class ThreadedConnection implements EppTransport {
  /**
   * Set when the thread held a next request back (after a 2002 or 2500-2502 answer): no next
   * request is taken until one is made with nothing pending, i.e. once the answer's holder has
   * released the session (which is closed by then if the answer ended it).
   */
  private holding = false;
  private readonly pending = new Map<number, Pending>();
  private nextRid = 0;
  private closedFlag = false;
  private readonly closeListeners: Array<(reason: string) => void> = [];
  private onGreeting: ((xml: string) => void) | null = null;
  private onConnectFailed: ((e: TransportError) => void) | null = null;
  private readonly id: number;

  private constructor(
    private readonly io: IoThread,
    o: Record<string, unknown>,
  ) {
    this.id = io.open(this, o);
  }

  /**
   * Connect in the I/O thread, complete TLS and read the greeting (returned as XML). Rejects with
   * TransportError (written false) on any failure; the TLS files are read here (tlsConnectOptions), so that a
   * missing one fails as it does for EppConnection.
   */
  static connect(opts: ConnectionOptions, signal?: AbortSignal): Promise<{ connection: ThreadedConnection; greetingXml: string }> {
    return new Promise((resolve, reject) => {
      const failed = (e: TransportError) => reject(new TransportError(`cannot connect to ${opts.host}:${opts.port}: ${e.message}`, false, e.timedOut));
      if (signal?.aborted) {
        failed(new TransportError(abortReason(signal), false));
        return;
      }
      const o = {
        tls: tlsConnectOptions(opts),
        connectTimeoutMs: opts.connectTimeoutMs,
        maxFrameBytes: opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      };
      const conn = new ThreadedConnection(ioThread(), o);
      // Aborted before the greeting: failed now, and the thread told to close the socket (its own
      // 'closed' answer then finds nobody waiting).
      const onAbort = () => {
        const reason = abortReason(signal!);
        conn.onConnectFailed?.(new TransportError(reason, false));
        conn.destroy(reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      conn.onGreeting = (greetingXml) => {
        signal?.removeEventListener('abort', onAbort);
        resolve({ connection: conn, greetingXml });
      };
      conn.onConnectFailed = (e) => {
        signal?.removeEventListener('abort', onAbort);
        conn.onGreeting = conn.onConnectFailed = null;
        failed(e);
      };
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Whether `request` takes a next request while one is in flight now (not after the thread held one back, see `holding`). */
  get queues(): boolean {
    return !this.holding;
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener);
  }

  /**
   * Send one frame and resolve with the server's next frame after it. While a request is in
   * flight, one more is accepted and written by the thread when that one's answer is read; a third
   * is refused (TransportError, written false). `timeoutMs` runs from the frame's write. `fence`:
   * checked by the thread right before the write (its revocation flag as it is then; its time limit,
   * as it is now, when the frame waited behind another); one that no longer holds fails the request
   * as not written.
   */
  request(xml: string, timeoutMs: number, fence?: WriteFence): Promise<string> {
    if (this.closedFlag) return Promise.reject(new TransportError('connection is closed', false));
    if (fence?.isRevoked) return Promise.reject(new TransportError(FENCED_MESSAGE, false));
    if (this.pending.size >= 2) return Promise.reject(new TransportError('a request is already waiting on this connection', false));
    if (this.pending.size === 0) this.holding = false;
    return new Promise<string>((resolve, reject) => {
      const rid = ++this.nextRid;
      this.pending.set(rid, { resolve, reject });
      // The fence as the thread checks it at the write: the shared flag itself (not a copy) and the time limit as it is now.
      const f = fence ? { ...(fence.revoked ? { flag: fence.revoked } : {}), notAfter: fence.notAfter } : undefined;
      this.io.post({ t: 'req', id: this.id, rid, xml, ms: timeoutMs, ...(f ? { f } : {}) });
    });
  }

  /**
   * Close the socket. The requests handed to the thread fail as the thread reports them (written
   * or not, as it saw); close listeners are told now.
   */
  destroy(reason = 'closed by the client'): void {
    if (this.closedFlag) return;
    this.io.post({ t: 'destroy', id: this.id, reason });
    this.closeNow(reason);
  }

  /** @internal A message of the thread about this connection. */
  fromThread(m: FromThread): void {
    switch (m.t) {
      case 'greeting':
        this.onGreeting?.(m.xml);
        this.onGreeting = this.onConnectFailed = null;
        return;
      case 'ans':
        this.take(m.rid)?.resolve(m.xml);
        return;
      case 'fail':
        if (m.held) this.holding = true;
        this.take(m.rid)?.reject(new TransportError(m.reason, m.written, m.timedOut));
        return;
      case 'closed':
        // Every request the thread held was failed before this message; one still pending reached
        // the thread after it closed the connection (its "connection is closed" comes later): not written.
        this.io.forget(this.id);
        this.onConnectFailed?.(new TransportError(m.reason, false, m.timedOut));
        this.onGreeting = this.onConnectFailed = null;
        for (const p of this.pending.values()) p.reject(new TransportError('connection is closed', false));
        this.pending.clear();
        this.closeNow(m.reason);
        return;
    }
  }

  /** @internal The thread died: whatever it held may have been written. */
  threadDied(reason: string): void {
    this.onConnectFailed?.(new TransportError(reason, false));
    this.onGreeting = this.onConnectFailed = null;
    for (const p of this.pending.values()) p.reject(new TransportError(reason, true));
    this.pending.clear();
    this.closeNow(reason);
  }

  private take(rid: number): Pending | undefined {
    const p = this.pending.get(rid);
    this.pending.delete(rid);
    return p;
  }

  private closeNow(reason: string): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const l of this.closeListeners) l(reason);
  }
}
