/**
 * Identical concurrent database reads, done once. Many subscribers of one registrar that start or
 * follow the same stream (a pollMessages replay, a bulkJob's progress) ask for the same rows at
 * the same moments; each asking on its own, 500 subscribers made 500 identical queries per event,
 * and the database (the embedded one serialises every query) made every other request wait
 * behind them for seconds (bench/subscribe-stall.mjs).
 *
 * The ordering rule: a caller never gets the answer of a read that started before it asked.
 * A caller joins a read of the same key only while that read has not started yet; when a read of
 * its key is running, the caller waits for the next one, which starts once the running one is
 * over and is shared with everyone who asked meanwhile. So every answer a caller gets was read
 * after its call, as its own query would have been: a cursor, a watermark or a count read after a
 * write the caller saw is never older than that write. At most one read of a key runs at a time,
 * and N callers that ask while it runs cost one more read, not N.
 *
 * The answer is one object shared by every caller of that read: callers must not change it.
 */

/** A read not started yet, and who waits for it. */
interface Next {
  read: () => Promise<unknown>;
  promise: Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** One key's reads: the one running (if any), the one the callers since wait for (if any). */
interface Slot {
  running: boolean;
  next?: Next;
}

/**
 * Coalesces identical concurrent reads under the ordering rule above. A key names the query and
 * every parameter it depends on (same key: same query, same answer at the same moment); callers
 * of one key pass the same read. A read's error reaches every caller that shared it.
 */
export class SharedReads {
  private readonly slots = new Map<string, Slot>();
  /** Reads started so far (for tests and metrics). */
  started = 0;

  /**
   * The answer of `read()` for `key`, from a read that starts after this call: the pending read
   * of the key when there is one (not started yet), else a new one, started on the next microtask
   * when no read of the key is running, or as soon as the running one is over.
   */
  read<T>(key: string, read: () => Promise<T>): Promise<T> {
    let slot = this.slots.get(key);
    if (!slot) this.slots.set(key, (slot = { running: false }));
    if (slot.next) return slot.next.promise as Promise<T>;
    let resolve!: (value: unknown) => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<unknown>((res, rej) => ((resolve = res), (reject = rej)));
    slot.next = { read, promise, resolve, reject };
    // Started on a microtask: callers asking in the same turn share it (they asked before it started).
    if (!slot.running) queueMicrotask(() => this.start(key, slot));
    return promise as Promise<T>;
  }

  private start(key: string, slot: Slot): void {
    const next = slot.next!;
    slot.next = undefined;
    slot.running = true;
    this.started++;
    let answer: Promise<unknown>;
    try {
      answer = Promise.resolve(next.read());
    } catch (err) {
      answer = Promise.reject(err);
    }
    void answer.then(next.resolve, next.reject).then(() => {
      slot.running = false;
      // Those who asked while this read ran: a read of their own, started now.
      if (slot.next) this.start(key, slot);
      else this.slots.delete(key);
    });
  }
}

const byOwner = new WeakMap<object, SharedReads>();

/** The SharedReads of one database client (or other owner): reads of different databases never mix. */
export function sharedReads(owner: object): SharedReads {
  let s = byOwner.get(owner);
  if (!s) byOwner.set(owner, (s = new SharedReads()));
  return s;
}

/** A trie node of SameObjects: the value for the parts so far, and the next parts. */
interface Node<T> {
  value?: T;
  next?: WeakMap<object, Node<T>>;
}

/**
 * One object for one list of objects: `get(parts, make)` answers `make()` the first time, the
 * same object again for the same `parts` (compared by identity, in order) while they live (weakly
 * held: nothing here keeps them). Streams that build an event from the shared answers of
 * SharedReads (the same rows, the same counts) hand graphql-ws the same event object, so
 * identical subscriptions share one execution of it (src/http/shared-subscribe.ts). `parts` must
 * be non-empty and decide the whole content of what `make` builds; one instance per kind of object.
 */
export class SameObjects<T extends object> {
  private readonly roots = new WeakMap<object, Node<T>>();

  get(parts: readonly object[], make: () => T): T {
    let node = this.roots.get(parts[0]!);
    if (!node) this.roots.set(parts[0]!, (node = {}));
    for (let i = 1; i < parts.length; i++) {
      node.next ??= new WeakMap();
      let child: Node<T> | undefined = node.next.get(parts[i]!);
      if (!child) node.next.set(parts[i]!, (child = {}));
      node = child;
    }
    return (node.value ??= make());
  }
}
