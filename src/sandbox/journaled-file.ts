/**
 * A sandbox's state on disk as a snapshot and a journal, what the sandboxes' state files
 * (src/sandbox/epp/state-file.ts, src/sandbox/joker/state-file.ts) share besides their key
 * (state-key.ts). Sandbox code only: no adapter imports it, and it imports nothing of one.
 *
 * - `<base>.json`: the whole state, written as a temporary file then renamed (mode 0600), with a
 *   `generation` number;
 * - `<base>.journal`: one JSON line per write with only what changed since the write before it,
 *   each carrying the generation of the snapshot it follows (mode 0600).
 *
 * A write appends a line; once the journal has grown past the snapshot's size (and at least
 * `minCompactBytes`), or when the owner says everything changed, the write is a snapshot of the
 * next generation and the journal is emptied. A kill between the rename and the emptying leaves
 * lines of an older generation, which reading skips (the snapshot holds them). A last line
 * without its newline is a write a kill cut short, before the command it follows was answered,
 * and is dropped when read.
 *
 * Writes are grouped: save() resolves once what changed before the call is on disk, and every
 * call made while a write runs shares the next one. No fsync: what is written survives the
 * process (kill -9 included), not the machine.
 */
import { existsSync } from 'node:fs';
import { open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { removeStaleTemps, tempName } from '../core/stale-temp.js';

/** A snapshot as written: the owner's whole state with the generation added. */
export type Snapshot = Record<string, unknown> & { generation?: number };

/** What the owner gives the file at each write. */
export interface JournalSource {
  /** The whole state (called synchronously at the start of a snapshot). */
  whole(): Record<string, unknown>;
  /**
   * What changed since the last call, as a journal line's content; 'all' when everything must be
   * written (a reset, a load); undefined when nothing changed. Called synchronously at the
   * start of each write; what it returned is gone from the owner's bookkeeping.
   */
  changes(): Record<string, unknown> | 'all' | undefined;
  /** Text of a value (default JSON.stringify); decode reads it back (default JSON.parse). */
  encode?(value: unknown): string;
  decode?(text: string): unknown;
}

/** The journal's size (bytes) below which it is never compacted. */
export const MIN_COMPACT_BYTES = 1024 * 1024;

/** One sandbox's snapshot and journal (see the file comment). */
export class JournaledFile {
  /** The write in progress (never rejects; its callers see its error). */
  private current: Promise<void> = Promise.resolve();
  /** The write that starts once `current` is done; shared by every caller meanwhile. */
  private queued?: Promise<void>;
  private seq = 0;
  private generation = 0;
  private journal?: FileHandle;
  private journalBytes = 0;
  private snapshotBytes = 0;
  /** A write failed, so what it took may be lost: the next write is a snapshot. */
  needSnapshot = false;
  private started = false;

  /** `base`: the path without extension (`<dir>/<name>`). */
  constructor(
    private readonly base: string,
    private readonly source: JournalSource,
    private readonly minCompactBytes = MIN_COMPACT_BYTES,
  ) {}

  /** The snapshot's path (`<base>.json`). */
  get path(): string {
    return `${this.base}.json`;
  }

  /** The journal's path (`<base>.journal`). */
  get journalPath(): string {
    return `${this.base}.journal`;
  }

  private encode(value: unknown): string {
    return this.source.encode ? this.source.encode(value) : JSON.stringify(value);
  }

  private decode(text: string): unknown {
    return this.source.decode ? this.source.decode(text) : JSON.parse(text);
  }

  /**
   * The snapshot and the journal's lines of its generation, in order (undefined when there is
   * no snapshot: a journal without one is removed). Removes the temporary files of writes killed
   * processes left. Throws, naming the file and line, when either cannot be read; the caller
   * says what to do about it.
   */
  async read(): Promise<{ snapshot: Snapshot; entries: Record<string, unknown>[] } | undefined> {
    await removeStaleTemps(this.path);
    if (!existsSync(this.path)) {
      await rm(this.journalPath, { force: true });
      return undefined;
    }
    const snapshot = this.decode(await readFile(this.path, 'utf8')) as Snapshot;
    this.generation = snapshot.generation ?? 0;
    let text = '';
    try {
      text = await readFile(this.journalPath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const lines = text.split('\n');
    lines.pop(); // after the last newline: nothing, or a line a kill cut short
    const entries: Record<string, unknown>[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === '') continue;
      let entry: Record<string, unknown> & { generation?: number };
      try {
        entry = this.decode(lines[i]!) as typeof entry;
      } catch (e) {
        throw new Error(`${this.journalPath} line ${i + 1}: ${(e as Error).message}`);
      }
      if ((entry.generation ?? 0) >= this.generation) entries.push(entry);
    }
    return { snapshot, entries };
  }

  /** After read() and the owner's load (or on a fresh state): writes a snapshot and empties the journal; from here on save() writes. */
  async begin(): Promise<void> {
    this.source.changes(); // the snapshot holds them
    await this.snapshot();
    this.started = true;
  }

  /** Resolves once what changed before this call is on disk (concurrent calls share one write); nothing before begin(). */
  save(): Promise<void> {
    if (!this.started) return Promise.resolve();
    this.queued ??= (async () => {
      await this.current;
      this.queued = undefined; // changes from here on need the next write
      const write = this.write();
      this.current = write.catch(() => undefined);
      await write;
    })();
    return this.queued;
  }

  /** Waits for the writes under way, then closes the journal (save() opens it again). */
  async close(): Promise<void> {
    await this.queued?.catch(() => undefined);
    await this.current;
    await this.journal?.close();
    this.journal = undefined;
  }

  private async write(): Promise<void> {
    const changes = this.source.changes();
    try {
      if (changes === 'all' || this.needSnapshot || this.journalBytes >= Math.max(this.minCompactBytes, this.snapshotBytes)) {
        await this.snapshot();
      } else if (changes !== undefined) {
        const line = `${this.encode({ generation: this.generation, ...changes })}\n`;
        this.journal ??= await open(this.journalPath, 'a', 0o600);
        await this.journal.write(line);
        this.journalBytes += Buffer.byteLength(line);
      }
    } catch (e) {
      this.needSnapshot = true;
      throw e;
    }
    this.needSnapshot = false;
  }

  /** Writes the whole state as the snapshot of the next generation, then empties the journal. */
  private async snapshot(): Promise<void> {
    const generation = this.generation + 1;
    const text = this.encode({ ...this.source.whole(), generation });
    const tmp = tempName(this.path, ++this.seq);
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, this.path);
    this.generation = generation; // the journal's lines are of the last generation, which this snapshot holds
    this.snapshotBytes = Buffer.byteLength(text);
    this.journal ??= await open(this.journalPath, 'a', 0o600);
    await this.journal.truncate(0);
    this.journalBytes = 0;
  }
}

/**
 * A Map of records that tells `note` the keys it is asked to change (set, delete) and the keys
 * looked up (get of a present key, `lookup` true), so that a sandbox store can journal what a
 * request changed without bookkeeping in each request's code: the store counts a lookup as a
 * change while a request that may change what it looks up runs. Iteration and clear() tell
 * nothing: code that changes a record it found by iterating notes it itself, and a store that
 * clears its maps writes everything next.
 */
export class NotingMap<V> extends Map<string, V> {
  note?: (key: string, lookup: boolean) => void;

  override get(key: string): V | undefined {
    const v = super.get(key);
    if (v !== undefined) this.note?.(key, true);
    return v;
  }

  override set(key: string, value: V): this {
    this.note?.(key, false);
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    this.note?.(key, false);
    return super.delete(key);
  }
}

/**
 * Has `map` note the keys it changes into the set `into()` gives at that moment (the store's
 * current change set; undefined: the store keeps no journal, nothing is noted): keys set or
 * deleted always, keys looked up while `tracking()` is true.
 */
export function noteKeys<V>(map: NotingMap<V>, into: () => Set<string> | undefined, tracking: () => boolean): void {
  map.note = (key, lookup) => {
    if (!lookup || tracking()) into()?.add(key);
  };
}

/** Applies a journal line's records to a map by key, in order: a record replaces, null deletes. */
export function applyRecords<R>(map: Map<string, R>, records: [string, R | null][]): void {
  for (const [key, r] of records) {
    if (r === null) map.delete(key);
    else map.set(key, r);
  }
}
