/**
 * The embedded PGlite with its PostgreSQL in a worker thread.
 *
 * PGlite is PostgreSQL compiled to WebAssembly; whatever thread holds it runs every statement's
 * WebAssembly and the synchronous file writes of its WAL. In the gateway's own thread that work
 * competed with GraphQL, the EPP sessions and the bulk runner (a 10,000-item bulkRenew spent
 * some 45% of the gateway thread's busy time in PGlite's WebAssembly and writes). Here the real
 * PGlite lives in a worker thread and does nothing but run the wire-protocol bytes it is sent
 * (`execProtocolRawSync`), while everything else stays in the calling thread, in PGlite's own
 * code: the client returned is a subclass of PGlite's BasePGlite (the class PGlite and
 * PGliteWorker share), so `query`, `exec`, `transaction`, `describeQuery`, serialisers, parsers
 * and the errors they throw (`messages.DatabaseError`, which pglite-prisma-adapter maps to
 * Prisma's codes) are PGlite's, unchanged. This file supplies what PGlite's own class does around
 * them, as it does it:
 * - the two exclusive locks (one interactive transaction at a time; one statement's protocol
 *   exchange at a time), held in this thread: the database has exactly this one client, so there
 *   is nothing to coordinate with the worker (PGliteWorker instead takes them in the worker,
 *   three messages per statement, and finds its worker by BroadcastChannel leader election and
 *   navigator.locks, which are for browser tabs sharing one database);
 * - parsing the answer bytes, the first DatabaseError thrown, notices, and NOTIFY delivered to
 *   `listen` callbacks (the notifications come back in the bytes of the statement that committed
 *   them, as in PGlite, since the only listener is this same backend);
 * - `close`: waits for both locks, then PGlite's own close runs in the worker (a clean shutdown
 *   of PostgreSQL) and the thread ends.
 *
 * syncToFs is a no-op, as it is in PGlite for the two file systems the gateway uses (a directory
 * through Node's fs, and memory://): both write through at once. Blobs (COPY ... TO/FROM
 * '/dev/blob') are not supported. If the worker dies (a WebAssembly trap), every waiting and
 * later call fails with the reason.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { PGliteOptions, Results, Transaction, QueryOptions } from '@electric-sql/pglite';
import type { messages as pgMessages } from '@electric-sql/pglite';

type BackendMessage = pgMessages.BackendMessage;

/** What the gateway uses of a PGlite: PGlite's own query/exec/transaction (from BasePGlite) plus listen and close. */
export interface EmbeddedPGlite {
  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(sql: string, options?: QueryOptions): Promise<Array<Results>>;
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  listen(channel: string, callback: (payload: string) => void, tx?: Transaction): Promise<(tx?: Transaction) => Promise<void>>;
  unlisten(channel: string, callback?: (payload: string) => void, tx?: Transaction): Promise<void>;
  readonly closed: boolean;
  /** How long (ms) no statement has been under way: 0 while one is (its protocol exchange with the thread). */
  idleMs(): number;
  /**
   * The database thread's memory, in bytes: `heapUsed`, its JavaScript heap in use (V8's
   * used_heap_size, garbage not yet collected included; PostgreSQL's own memory is not in it), and
   * `wasmMemory`, PostgreSQL's WebAssembly memory (its size only grows; null where this PGlite
   * does not show it). Answered after the statements sent before it; does not count as a statement
   * for idleMs.
   */
  memory(): Promise<EmbeddedMemory>;
  close(): Promise<void>;
}

/** EmbeddedPGlite.memory's answer, in bytes. */
export interface EmbeddedMemory {
  heapUsed: number;
  wasmMemory: number | null;
}

/** BasePGlite's constructor, as far as we rely on it (its abstract members are implemented below). */
type BasePGliteClass = abstract new () => {
  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(sql: string, options?: QueryOptions): Promise<Array<Results>>;
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  _initArrayTypes(opts?: { force?: boolean }): Promise<void>;
};

interface ExecOptions {
  throwOnError?: boolean;
  onNotice?: (notice: unknown) => void;
}

