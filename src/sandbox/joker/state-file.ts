/**
 * The Joker sandbox's state on disk (`<dir>/<name>.json`, mode 0600), as the EPP sandbox keeps its
 * own (src/sandbox/epp/state-file.ts; it shares only src/sandbox/state-key.ts with it, and nothing with the adapter):
 * a gateway restarted on the zero-setup start finds the domains, contacts, name servers, balances
 * and the asynchronous requests' results (Proc-IDs, result-list / result-retrieve) its database
 * refers to, so a bulk item AWAITING_REGISTRY is settled by its result instead of waiting
 * idempotency.awaitHours for a Proc-ID the registry no longer knows.
 *
 * Written atomically (a temporary file, then rename) after every request, before its answer is
 * sent. Not written: sessions (a restart ends them, as Joker's own do), reseller API keys and
 * passwords (configuration), and a queued request's processing (code): a request still unprocessed
 * ("?") when the state was written is, once loaded, NACKed with Status-Code 2400 "not processed: the
 * sandbox stopped before its turn", nothing applied, so the gateway settles its item as refused
 * rather than waiting for it. Auth-IDs, the only secrets in it, are encrypted (AES-256-GCM) with
 * the 32 random bytes of `<dir>/state.key` (mode 0600, 64 hex digits; created when absent).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SecretBox, stateKey } from '../state-key.js';
import type { ContactRec, DomainRec, HostRec, Job } from './records.js';
import type { Store } from './store.js';
import { removeStaleTemps, tempName } from '../../core/stale-temp.js';

const FORMAT = 'rgw-joker-sandbox-state/1';

/** A job as written: everything but its processing. */
type SavedJob = Omit<Job, 'apply'>;

interface SavedState {
  format: typeof FORMAT;
  tlds: string[];
  savedAt: string;
  sequences: ReturnType<Store['sequences']>;
  balances: Array<{ uid: string; balanceCents: number }>;
  contacts: ContactRec[];
  hosts: HostRec[];
  domains: DomainRec[];
  jobs: SavedJob[];
}

/** The answer a request unprocessed at the last write gets once loaded (DMAPI NACK headers). */
export const NOT_PROCESSED: Array<[string, string]> = [
  ['Status-Code', '2400'],
  ['Status-Text', 'Command failed'],
  ['Result', 'NACK'],
  ['Error', 'not processed: the sandbox stopped before its turn; nothing was applied'],
];

/** One Joker sandbox's state file: open() once before serving, save() after each request. */
export class JokerStateFile {
  private box?: SecretBox;
  /** Writes run one after another; each writes the store as it is when it starts. */
  private chain: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(
    private readonly dir: string,
    private readonly name: string,
    private readonly store: Store,
  ) {}

  get path(): string {
    return path.join(this.dir, `${this.name}.json`);
  }

  /**
   * Loads the saved state into the store (true), or writes the store as it is (its seed) when
   * there is no file yet (false). Throws, naming the file, when it is of other TLDs or unreadable.
   */
  async open(now: number): Promise<boolean> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await removeStaleTemps(this.path); // a write an earlier process was killed in
    const box = new SecretBox(await stateKey(this.dir));
    if (!existsSync(this.path)) {
      this.box = box;
      await this.save();
      return false;
    }
    let saved: SavedState;
    try {
      saved = JSON.parse(await readFile(this.path, 'utf8')) as SavedState;
      if (saved.format !== FORMAT) throw new Error(`format ${String(saved.format)}, expected ${FORMAT}`);
      for (const d of saved.domains) d.authId = box.open(d.authId);
    } catch (e) {
      throw new Error(`sandbox state ${this.path} cannot be read (${(e as Error).message}); move it away to start this sandbox from its seed`);
    }
    if (saved.tlds.join(',') !== this.store.cfg.tlds.join(',')) {
      throw new Error(`sandbox state ${this.path} is of TLDs ${saved.tlds.join(', ')}, not ${this.store.cfg.tlds.join(', ')}; move it away to start this sandbox from its seed`);
    }
    const s = this.store;
    for (const b of saved.balances) {
      const r = s.resellers.get(b.uid);
      if (r) r.balanceCents = b.balanceCents;
    }
    s.contacts = new Map(saved.contacts.map((c) => [c.handle, c]));
    s.hosts = new Map(saved.hosts.map((h) => [h.host, h]));
    s.domains = new Map(saved.domains.map((d) => [d.name, d]));
    s.jobs = saved.jobs.map((j) => (j.status === '?' ? { ...j, status: 'nack', answer: j.deleted || j.statusOnly ? null : NOT_PROCESSED.map(([k, v]): [string, string] => [k, v]), apply: () => [] } : { ...j, apply: () => [] }));
    s.restoreSequences(saved.sequences, now);
    this.box = box; // from here on the file may be written (never after a failed open)
    return true;
  }

  /** Resolves once the store as it is now (or later) is on disk; rejects when that write failed. Nothing before open(). */
  save(): Promise<void> {
    if (!this.box) return Promise.resolve();
    const next = this.chain.then(() => this.write());
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async write(): Promise<void> {
    const box = this.box!;
    const s = this.store;
    const state: SavedState = {
      format: FORMAT,
      tlds: s.cfg.tlds,
      savedAt: new Date().toISOString(),
      sequences: s.sequences(),
      balances: [...s.resellers.values()].map((r) => ({ uid: r.uid, balanceCents: r.balanceCents })),
      contacts: [...s.contacts.values()],
      hosts: [...s.hosts.values()],
      domains: [...s.domains.values()].map((d) => ({ ...d, authId: box.seal(d.authId) })),
      jobs: s.jobs.map(({ apply: _apply, ...j }) => j),
    };
    const tmp = tempName(this.path, ++this.seq);
    await writeFile(tmp, JSON.stringify(state), { mode: 0o600 });
    await rename(tmp, this.path);
  }
}
