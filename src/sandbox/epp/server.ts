/** EPP over TLS (RFC 5734): framing, one session per connection, greeting on connect, faults. */
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import { prepare, type Env, type Prepared } from './dispatch.js';
import type { FaultQueue } from './faults.js';
import { newSessionState, type SessionState } from './flows/session.js';
import { buildGreeting } from './greeting.js';
import { EppError, buildResponse, type EppResult } from './result.js';

/** What EppTlsServer needs: the command environment, faults, hooks after each command, the svTRID source, the largest frame (bytes, header included). */
export interface ServerOptions {
  env: Env;
  faults: FaultQueue;
  onApplied(key: string): void;
  /** After a command ran and before it is answered: make its effect durable (rejects: no answer). */
  commit(key: string | null): Promise<void>;
  nextSvTRID(): string;
  maxFrameBytes: number;
}

class FrameError extends Error {}

/** A bug in the sandbox, not a client error: answered with 2400 and reported on stderr. */
function unexpected(e: unknown): void {
  console.error('[epp-sandbox] unexpected error', e);
}

/** RFC 5734 framing: a 4-byte big-endian total length (header included), then the XML. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly maxFrameBytes: number) {}

  /** Appends bytes read; returns the frames now complete (their XML bytes, header removed), in order. */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Buffer[] = [];
    while (this.buf.length >= 4) {
      const total = this.buf.readUInt32BE(0);
      if (total <= 4) throw new FrameError(`Invalid frame length ${total}`);
      if (total > this.maxFrameBytes) throw new FrameError(`Frame of ${total} bytes exceeds the limit of ${this.maxFrameBytes}`);
      if (this.buf.length < total) break;
      frames.push(this.buf.subarray(4, total));
      this.buf = this.buf.subarray(total);
    }
    return frames;
  }
}

/** One RFC 5734 frame (length header and UTF-8 XML) in one buffer, for one socket write. */
export function encodeFrame(xml: string): Buffer {
  const total = Buffer.byteLength(xml, 'utf8') + 4;
  const frame = Buffer.allocUnsafe(total);
  frame.writeUInt32BE(total, 0);
  frame.write(xml, 4, 'utf8');
  return frame;
}

/** One client connection. Frames are handled strictly one after another. */
class Connection {
  private readonly reader: FrameReader;
  private readonly state: SessionState = newSessionState();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** Aborted when the socket closes: a delayed answer is not waited for once its client is gone. */
  private readonly gone = new AbortController();