/** The worker: opens the real PGlite, then runs each message's protocol bytes and answers with PostgreSQL's. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.pglite).then(async ({ PGlite }) => {
  let db;
  try {
    db = await PGlite.create(workerData.dataDir, workerData.options);
  } catch (e) {
    parentPort.postMessage({ failed: String((e && e.stack) || e) });
    return;
  }
  parentPort.on('message', async (m) => {
    if (m instanceof Uint8Array) {
      // execProtocolRawStream, not execProtocolRawSync: the latter also parses every answer into a
      // list PGlite empties only in execProtocol, so in this thread, which runs nothing else, each
      // message PostgreSQL ever sent stayed on the heap (the thread's heap grew 15 -> 80 MiB over
      // 1,500 creations and two 1,500-item bulk jobs). The calling thread parses the bytes anyway.
      const chunks = [];
      let size = 0;
      try {
        await db.execProtocolRawStream(m, { syncToFs: false, onRawData: (chunk) => { chunks.push(chunk.slice()); size += chunk.length; } });
      } catch (e) {
        parentPort.postMessage({ error: String((e && e.stack) || e) });
        return;
      }
      let out = chunks.length === 1 ? chunks[0] : new Uint8Array(size);
      if (chunks.length !== 1) {
        let at = 0;
        for (const c of chunks) { out.set(c, at); at += c.length; }
      }
      if (out.byteLength === out.buffer.byteLength) parentPort.postMessage(out, [out.buffer]);
      else parentPort.postMessage(out.slice());
    } else if (m === 'heap') {
      const wasm = db.mod && db.mod.HEAPU8 ? db.mod.HEAPU8.byteLength : null;
      parentPort.postMessage({ heapUsed: require('node:v8').getHeapStatistics().used_heap_size, wasmMemory: wasm });
    } else if (m === 'close') {
      let error;
      try {
        await db.close();
      } catch (e) {
        error = String((e && e.stack) || e);
      }
      parentPort.postMessage({ closed: true, error });
      parentPort.close();
    }
  });
  parentPort.postMessage({ ready: true });
});
`;

/**
 * The worker's young generation, in MiB. The worker allocates little (each answer's bytes are a
 * buffer outside the heap, handed over without a copy), but V8 sizes a thread's young generation
 * for throughput: with its default the gateway's peak RSS during a 10,000-item bulkRenew was
 * 293-309 MiB (bench/bulk.mjs, embedded), with 4 MiB 279-281 MiB, against 252-258 MiB with PGlite
 * in the gateway's thread.
 */
const WORKER_YOUNG_GENERATION_MB = 4;

type Reply = Uint8Array | { error?: string; closed?: boolean; ready?: boolean; failed?: string; heapUsed?: number; wasmMemory?: number | null };

/**
 * Opens the PGlite at `dataDir` (a directory or "memory://") in a worker thread and resolves with
 * its client once PostgreSQL is up and the array types are loaded (as PGlite.create does).
 */
