/**
 * The Joker sandbox's state on disk (`<dir>/<name>.json`, mode 0600), as the EPP sandbox keeps its
 * own (src/sandbox/epp/state-file.ts; it shares only src/sandbox/state-key.ts and src/sandbox/journaled-file.ts with it, and nothing with the adapter):
 * a gateway restarted on the zero-setup start finds the domains, contacts, name servers, balances
 * and the asynchronous requests' results (Proc-IDs, result-list / result-retrieve) its database
 * refers to, so a bulk item AWAITING_REGISTRY is settled by its result instead of waiting
 * idempotency.awaitHours for a Proc-ID the registry no longer knows.
 *
 * Written after every request, before its answer is sent, as the EPP sandbox writes its own
 * (src/sandbox/journaled-file.ts): a line of the journal `<dir>/<name>.journal` with what the
 * request changed (the records it looked up, created or deleted, the requests accepted, processed
 * or deleted, the balances and id sequences), and a snapshot of the whole state (a temporary file,
 * then rename) at the start and whenever the journal has outgrown it; concurrent requests share a
 * write. (Writing the whole state after every request took 440 ms with 3,000 domains and 6,000
 * results, one request after another.) Not written: sessions (a restart ends them, as Joker's own do), reseller API keys and
 * passwords (configuration), and a queued request's processing (code): a request still unprocessed
 * ("?") when the state was written is, once loaded, NACKed with Status-Code 2400 "not processed: the
 * sandbox stopped before its turn", nothing applied, so the gateway settles its item as refused
 * rather than waiting for it. Auth-IDs, the only secrets in it, are encrypted (AES-256-GCM) with
 * the 32 random bytes of `<dir>/state.key` (mode 0600, 64 hex digits; created when absent).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { JournaledFile, applyRecords } from '../journaled-file.js';
import { SecretBox, stateKey } from '../state-key.js';
import type { ContactRec, DomainRec, HostRec, Job } from './records.js';
import type { Store } from './store.js';

const FORMAT = 'rgw-joker-sandbox-state/1';

/** A job as written: everything but its processing. */
type SavedJob = Omit<Job, 'apply'>;

type SavedState = {
  format: typeof FORMAT;
  generation?: number;
  tlds: string[];
  savedAt: string;
  sequences: ReturnType<Store['sequences']>;
  balances: Array<{ uid: string; balanceCents: number }>;
  contacts: ContactRec[];
  hosts: HostRec[];
  domains: DomainRec[];
  jobs: SavedJob[];
};

/** One journal line: what one write changed (a key with null was deleted), the balances and sequences as they are then. */
type JournalEntry = {
  sequences: ReturnType<Store['sequences']>;
  balances: Array<{ uid: string; balanceCents: number }>;
  contacts: [string, ContactRec | null][];
  hosts: [string, HostRec | null][];
  domains: [string, DomainRec | null][];
  jobs: SavedJob[];
};

/** The answer a request unprocessed at the last write gets once loaded (DMAPI NACK headers). */
export const NOT_PROCESSED: Array<[string, string]> = [
  ['Status-Code', '2400'],
  ['Status-Text', 'Command failed'],
  ['Result', 'NACK'],
  ['Error', 'not processed: the sandbox stopped before its turn; nothing was applied'],
];

/** One Joker sandbox's state files: open() once before serving, save() after each request. */
export class JokerStateFile {
  private box?: SecretBox;
  private readonly file: JournaledFile;
  /** The last sealed form of each domain's Auth-ID (sealing is most of a snapshot's cost). */
  private readonly sealed = new WeakMap<object, { plain: string; sealed: string }>();
  private lastSequences = '';