  constructor(
    private readonly socket: tls.TLSSocket,
    private readonly opts: ServerOptions,
  ) {
    this.reader = new FrameReader(opts.maxFrameBytes);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close(true));
    socket.on('close', () => {
      this.closed = true;
      this.gone.abort();
    });
    this.send(buildGreeting(opts.env.profile, opts.env.clock.now()));
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Buffer[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      const msg = e instanceof FrameError ? e.message : 'Invalid frame';
      this.chain = this.chain.then(() => {
        this.send(buildResponse({ code: 2500, msg }, undefined, this.opts.nextSvTRID()));
        this.close(false);
      });
      return;
    }
    for (const f of frames) this.chain = this.chain.then(() => this.handle(f));
  }

  private async handle(frame: Buffer): Promise<void> {
    if (this.closed) return;
    const svTRID = this.opts.nextSvTRID();
    let prepared: Prepared;
    try {
      prepared = prepare(frame, this.opts.env, this.state, svTRID);
    } catch (e) {
      unexpected(e);
      prepared = { key: null, run: () => ({ code: 2400 }) };
    }
    // A command refused before it runs (not logged in, malformed) uses up no fault: it waits for the next one.
    const before = prepared.refused ? undefined : this.opts.faults.take(prepared.key, 'before');
    if (before?.action === 'server-error') {
      this.send(buildResponse({ code: 2400 }, prepared.clTRID, svTRID));
      return;
    }
    if (before?.action === 'end-login') {
      Object.assign(this.state, { ...newSessionState(), clientId: undefined });
      this.send(buildResponse({ code: 2002, msg: 'Registrar is not logged in.' }, prepared.clTRID, svTRID));
      return;
    }
    if (before?.action === 'close-session' || before?.action === 'session-limit') {
      this.send(buildResponse({ code: before.action === 'session-limit' ? 2502 : 2500 }, prepared.clTRID, svTRID));
      this.close(false);
      return;
    }
    let result: EppResult | 'greeting';
    try {
      result = prepared.run();
    } catch (e) {
      if (!(e instanceof EppError)) unexpected(e);
      result = e instanceof EppError ? { code: e.code, msg: e.message, close: e.close } : { code: 2400 };
    }
    const applied = prepared.key !== null && (result === 'greeting' || result.code < 2000);
    // An after-apply fault is used only by a command that was applied (a refused one leaves it queued);
    // taken at once, before the await below, so that the command applied first gets it.
    const fault = applied ? this.opts.faults.take(prepared.key, 'after') : undefined;
    try {
      await this.opts.commit(prepared.key);
    } catch (e) {
      // Applied in memory but not saved: no answer, as after a crash (the client must reconcile).
      console.error('[epp-sandbox] the state could not be saved; the command is left unanswered', e);
      this.close(true);
      return;
    }
    const answer = result !== 'greeting' && fault?.action === 'omit-resdata' ? { ...result, resData: undefined } : result;
    const out = answer === 'greeting' ? buildGreeting(this.opts.env.profile, this.opts.env.clock.now()) : buildResponse(answer, prepared.clTRID, svTRID);
    if (applied && prepared.key !== null) this.opts.onApplied(prepared.key);
    if (fault?.action === 'drop-after-apply') {
      this.close(true);
      return;
    }
    if (fault?.action === 'delay') {
      // Ends early (and answers nothing) when the client gives up and closes the connection.
      const waited = await sleep(fault.delayMs ?? 1000, true, { signal: this.gone.signal }).catch(() => false);
      if (!waited) return;
    }
    if (fault?.action === 'hold-after-apply') {
      const gone = new Promise<false>((resolve) => this.gone.signal.addEventListener('abort', () => resolve(false), { once: true }));
      if (this.gone.signal.aborted || !(await Promise.race([this.opts.faults.hold().then(() => true), gone]))) return;
    }
    this.send(out);
    if (result !== 'greeting' && (result.close || result.code >= 2500)) this.close(false);
  }

  private send(xml: string): void {
    if (!this.closed && this.socket.writable) this.socket.write(encodeFrame(xml));
  }

  close(hard: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (hard) this.socket.destroy();
    else this.socket.end();
  }
}

/**
 * EPP over TLS (RFC 5734; TLS 1.2 or later): a greeting on connect, 4-byte length framing, one session per
 * connection, frames answered in order; a bad frame length is answered 2500 and the connection closed.
 */
export class EppTlsServer {
  private server?: tls.Server;
  private readonly connections = new Set<{ socket: tls.TLSSocket; conn: Connection }>();

  constructor(private readonly opts: ServerOptions) {}

  listen(host: string, port: number, key: string, cert: string): Promise<{ host: string; port: number }> {
    const server = tls.createServer({ key, cert, minVersion: 'TLSv1.2' }, (socket) => {
      // A handshake that completes after close() began would otherwise keep server.close() waiting.
      if (!this.server) return void socket.destroy();
      const entry = { socket, conn: new Connection(socket, this.opts) };
      this.connections.add(entry);
      socket.on('close', () => this.connections.delete(entry));
    });
    server.on('tlsClientError', () => undefined);
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const addr = server.address();
        resolve({ host, port: typeof addr === 'object' && addr ? addr.port : port });
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const { socket, conn } of this.connections) {
      conn.close(true);
      socket.destroy(); // also sockets already half-closed (ended after logout/2500), which close() skips
    }
    this.connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
