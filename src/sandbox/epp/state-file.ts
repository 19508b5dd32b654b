/**
 * The sandbox registry's state on disk, so that a restarted sandbox has the objects a database
 * written meanwhile (idempotency records, the gateway's domain list, poll messages) refers to.
 *
 * One JSON file per sandbox (`<dir>/<name>.json`, mode 0600): domains, hosts, contacts (with
 * transfer data and grace periods), poll queues and the id sequences. It is written atomically
 * (a temporary file, then rename) and the sandbox answers a command only once the state after it
 * is written (writes of concurrent commands are grouped), so a crash of the process, kill -9
 * included, never leaves an answered command unsaved. Auth infos, the only secrets in it, are
 * encrypted (AES-256-GCM) with a key of 32 random bytes kept in `<dir>/state.key` (mode 0600),
 * so the file can be read, copied and searched without showing them; registrar passwords are
 * configuration and are not written at all.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SecretBox, stateKey } from '../state-key.js';
import type { ContactRecord, DomainRecord, HostRecord, PollMessage } from './records.js';
import type { Store } from './store.js';
import { removeStaleTemps, tempName } from '../../core/stale-temp.js';

const FORMAT = 'rgw-epp-sandbox-state/1';

interface SavedState {
  format: typeof FORMAT;
  profile: string;
  tlds: string[];
  savedAt: Date;
  sequences: Store['sequences'];
  domains: DomainRecord[];
  hosts: HostRecord[];
  contacts: ContactRecord[];
  poll: PollMessage[];
}

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

/** One sandbox's state file. */
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

  constructor(
    private readonly dir: string,
    private readonly name: string,
    private readonly store: Store,
  ) {}

  get path(): string {
    return path.join(this.dir, `${this.name}.json`);
  }

  /**
   * Loads the saved state into the store (true), or leaves the store as it is (its seed) and
   * writes it (false) when there is no file yet. Throws, naming the file, when the file belongs
   * to another profile or TLD set, or cannot be read.
   */
  async open(): Promise<boolean> {
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
    this.store.load(saved);
    this.savedVersion = this.store.version;
    this.box = box; // from here on the file may be written (never after a failed open)
    return true;
  }

  /** Whether the store changed since the last snapshot written (false until open() succeeded). */
  get dirty(): boolean {
    return this.box !== undefined && this.store.version !== this.savedVersion;
  }

  /** Resolves once a snapshot taken after this call is on disk (concurrent calls share one write). */
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
    const s = this.store;
    const state: SavedState = {
      format: FORMAT,
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
    this.savedVersion = Math.max(this.savedVersion, version);
  }
}