  constructor(
    private readonly dir: string,
    name: string,
    private readonly store: Store,
  ) {
    this.file = new JournaledFile(path.join(dir, name), { whole: () => this.whole(), changes: () => this.changes() });
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
   * Loads the saved state (snapshot, then its journal) into the store (true), or keeps the store
   * as it is (its seed) when there is no snapshot yet (false); either way writes a new snapshot
   * and empties the journal. Throws, naming the file, when it is of other TLDs or unreadable.
   */
  async open(now: number): Promise<boolean> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const box = new SecretBox(await stateKey(this.dir));
    let saved: SavedState | undefined;
    try {
      const read = await this.file.read();
      if (read) {
        saved = read.snapshot as SavedState;
        if (saved.format !== FORMAT) throw new Error(`format ${String(saved.format)}, expected ${FORMAT}`);
        for (const d of saved.domains) d.authId = box.open(d.authId);
        saved = replay(saved, read.entries as JournalEntry[], box);
      }
    } catch (e) {
      throw new Error(`sandbox state ${this.path} cannot be read (${(e as Error).message}); move it and ${path.basename(this.journalPath)} away to start this sandbox from its seed`);
    }
    if (saved) {
      if (saved.tlds.join(',') !== this.store.cfg.tlds.join(',')) {
        throw new Error(`sandbox state ${this.path} is of TLDs ${saved.tlds.join(', ')}, not ${this.store.cfg.tlds.join(', ')}; move it away to start this sandbox from its seed`);
      }
      const s = this.store;
      for (const b of saved.balances) {
        const r = s.resellers.get(b.uid);
        if (r) r.balanceCents = b.balanceCents;
      }
      s.load({
        contacts: saved.contacts,
        hosts: saved.hosts,
        domains: saved.domains,
        jobs: saved.jobs.map((j) => (j.status === '?' ? { ...j, status: 'nack', answer: j.deleted || j.statusOnly ? null : NOT_PROCESSED.map(([k, v]): [string, string] => [k, v]), apply: () => [] } : { ...j, apply: () => [] })),
      });
      s.restoreSequences(saved.sequences, now);
    }
    this.box = box; // from here on the files may be written (never after a failed open)
    await this.file.begin();
    return saved !== undefined;
  }

  /** Resolves once what changed before this call is on disk (concurrent calls share one write); rejects when that write failed. Nothing before open(). */
  save(): Promise<void> {
    return this.file.save();
  }

  /** Closes the journal (after the last save; stop()). */
  close(): Promise<void> {
    return this.file.close();
  }

  private seal(d: DomainRec): string {
    const last = this.sealed.get(d);
    if (last?.plain === d.authId) return last.sealed;
    const sealed = this.box!.seal(d.authId);
    this.sealed.set(d, { plain: d.authId, sealed });
    return sealed;
  }

  private balances(): Array<{ uid: string; balanceCents: number }> {
    return [...this.store.resellers.values()].map((r) => ({ uid: r.uid, balanceCents: r.balanceCents }));
  }

  /** The whole state, Auth-IDs sealed. */
  private whole(): SavedState {
    const s = this.store;
    this.lastSequences = JSON.stringify(s.sequences());
    return {
      format: FORMAT,
      tlds: s.cfg.tlds,
      savedAt: new Date().toISOString(),
      sequences: s.sequences(),
      balances: this.balances(),
      contacts: [...s.contacts.values()],
      hosts: [...s.hosts.values()],
      domains: [...s.domains.values()].map((d) => ({ ...d, authId: this.seal(d) })),
      jobs: s.jobs.map(({ apply: _apply, ...j }) => j),
    };
  }

  /** What the store noted as changed since the last write, as it is now (null: gone); undefined when nothing did. */
  private changes(): JournalEntry | 'all' | undefined {
    const s = this.store;
    const changes = s.takeChanges();
    if (changes.all) return 'all';
    const sequences = JSON.stringify(s.sequences());
    const none = changes.domains.size + changes.contacts.size + changes.hosts.size + changes.jobs.size === 0;
    if (none && sequences === this.lastSequences) return undefined;
    this.lastSequences = sequences;
    return {
      sequences: s.sequences(),
      balances: this.balances(),
      contacts: [...changes.contacts].map((k) => [k, s.contacts.get(k) ?? null]),
      hosts: [...changes.hosts].map((k) => [k, s.hosts.get(k) ?? null]),
      domains: [...changes.domains].map((k) => {
        const d = s.domains.get(k);
        return [k, d ? { ...d, authId: this.seal(d) } : null];
      }),
      jobs: changes.jobs.size === 0 ? [] : s.jobs.filter((j) => changes.jobs.has(j.procId)).map(({ apply: _apply, ...j }) => j),
    };
  }
}

/** The snapshot with the journal's lines applied in order, Auth-IDs opened. */
function replay(saved: SavedState, entries: JournalEntry[], box: SecretBox): SavedState {
  if (entries.length === 0) return saved;
  const contacts = new Map(saved.contacts.map((c) => [c.handle, c]));
  const hosts = new Map(saved.hosts.map((h) => [h.host, h]));
  const domains = new Map(saved.domains.map((d) => [d.name, d]));
  const jobs = new Map(saved.jobs.map((j) => [j.procId, j]));
  let { sequences, balances } = saved;
  for (const entry of entries) {
    for (const [, d] of entry.domains) if (d) d.authId = box.open(d.authId);
    applyRecords(contacts, entry.contacts);
    applyRecords(hosts, entry.hosts);
    applyRecords(domains, entry.domains);
    for (const j of entry.jobs) jobs.set(j.procId, j);
    ({ sequences, balances } = entry);
  }
  return { ...saved, sequences, balances, contacts: [...contacts.values()], hosts: [...hosts.values()], domains: [...domains.values()], jobs: [...jobs.values()] };
}
