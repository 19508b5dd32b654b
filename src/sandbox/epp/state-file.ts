/**
 * The sandbox registry's state on disk, so that a restarted sandbox has the objects a database
 * written meanwhile (idempotency records, the gateway's domain list, poll messages) refers to.
 *
 * Two files per sandbox, both mode 0600: a snapshot `<dir>/<name>.json` (domains, hosts,
 * contacts with transfer data and grace periods, poll queues, the id sequences) and a journal
 * `<dir>/<name>.journal`, one JSON line per write holding only what changed since the last one
 * (the records a command changed, created or deleted, the poll messages added and removed,
 * the sequences). A write appends to the journal; when the journal has grown past the
 * snapshot's size (and at least 1 MiB), the next write is a new snapshot (a temporary file, then
 * rename) of a new generation, and the journal starts again, so a command costs what it changed,
 * not the whole registry (a snapshot of 3,000 domains took 87-196 ms, and a bulk job on the
 * zero-setup start ran at 10 items a second behind it). Opening reads the snapshot, replays the
 * journal lines of its generation and writes a new snapshot.
 *
 * The sandbox answers a command only once the write after it is done (writes of concurrent
 * commands are grouped), so a crash of the process, kill -9 included, never loses an answered
 * command; a journal line cut short by a kill was never answered and is dropped when read.
 * Auth infos, the only secrets in either file, are encrypted (AES-256-GCM) with a key of 32
 * random bytes kept in `<dir>/state.key` (mode 0600), so the files can be read, copied and
 * searched without showing them; registrar passwords are configuration and are not written.
 */
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { SecretBox, stateKey } from '../state-key.js';
import type { ContactRecord, DomainRecord, HostRecord, PollMessage } from './records.js';
import type { Store, StoreChanges } from './store.js';
import { removeStaleTemps, tempName } from '../../core/stale-temp.js';

const FORMAT = 'rgw-epp-sandbox-state/1';

/** The snapshot: the whole state, of a generation (absent in files written before the journal: 0). */
interface SavedState {
  format: typeof FORMAT;
  generation?: number;
  profile: string;
  tlds: string[];
  savedAt: Date;
  sequences: Store['sequences'];
  domains: DomainRecord[];
  hosts: HostRecord[];
  contacts: ContactRecord[];
  poll: PollMessage[];
}

/** One journal line: what one write changed; a key with null was deleted. Lines of an older generation than the snapshot's are already in it. */
interface JournalEntry {
  generation: number;
  sequences: Store['sequences'];
  domains: [string, DomainRecord | null][];
  hosts: [string, HostRecord | null][];
  contacts: [string, ContactRecord | null][];
  pollAdded: PollMessage[];
  pollRemoved: string[];
}

/** The journal's size (bytes) past which the next write is a snapshot, when the snapshot is smaller. */
const MIN_COMPACT_BYTES = 1024 * 1024;

/** JSON with Dates and Sets kept as such ({"$date": iso}, {"$set": [...]}). */
function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return { $date: raw.toISOString() };
    if (raw instanceof Set) return { $set: [...raw] };
    return v;
  });
}

function decode(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o.$date === 'string' && Object.keys(o).length === 1) return new Date(o.$date);
      if (Array.isArray(o.$set) && Object.keys(o).length === 1) return new Set(o.$set);
    }
    return v;
  });
}

/** One sandbox's state files: the snapshot and its journal. */
export class StateFile {
  private box?: SecretBox;
  /** The write in progress (never rejects; its callers see its error). */
  private current: Promise<void> = Promise.resolve();
  /** The write that will take a snapshot once `current` is done; shared by every caller meanwhile. */
  private queued?: Promise<void>;
  private savedVersion = -1;
  private seq = 0;
  /** The last sealed form of each record's auth info (sealing is most of a write's cost). */
  private readonly sealed = new WeakMap<object, { plain: string; sealed: string }>();
  /** The snapshot's generation; journal lines are written with it. */
  private generation = 0;
  private journal?: FileHandle;
  private journalBytes = 0;
  /** Bytes of the last snapshot written. */
  private snapshotBytes = 0;
  /** A write failed: changes it took may be lost, so the next write is a whole snapshot. */
  private needSnapshot = false;

