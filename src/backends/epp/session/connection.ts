/** One TLS connection to an EPP server: framing, the greeting, and one request at a time. */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { FrameDecoder, encodeFrame } from './framing.js';
import type { WriteFence } from '../../../core/write-fence.js';

/** TLS for the EPP connection (RFC 5734: TLS, with the registrar's client certificate): `ca`/`cert`/`key` as PEM text or a path to a PEM file; `servername` defaults to the host unless it is an IP; `rejectUnauthorized` defaults to true. */
export interface EppTlsOptions {
  /** PEM or a path to one. */
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  rejectUnauthorized?: boolean;
}

/** Where and how to connect: host, TCP port (700 per RFC 5734), TLS, the greeting deadline in ms, and the largest frame accepted in bytes (default 16 MiB). */
export interface ConnectionOptions {
  host: string;
  port: number;
  tls: EppTlsOptions;
  connectTimeoutMs: number;
  maxFrameBytes?: number;
  /** Hold the socket in the EPP I/O thread (io-thread.ts: ThreadedConnection) rather than in the calling thread (EppConnection). */
  ioThread?: boolean;
}

/** The transport failed. `written`: the request had been handed to the socket (outcome unknown). */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly written: boolean,
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** A PEM given inline, or read from a path. */
export function pem(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

/**
 * What an EPP session needs of its connection (EppConnection in the calling thread, or
 * ThreadedConnection in the EPP I/O thread, io-thread.ts): send a frame and get the next one,
 * failures as TransportError, close listeners. `queues`: whether `request` accepts one next
 * request while one is in flight (written when its answer is read), or refuses it.
 */
export interface EppTransport {
  readonly closed: boolean;
  readonly queues: boolean;
  onClose(listener: (reason: string) => void): void;
  /** `fence`: its revocation flag checked when the frame is written, its time limit too when the frame had to wait behind another; one that no longer holds fails the request as not written (FENCED_MESSAGE). */
  request(xml: string, timeoutMs: number, fence?: WriteFence): Promise<string>;
  destroy(reason?: string): void;
}

/** An aborted connect's reason as text: the signal's reason when it is a string or an Error, else 'aborted'. */
export function abortReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return typeof r === 'string' ? r : r instanceof Error && !(r.name === 'AbortError') ? r.message : 'aborted';
}

/** Why a request whose fence no longer held was not written (TransportError, written false). */
export const FENCED_MESSAGE = 'what allowed it no longer holds (its bulk job was cancelled, or the lease that allowed it is too old to rely on)';

/**
 * tls.connect's options for `opts`: host and port, the PEMs read (pem: inline or a path; a missing
 * file throws here), servername the host unless it is an IP, rejectUnauthorized true unless set.
 */
export function tlsConnectOptions(opts: ConnectionOptions): tls.ConnectionOptions {
  return {
    host: opts.host,
    port: opts.port,
    ca: pem(opts.tls.ca),
    cert: pem(opts.tls.cert),
    key: pem(opts.tls.key),
    servername: opts.tls.servername ?? (isIP(opts.host) ? undefined : opts.host),
    rejectUnauthorized: opts.tls.rejectUnauthorized ?? true,
  };
}

interface Waiter {
  resolve: (xml: string) => void;
  reject: (e: TransportError) => void;
  written: boolean;
}

/**
 * The deadline of the request in flight: one timer per connection, re-armed (`refresh()`, no new
 * timer) by every request and left running after its answer, when it finds no request to fail. A
 * timer made and cleared per command was 0.09 ms of CPU per `domain(name)` on bench/http.mjs's
 * path (CPU profile, loaded machine: Node makes and drops a timer list each time); unref'd, so
 * that it keeps no process alive after its last command.
 */
class RequestDeadline {
  private timer: NodeJS.Timeout | null = null;
  private ms = 0;

  constructor(private readonly expired: (ms: number) => void) {}