export async function createPGliteThread(dataDir: string, options: Omit<PGliteOptions, 'dataDir' | 'extensions'> = {}): Promise<EmbeddedPGlite> {
  // The thread first: PostgreSQL starts in it (after a crash, with the replay of its write-ahead
  // log) while this thread loads PGlite's JavaScript and goes on with the gateway's start.
  const pgliteUrl = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href.replace(/\.cjs$/, '.js');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { pglite: pgliteUrl, dataDir, options }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
  let onMessage: (reply: Reply) => void = () => {};
  let onError: (e: Error) => void = () => {};
  let onExit: (code: number) => void = () => {};
  const starting = new Promise<Reply>((resolve, reject) => {
    onMessage = resolve;
    onError = reject;
    onExit = (code) => reject(new Error(`the embedded database's thread exited (code ${code}) while opening ${dataDir}`));
    worker.once('message', onMessage).once('error', onError).once('exit', onExit);
  });
  // Observed below; a failure to load PGlite here must not leave it unhandled.
  starting.catch(() => undefined);
  let pglite: typeof import('@electric-sql/pglite');
  let Base: BasePGliteClass;
  try {
    let workerModule: typeof import('@electric-sql/pglite/worker');
    [pglite, workerModule] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite/worker')]);
    Base = Object.getPrototypeOf(workerModule.PGliteWorker) as BasePGliteClass;
    if (typeof Base?.prototype?.query !== 'function' || typeof Base.prototype.transaction !== 'function') {
      throw new Error('@electric-sql/pglite: BasePGlite not found behind PGliteWorker (package layout changed)');
    }
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  const { Mutex, protocol, messages } = pglite;
  const toPostgresName = (name: string) => (name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1) : name.toLowerCase());

  class PGliteThread extends Base implements EmbeddedPGlite {
    debug = 0 as const;
    readonly #worker: Worker;
    readonly #queryLock = new Mutex();
    readonly #transactionLock = new Mutex();
    readonly #listenLock = new Mutex();
    #parser = new protocol.Parser();
    /** Callers waiting for the worker's answers, in the order their messages were sent (the worker answers in order). */
    readonly #waiting: Array<{ resolve(reply: Reply): void; reject(e: Error): void }> = [];
    readonly #listeners = new Map<string, Set<(payload: string) => void>>();
    readonly #notificationListeners = new Set<(channel: string, payload: string) => void>();
    /** performance.now() when the last answer came back with none awaited (see idleMs). */
    #idleSince = performance.now();
    #closing = false;
    #closed = false;
    #closePromise?: Promise<void>;
    #dead?: Error;

    constructor(worker: Worker) {
      super();
      this.#worker = worker;
      worker.on('message', (reply: Reply) => this.#waiting.shift()?.resolve(reply));
      worker.on('error', (e) => this.#die(e));
      worker.on('exit', (code) => this.#die(Object.assign(new Error(`the embedded database's thread exited (code ${code})`), { exitCode: code })));
      // The thread keeps the process alive only while an answer is awaited, as an idle PGlite does not.
      worker.unref();
    }

    #die(e: Error): void {
      if (!this.#closed && !this.#closing) this.#dead ??= e;
      for (const w of this.#waiting.splice(0)) w.reject(this.#dead ?? e);
    }

    #send(message: Uint8Array | 'close' | 'heap'): Promise<Reply> {
      if (this.#dead) return Promise.reject(this.#dead);
      return new Promise<Reply>((resolve, reject) => {
        if (this.#waiting.length === 0) this.#worker.ref();
        this.#waiting.push({
          resolve: (reply) => {
            if (this.#waiting.length === 0) {
              this.#worker.unref();
              // A memory reading is no statement: it leaves the idle time (vacuum's cue) as it was.
              if (message !== 'heap') this.#idleSince = performance.now();
            }
            resolve(reply);
          },
          reject,
        });
        this.#worker.postMessage(message);
      });
    }

    async memory(): Promise<EmbeddedMemory> {
      const reply = await this.#send('heap');
      if (reply instanceof Uint8Array || reply.heapUsed === undefined) throw new Error('the embedded database thread answered a memory reading with something else');
      return { heapUsed: reply.heapUsed, wasmMemory: reply.wasmMemory ?? null };
    }

    idleMs(): number {
      return this.#waiting.length > 0 ? 0 : performance.now() - this.#idleSince;
    }

    get ready(): boolean {
      return !this.#closing && !this.#closed && !this.#dead;
    }

    get closed(): boolean {
      return this.#closed;
    }

    get waitReady(): Promise<void> {
      return Promise.resolve();
    }

    async _checkReady(): Promise<void> {
      if (this.#dead) throw this.#dead;
      if (this.#closing) throw new Error('PGlite is closing');
      if (this.#closed) throw new Error('PGlite is closed');
    }

    _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T> {
      return this.#queryLock.runExclusive(fn);
    }

    _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T> {
      return this.#transactionLock.runExclusive(fn);
    }

    async execProtocolRaw(message: Uint8Array): Promise<Uint8Array> {
      const reply = await this.#send(message);
      if (reply instanceof Uint8Array) return reply;
      throw new Error(`the embedded database failed: ${reply.error ?? 'unexpected answer'}`);
    }

    /** PGlite's execProtocolStream: the answer's messages; throws the first DatabaseError (unless throwOnError is false). */
    async execProtocolStream(message: Uint8Array, opts: ExecOptions = {}): Promise<BackendMessage[]> {
      return this.#parse(await this.execProtocolRaw(message), opts);
    }

    async execProtocol(message: Uint8Array, opts: ExecOptions = {}): Promise<{ messages: BackendMessage[]; data: Uint8Array }> {
      const data = await this.execProtocolRaw(message);
      return { messages: this.#parse(data, opts), data };
    }

    /** As PGlite collects an answer: every message up to the first error, notices to `onNotice`, notifications to the listeners. */
    #parse(data: Uint8Array, { throwOnError = true, onNotice }: ExecOptions): BackendMessage[] {
      const results: BackendMessage[] = [];
      let databaseError: InstanceType<typeof messages.DatabaseError> | undefined;
      this.#parser.parse(data, (msg: BackendMessage) => {
        if (databaseError) return;
        if (msg instanceof messages.DatabaseError) {
          if (throwOnError) databaseError = msg;
        } else if (msg instanceof messages.NoticeMessage) {
          onNotice?.(msg);
        } else if (msg instanceof messages.NotificationResponseMessage) {
          this.#notify(msg.channel, msg.payload);
        }
        results.push(msg);
      });
      if (databaseError) {
        this.#parser = new protocol.Parser();
        throw databaseError;
      }
      return results;
    }

    async execProtocolRawStream(message: Uint8Array, { onRawData }: { onRawData(data: Uint8Array): void }): Promise<void> {
      onRawData(await this.execProtocolRaw(message));
    }

    async syncToFs(): Promise<void> {
      // Nothing to do: see the header.
    }

    async _handleBlob(blob?: unknown): Promise<void> {
      if (blob) throw new Error('the embedded database thread does not support blobs (COPY with /dev/blob)');
    }

    async _getWrittenBlob(): Promise<undefined> {
      return undefined;
    }

    async _cleanupBlob(): Promise<void> {}

    #notify(channel: string, payload: string): void {
      const callbacks = this.#listeners.get(channel);
      if (callbacks) for (const cb of callbacks) queueMicrotask(() => cb(payload));
      for (const cb of this.#notificationListeners) queueMicrotask(() => cb(channel, payload));
    }

    /** PGlite's listen: registers the callback, then `LISTEN channel` (in `tx` if given). */
    listen(channel: string, callback: (payload: string) => void, tx?: Transaction): Promise<(tx?: Transaction) => Promise<void>> {
      return this.#listenLock.runExclusive(async () => {
        const name = toPostgresName(channel);
        const on = tx ?? this;
        if (!this.#listeners.has(name)) this.#listeners.set(name, new Set());
        this.#listeners.get(name)!.add(callback);
        try {
          await on.exec(`LISTEN ${channel}`);
        } catch (e) {
          this.#listeners.get(name)!.delete(callback);
          if (this.#listeners.get(name)?.size === 0) this.#listeners.delete(name);
          throw e;
        }
        return async (unlistenTx?: Transaction) => this.unlisten(name, callback, unlistenTx);
      });
    }

    /** PGlite's unlisten: removes the callback; `UNLISTEN` once the channel has none left (or at once without a callback). */
    unlisten(channel: string, callback?: (payload: string) => void, tx?: Transaction): Promise<void> {
      return this.#listenLock.runExclusive(async () => {
        const name = toPostgresName(channel);
        const on = tx ?? this;
        const unlisten = async () => {
          await on.exec(`UNLISTEN ${channel}`);
          if (this.#listeners.get(name)?.size === 0) this.#listeners.delete(name);
        };
        if (callback) {
          this.#listeners.get(name)?.delete(callback);
          if (this.#listeners.get(name)?.size === 0) await unlisten();
        } else {
          await unlisten();
        }
      });
    }

    onNotification(callback: (channel: string, payload: string) => void): () => void {
      this.#notificationListeners.add(callback);
      return () => this.#notificationListeners.delete(callback);
    }

    offNotification(callback: (channel: string, payload: string) => void): void {
      this.#notificationListeners.delete(callback);
    }

    /** PGlite's close: after any transaction and statement under way, PostgreSQL shuts down cleanly in the worker; the thread ends. */
    close(): Promise<void> {
      this.#closePromise ??= (async () => {
        await this.#transactionLock.runExclusive(() => this.#queryLock.runExclusive(async () => void (this.#closing = true)));
        try {
          if (!this.#dead) {
            // PGlite's close may end the thread (Emscripten's exit) before it answers: that is a clean close too.
            const reply = await this.#send('close').catch((e: Error & { exitCode?: number }) => {
              if (e.exitCode === 0) return { closed: true } as Reply;
              throw e;
            });
            if (!(reply instanceof Uint8Array) && reply.error) throw new Error(`closing the embedded database: ${reply.error}`);
          }
        } finally {
          this.#closed = true;
          this.#closing = false;
          await this.#worker.terminate();
        }
      })();
      return this.#closePromise;
    }
  }

  try {
    const started = await starting;
    if (!(started instanceof Uint8Array) && started.failed) throw new Error(`opening the embedded database ${dataDir} failed: ${started.failed}`);
  } catch (e) {
    await worker.terminate();
    throw e;
  } finally {
    worker.off('message', onMessage).off('error', onError).off('exit', onExit);
  }
  const db = new PGliteThread(worker);
  try {
    await db._initArrayTypes();
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
  return db;
}