  constructor(
    private readonly dir: string,
    private readonly name: string,
    private readonly store: Store,
  ) {}

  get path(): string {
    return path.join(this.dir, `${this.name}.json`);
  }

  /** The journal beside the snapshot. */
  get journalPath(): string {
    return path.join(this.dir, `${this.name}.journal`);
  }

  /**
   * Loads the saved state (snapshot, then its journal) into the store (true), or leaves the store
   * as it is (its seed) and writes it (false) when there is no snapshot yet; either way a new
   * snapshot is written and the journal emptied. Throws, naming the file, when the state belongs
   * to another profile or TLD set, or cannot be read.
   */
  async open(): Promise<boolean> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await removeStaleTemps(this.path); // a write an earlier process was killed in
    const box = new SecretBox(await stateKey(this.dir));
    if (!existsSync(this.path)) {
      await rm(this.journalPath, { force: true }); // a journal without its snapshot holds no whole state
      await this.begin(box);
      return false;
    }
    let saved: SavedState;
    try {
      saved = decode(await readFile(this.path, 'utf8')) as SavedState;
      if (saved.format !== FORMAT) throw new Error(`format ${String(saved.format)}, expected ${FORMAT}`);
      for (const d of saved.domains) d.authInfo = box.open(d.authInfo);
      for (const c of saved.contacts) c.authInfo = box.open(c.authInfo);
    } catch (e) {
      throw new Error(`sandbox state ${this.path} cannot be read (${(e as Error).message}); move it away to start this sandbox from its seed`);
    }
    const { profile, tlds } = this.store.cfg;
    if (saved.profile !== profile || saved.tlds.join(',') !== tlds.join(',')) {
      throw new Error(`sandbox state ${this.path} is of profile ${saved.profile} with TLDs ${saved.tlds.join(', ')}, not ${profile} with ${tlds.join(', ')}; move it away to start this sandbox from its seed`);
    }
    this.generation = saved.generation ?? 0;
    const state = await this.replay(saved, box);
    this.store.load(state);
    await this.begin(box);
    return true;
  }

  /**
   * The snapshot with the journal's lines of its generation applied, in order. A last line cut
   * short (no newline) is a write a kill interrupted before its command was answered, and is
   * dropped; a whole line that cannot be read makes the state unreadable.
   */
  private async replay(saved: SavedState, box: SecretBox): Promise<SavedState> {
    let text: string;
    try {
      text = await readFile(this.journalPath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return saved;
      throw new Error(`sandbox state ${this.journalPath} cannot be read (${(e as Error).message})`);
    }
    const domains = new Map(saved.domains.map((d) => [d.name, d]));
    const hosts = new Map(saved.hosts.map((h) => [h.roid, h]));
    const contacts = new Map(saved.contacts.map((c) => [c.id, c]));
    const poll = new Map(saved.poll.map((m) => [m.id, m]));
    let sequences = saved.sequences;
    const lines = text.split('\n');
    lines.pop(); // after the last newline: nothing, or a line a kill cut short (its command was never answered)
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line === '') continue;
      let entry: JournalEntry;
      try {
        entry = decode(line) as JournalEntry;
        if (entry.generation < this.generation) continue;
        for (const [, d] of entry.domains) if (d) d.authInfo = box.open(d.authInfo);
        for (const [, c] of entry.contacts) if (c) c.authInfo = box.open(c.authInfo);
      } catch (e) {
        throw new Error(`sandbox state ${this.journalPath} cannot be read at line ${i + 1} (${(e as Error).message}); move it and ${path.basename(this.path)} away to start this sandbox from its seed`);
      }
      apply(domains, entry.domains);
      apply(hosts, entry.hosts);
      apply(contacts, entry.contacts);
      for (const m of entry.pollAdded) poll.set(m.id, m);
      for (const id of entry.pollRemoved) poll.delete(id);
      sequences = entry.sequences;
    }
    return { ...saved, sequences, domains: [...domains.values()], hosts: [...hosts.values()], contacts: [...contacts.values()], poll: [...poll.values()] };
  }

  /** From a loaded (or seeded) store: a snapshot of the next generation, and an empty journal open for appending. */
  private async begin(box: SecretBox): Promise<void> {
    this.box = box; // from here on the files may be written (never after a failed open)
    this.store.takeChanges();
    await this.snapshot(box);
    this.savedVersion = this.store.version;
  }

  /** Whether the store changed since the last write (false until open() succeeded). */
  get dirty(): boolean {
    return this.box !== undefined && this.store.version !== this.savedVersion;
  }

  /** Resolves once what changed before this call is on disk (concurrent calls share one write). */
  save(): Promise<void> {
    this.queued ??= (async () => {
      await this.current;
      this.queued = undefined; // changes from here on need the next write
      const write = this.write();
      this.current = write.catch(() => undefined);
      await write;
    })();
    return this.queued;
  }

  /** Closes the journal (after the last save; stop()). */
  async close(): Promise<void> {
    await this.current;
    await this.journal?.close();
    this.journal = undefined;
  }

  private seal(box: SecretBox, record: { authInfo: string }): string {
    const last = this.sealed.get(record);
    if (last?.plain === record.authInfo) return last.sealed;
    const sealed = box.seal(record.authInfo);
    this.sealed.set(record, { plain: record.authInfo, sealed });
    return sealed;
  }

  private async write(): Promise<void> {
    const box = this.box;
    if (!box) throw new Error('StateFile.open() first');
    const version = this.store.version;
    const changes = this.store.takeChanges();
    try {
      if (changes.all || this.needSnapshot || this.journalBytes >= Math.max(MIN_COMPACT_BYTES, this.snapshotBytes)) {
        await this.snapshot(box);
      } else {
        await this.append(box, changes);
      }
    } catch (e) {
      this.needSnapshot = true;
      throw e;
    }
    this.needSnapshot = false;
    this.savedVersion = Math.max(this.savedVersion, version);
  }

  /** Appends one journal line with the records `changes` names as they are now (null: gone). */
  private async append(box: SecretBox, changes: StoreChanges): Promise<void> {
    const s = this.store;
    const entry: JournalEntry = {
      generation: this.generation,
      sequences: s.sequences,
      domains: [...changes.domains].map((k) => {
        const d = s.domains.get(k);
        return [k, d ? { ...d, authInfo: this.seal(box, d) } : null];
      }),
      hosts: [...changes.hosts].map((k) => [k, s.hosts.get(k) ?? null]),
      contacts: [...changes.contacts].map((k) => {
        const c = s.contacts.get(k);
        return [k, c ? { ...c, authInfo: this.seal(box, c) } : null];
      }),
      pollAdded: s.poll.filter((m) => changes.pollAdded.has(m.id)),
      pollRemoved: [...changes.pollRemoved],
    };
    const line = `${encode(entry)}\n`;
    this.journal ??= await open(this.journalPath, 'a', 0o600);
    await this.journal.write(line);
    this.journalBytes += Buffer.byteLength(line);
  }

  /** Writes the whole state as the snapshot of the next generation, then empties the journal. */
  private async snapshot(box: SecretBox): Promise<void> {
    const s = this.store;
    const generation = this.generation + 1;
    const state: SavedState = {
      format: FORMAT,
      generation,
      profile: s.cfg.profile,
      tlds: s.cfg.tlds,
      savedAt: new Date(),
      sequences: s.sequences,
      domains: [...s.domains.values()].map((d) => ({ ...d, authInfo: this.seal(box, d) })),
      hosts: [...s.hosts.values()],
      contacts: [...s.contacts.values()].map((c) => ({ ...c, authInfo: this.seal(box, c) })),
      poll: s.poll,
    };
    const text = encode(state);
    const tmp = tempName(this.path, ++this.seq);
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, this.path);
    // The journal's lines are of the last generation, which the new snapshot holds; a kill before this leaves them to be skipped.
    this.generation = generation;
    this.snapshotBytes = Buffer.byteLength(text);
    this.journal ??= await open(this.journalPath, 'a', 0o600);
    await this.journal.truncate(0);
    this.journalBytes = 0;
  }
}

/** Applies a journal line's records to a map (null: deleted). */
function apply<R>(map: Map<string, R>, records: [string, R | null][]): void {
  for (const [key, r] of records) {
    if (r === null) map.delete(key);
    else map.set(key, r);
  }
}