  /** From now, `ms` milliseconds. */
  arm(ms: number): void {
    if (this.timer && this.ms === ms) {
      this.timer.refresh();
      return;
    }
    this.clear();
    this.ms = ms;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.expired(this.ms);
    }, ms).unref();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * One TLS connection speaking RFC 5734 framing, one request in flight at a time. Failures reject with TransportError
 * (`written`: the frame reached the socket; `timedOut`); the connection is then closed and its onClose listeners told once.
 */
export class EppConnection implements EppTransport {
  readonly queues = false;
  private readonly decoder: FrameDecoder;
  private waiter: Waiter | null = null;
  private closedFlag = false;
  private readonly closeListeners: Array<(reason: string) => void> = [];
  /** Fails the request in flight, if there is one, when its time is up. */
  private readonly deadline = new RequestDeadline((ms) => this.waiter && this.fail(`no response within ${ms} ms`, true));

  private constructor(private readonly socket: tls.TLSSocket, maxFrameBytes?: number) {
    this.decoder = new FrameDecoder(maxFrameBytes);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(`connection error: ${e.message}`));
    socket.on('close', () => this.fail('connection closed by the server'));
  }

  /**
   * Connect, complete TLS and read the greeting frame (returned as XML). `signal` aborted before
   * the greeting (a stop that will not wait: EppSession.abortOpen) closes the socket and rejects at
   * once, with the abort's reason (TransportError, not written).
   */
  static connect(opts: ConnectionOptions, signal?: AbortSignal): Promise<{ connection: EppConnection; greetingXml: string }> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new TransportError(`cannot connect to ${opts.host}:${opts.port}: ${abortReason(signal)}`, false));
        return;
      }
      const socket = tls.connect(tlsConnectOptions(opts));
      const conn = new EppConnection(socket, opts.maxFrameBytes);
      const timer = setTimeout(() => {
        conn.fail(`no greeting within ${opts.connectTimeoutMs} ms`, true);
      }, opts.connectTimeoutMs);
      const onAbort = () => conn.fail(abortReason(signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
      const settled = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      conn.waiter = {
        written: false,
        resolve: (greetingXml) => {
          settled();
          resolve({ connection: conn, greetingXml });
        },
        reject: (e) => {
          settled();
          reject(new TransportError(`cannot connect to ${opts.host}:${opts.port}: ${e.message}`, false, e.timedOut));
        },
      };
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener);
  }

  /** Send one frame and wait for the next frame from the server; not when `fence` is revoked (TransportError, not written). */
  request(xml: string, timeoutMs: number, fence?: WriteFence): Promise<string> {
    if (this.closedFlag || this.socket.destroyed || !this.socket.writable) {
      return Promise.reject(new TransportError('connection is closed', false));
    }
    if (fence?.isRevoked) return Promise.reject(new TransportError(FENCED_MESSAGE, false));
    if (this.waiter) return Promise.reject(new TransportError('a request is already in flight', false));
    return new Promise<string>((resolve, reject) => {
      const w: Waiter = { resolve, reject, written: false };
      this.deadline.arm(timeoutMs);
      this.waiter = w;
      this.socket.write(encodeFrame(xml));
      w.written = true;
    });
  }

  /** Close the socket; a request in flight fails. */
  destroy(reason = 'closed by the client'): void {
    this.fail(reason);
  }

  private onData(chunk: Buffer): void {
    let frames: string[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      this.fail((e as Error).message);
      return;
    }
    for (const f of frames) {
      const w = this.waiter;
      if (!w) {
        this.fail('unsolicited frame from the server');
        return;
      }
      this.waiter = null;
      w.resolve(f);
    }
  }

  private fail(reason: string, timedOut = false): void {
    const w = this.waiter;
    this.waiter = null;
    if (w) {
      w.reject(new TransportError(reason, w.written, timedOut));
    }
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.deadline.clear();
    this.socket.destroy();
    for (const l of this.closeListeners) l(reason);
  }
}
