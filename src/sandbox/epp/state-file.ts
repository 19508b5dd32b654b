/**
 * The sandbox registry's state on disk, so that a restarted sandbox has the objects a database
 * written meanwhile (idempotency records, the gateway's domain list, poll messages) refers to.
 *
 * Two files per sandbox (src/sandbox/journaled-file.ts), both mode 0600: a snapshot
 * `<dir>/<name>.json` (domains, hosts, contacts with transfer data and grace periods, poll
 * queues, the id sequences) and a journal
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
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { JournaledFile, applyRecords } from '../journaled-file.js';
import { SecretBox, stateKey } from '../state-key.js';
import type { ContactRecord, DomainRecord, HostRecord, PollMessage } from './records.js';
import type { Store } from './store.js';

const FORMAT = 'rgw-epp-sandbox-state/1';

/** The snapshot: the whole state, of a generation (absent in files written before the journal: 0). */
type SavedState = {
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
};

/** One journal line: what one write changed; a key with null was deleted. */
type JournalEntry = {
  sequences: Store['sequences'];
  domains: [string, DomainRecord | null][];
  hosts: [string, HostRecord | null][];
  contacts: [string, ContactRecord | null][];
  pollAdded: PollMessage[];
  pollRemoved: string[];
};

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
  private readonly file: JournaledFile;
  private savedVersion = -1;
  /** The store's version when the write under way took its changes. */
  private takenVersion = -1;
  /** The last sealed form of each record's auth info (sealing is most of a write's cost). */
  private readonly sealed = new WeakMap<object, { plain: string; sealed: string }>();

  constructor(
    private readonly dir: string,
    name: string,
    private readonly store: Store,
  ) {
    this.file = new JournaledFile(path.join(dir, name), {
      whole: () => this.whole(),
      changes: () => this.changes(),
      encode,
      decode,
    });
    store.journaling = true;
  }

  get path(): string {
    return this.file.path;
  }

  /** The journal beside the snapshot. */
  get journalPath(): string {
    return this.file.journalPath;
  }

  /**
   * Loads the saved state (snapshot, then its journal) into the store (true), or leaves the store
   * as it is (its seed) and writes it (false) when there is no snapshot yet; either way a new
   * snapshot is written and the journal emptied. Throws, naming the file, when the state belongs
   * to another profile or TLD set, or cannot be read.
   */
  async open(): Promise<boolean> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const box = new SecretBox(await stateKey(this.dir));
    let saved: SavedState | undefined;
    try {
      const read = await this.file.read();
      if (read) {
        saved = read.snapshot as unknown as SavedState;
        if (saved.format !== FORMAT) throw new Error(`format ${String(saved.format)}, expected ${FORMAT}`);
        for (const d of saved.domains) d.authInfo = box.open(d.authInfo);
        for (const c of saved.contacts) c.authInfo = box.open(c.authInfo);
        saved = replay(saved, read.entries as JournalEntry[], box);
      }
    } catch (e) {
      throw new Error(`sandbox state ${this.path} cannot be read (${(e as Error).message}); move it and ${path.basename(this.journalPath)} away to start this sandbox from its seed`);
    }
    if (saved) {
      const { profile, tlds } = this.store.cfg;
      if (saved.profile !== profile || saved.tlds.join(',') !== tlds.join(',')) {
        throw new Error(`sandbox state ${this.path} is of profile ${saved.profile} with TLDs ${saved.tlds.join(', ')}, not ${profile} with ${tlds.join(', ')}; move it away to start this sandbox from its seed`);
      }
      this.store.load(saved);
    }
    this.box = box; // from here on the files may be written (never after a failed open)
    await this.file.begin();
    this.savedVersion = this.store.version;
    return saved !== undefined;
  }

  /** Whether the store changed since the last write (false until open() succeeded). */
  get dirty(): boolean {
    return this.box !== undefined && this.store.version !== this.savedVersion;
  }

  /** Resolves once what changed before this call is on disk (concurrent calls share one write). */
  async save(): Promise<void> {
    await this.file.save();
    this.savedVersion = Math.max(this.savedVersion, this.takenVersion);
  }

  /** Closes the journal (after the last save; stop()). */
  close(): Promise<void> {
    return this.file.close();
  }

  private seal(record: { authInfo: string }): string {
    const last = this.sealed.get(record);
    if (last?.plain === record.authInfo) return last.sealed;
    const sealed = this.box!.seal(record.authInfo);
    this.sealed.set(record, { plain: record.authInfo, sealed });
    return sealed;
  }

  /** The whole state, auth infos sealed. */
  private whole(): Omit<SavedState, 'generation'> {
    const s = this.store;
    return {
      format: FORMAT,
      profile: s.cfg.profile,
      tlds: s.cfg.tlds,
      savedAt: new Date(),
      sequences: s.sequences,
      domains: [...s.domains.values()].map((d) => ({ ...d, authInfo: this.seal(d) })),
      hosts: [...s.hosts.values()],
      contacts: [...s.contacts.values()].map((c) => ({ ...c, authInfo: this.seal(c) })),
      poll: s.poll,
    };
  }

  /** The records the store noted as changed since the last write, as they are now (null: gone). */
  private changes(): JournalEntry | 'all' | undefined {
    this.takenVersion = this.store.version;
    const changes = this.store.takeChanges();
    if (changes.all) return 'all';
    if (changes.domains.size + changes.hosts.size + changes.contacts.size + changes.pollAdded.size + changes.pollRemoved.size === 0) return undefined;
    const s = this.store;
    const entry: JournalEntry = {
      sequences: s.sequences,
      domains: [...changes.domains].map((k) => {
        const d = s.domains.get(k);
        return [k, d ? { ...d, authInfo: this.seal(d) } : null];
      }),
      hosts: [...changes.hosts].map((k) => [k, s.hosts.get(k) ?? null]),
      contacts: [...changes.contacts].map((k) => {
        const c = s.contacts.get(k);
        return [k, c ? { ...c, authInfo: this.seal(c) } : null];
      }),
      pollAdded: changes.pollAdded.size === 0 ? [] : s.poll.filter((m) => changes.pollAdded.has(m.id)),
      pollRemoved: [...changes.pollRemoved],
    };
    return entry;
  }
}

/** The snapshot with the journal's lines applied in order, auth infos opened. */
function replay(saved: SavedState, entries: JournalEntry[], box: SecretBox): SavedState {
  if (entries.length === 0) return saved;
  const domains = new Map(saved.domains.map((d) => [d.name, d]));
  const hosts = new Map(saved.hosts.map((h) => [h.roid, h]));
  const contacts = new Map(saved.contacts.map((c) => [c.id, c]));
  const poll = new Map(saved.poll.map((m) => [m.id, m]));
  let sequences = saved.sequences;
  for (const entry of entries) {
    for (const [, d] of entry.domains) if (d) d.authInfo = box.open(d.authInfo);
    for (const [, c] of entry.contacts) if (c) c.authInfo = box.open(c.authInfo);
    applyRecords(domains, entry.domains);
    applyRecords(hosts, entry.hosts);
    applyRecords(contacts, entry.contacts);
    for (const m of entry.pollAdded) poll.set(m.id, m);
    for (const id of entry.pollRemoved) poll.delete(id);
    sequences = entry.sequences;
  }
  return { ...saved, sequences, domains: [...domains.values()], hosts: [...hosts.values()], contacts: [...contacts.values()], poll: [...poll.values()] };
}
