/**
 * Joker sandbox: an in-memory reseller account at a Joker-like registrar, speaking DMAPI 1.2
 * (shared/upstream/004_3d0c9974b3057d3e.txt) over HTTPS. Independent of the gateway's Joker adapter
 * on purpose: it shares no code or types with src/backends/.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { certificates } from '../repp/tls.js';
import { tick } from './process.js';
import { JOKER_SEED, JOKER_SEED_RESELLERS, type SeedReseller } from './seed.js';
import { JokerHttpServer } from './server.js';
import { JokerStateFile } from './state-file.js';
import { Store } from './store.js';

export { JOKER_SEED_RESELLERS } from './seed.js';

/** The gateway's view of the sandbox resellers: registrar id, UID, API key, web login and a seeded contact handle. */
export const JOKER_SANDBOX_ACCOUNTS: readonly { registrarId: string; uid: string; apiKey: string; username: string; password: string; contact: string }[] = JOKER_SEED_RESELLERS.map(
  ({ registrarId, uid, apiKey, username, password }) => ({ registrarId, uid, apiKey, username, password, contact: JOKER_SEED.contacts.find((c) => c.reseller === uid)!.handle }),
);

/** The zones the sandbox serves by default: under RFC 2606's ".test", so never a real registration. */
export const JOKER_SANDBOX_TLDS = ['joker.test', 'dmapi.test'] as const;

/** Options of new JokerSandbox(), all optional (host 127.0.0.1, port 0, clock: the system clock, resellers: JOKER_SEED_RESELLERS; others as stated). */
export interface JokerSandboxOptions {
  /** Zones served (default joker.test and dmapi.test); a leading dot is ignored. */
  tlds?: string[];
  /** Zones whose periods may be any number of months (default: dmapi.test, where served); the others take whole years. */
  monthlyTlds?: string[];
  host?: string;
  port?: number;
  clock?: Clock;
  /** Idle time after which a session expires (default 1 hour, as the document says). */
  sessionIdleMs?: number;
  /** Delay before a contact or name-server request is processed (default 0: at the next request). */
  objectDelayMs?: number;
  /** Delay before a domain request is processed (default 2000 ms). */
  domainDelayMs?: number;
  seed?: boolean;
  resellers?: readonly SeedReseller[];
  maxBodyBytes?: number;
  /**
   * How many handles query-contact-list answers when neither "from" nor "to" is given (default
   * 10000, the document's "Unless explicitly requested ("from" and/or "to" parameters), the number
   * of entries returned is limited to 10000!"); a test may lower it to reach the cap with a few contacts.
   */
  contactListCap?: number;
  /** Keep the certificate in this file (../repp/tls.ts, certificates()); default: generated at each start. */
  tlsFile?: string;
  /**
   * Keep the state in `<dir>/<name>.json` (state-file.ts): loaded at start (the seed when there is
   * no file yet), written after every request. Default: in memory only, the seed at each start.
   */
  state?: { dir: string; name: string };
}

/** What JokerSandbox.start() resolves: the HTTPS base URL, host, port and the PEM certificate to trust. */
export interface JokerSandboxAddress {
  /** Base URL; the requests go to <url>/request/<name>. */
  url: string;
  host: string;
  port: number;
  /** PEM of the server certificate (trust it as the CA). */
  ca: string;
}

/** A domain as a test sees it (a snapshot). */
export interface JokerSandboxDomain {
  name: string;
  resellerUid: string;
  ns: string[];
  ds: string[];
  lock: boolean;
  autorenew: boolean;
  expires: string;
  authId: string;
  deleted: boolean;
}

/**
 * An in-process Joker reseller account speaking DMAPI 1.2 over HTTPS (shared/upstream/004): sessions that expire,
 * modifying requests answered with a Proc-ID and processed later (result-list/result-retrieve). Tests read
 * domain(), balanceCents(), answered(), pendingJobs(), expire or refuse sessions, hold()/release() and reset() it.
 */
export class JokerSandbox {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly server: JokerHttpServer;
  private readonly counters = new Map<string, number>();
  private readonly rows = new Map<string, number>();
  private readonly stateFile?: JokerStateFile;

  constructor(private readonly opts: JokerSandboxOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    const tlds = (opts.tlds && opts.tlds.length > 0 ? opts.tlds : [...JOKER_SANDBOX_TLDS]).map((t) => t.toLowerCase().replace(/^\./, ''));
    const monthlyTlds = (opts.monthlyTlds ?? ['dmapi.test']).map((t) => t.toLowerCase().replace(/^\./, '')).filter((t) => tlds.includes(t));
    this.store = new Store({ tlds, monthlyTlds, resellers: opts.resellers ?? JOKER_SEED_RESELLERS, seed: opts.seed ?? true, contactListCap: opts.contactListCap ?? 10_000 });
    this.store.reset(this.clock.now().getTime());
    this.server = new JokerHttpServer({
      store: this.store,
      clock: this.clock,
      sessionIdleMs: opts.sessionIdleMs ?? 3_600_000,
      delays: { object: opts.objectDelayMs ?? 0, domain: opts.domainDelayMs ?? 2000 },
      maxBodyBytes: opts.maxBodyBytes ?? 1024 * 1024,
      onRequest: (name) => this.counters.set(name, (this.counters.get(name) ?? 0) + 1),
      onRows: (name, rows) => this.rows.set(name, (this.rows.get(name) ?? 0) + rows),
      persist: () => this.stateFile?.save() ?? Promise.resolve(),
    });
    if (opts.state) this.stateFile = new JokerStateFile(opts.state.dir, opts.state.name, this.store);
  }

  /** The state file, when the sandbox keeps its state (JokerSandboxOptions.state). */
  get statePath(): string | undefined {
    return this.stateFile?.path;
  }

  get tlds(): string[] {
    return [...this.store.cfg.tlds];
  }

  /** Served zones whose periods may be any number of months. */
  get monthlyTlds(): string[] {
    return [...this.store.cfg.monthlyTlds];
  }

  async start(): Promise<JokerSandboxAddress> {
    await this.stateFile?.open(this.clock.now().getTime());
    const c = await certificates(this.opts.tlsFile);
    const a = await this.server.listen(this.opts.host ?? '127.0.0.1', this.opts.port ?? 0, { key: c.key, cert: c.cert });
    return { ...a, url: `https://localhost:${a.port}`, ca: c.cert };
  }

  /** Stops serving; with a state file, writes the state as it is then (requests processed since the last request included). */
  async stop(): Promise<void> {
    await this.server.close();
    await this.stateFile?.save();
    await this.stateFile?.close();
  }

  /** Restores the seed; forgets sessions, results and counters. */
  reset(): void {
    this.store.reset(this.clock.now().getTime());
    this.counters.clear();
    this.rows.clear();
    this.stateFile?.save().catch((e: unknown) => console.error('[joker-sandbox] could not save the state after reset', e));
  }

  /** Ends every session, as an idle timeout or a server restart would. */
  expireSessions(): void {
    this.store.sessions.clear();
  }

  /** Refuse every session as expired (logins still succeed), until called with false. */
  refuseSessions(on: boolean): void {
    this.server.refuseSessions = on;
  }

  /**
   * The next request of this name (e.g. "domain-register") is refused with HTTP 429 and Retry-After,
   * unprocessed (once). `as`: the header as delay-seconds (default) or as the HTTP date that many
   * seconds after the sandbox's clock's now (RFC 9110 10.2.3 allows either).
   */
  tooManyRequests(name: string, retryAfterSeconds: number, as: 'seconds' | 'http-date' = 'seconds'): void {
    this.server.tooManyRequests.set(name, { seconds: retryAfterSeconds, as });
  }

  /** The next request of this name is processed as usual and answered HTTP 200 with `text` as it is (once): a reply the client cannot read. */
  garbleAfterApply(name: string, text: string): void {
    this.server.garbleAfterApply.set(name, text);
  }

  /**
   * The next request of this name is accepted and queued as usual, then answered HTTP 500 with
   * `Status-Code: 2400` and no Error lines (once): a failure reply that does not say the request
   * was not processed (DMAPI "Basics": only Error lines say so).
   */
  failAfterApply(name: string): void {
    this.server.failAfterApply.add(name);
  }

  /**
   * The next request of this name is accepted and processed (its job queued) as usual, then
   * answered HTTP 200 with this non-zero `Status-Code` (any text: "2400", "1", "E17") and
   * `Status-Text` but no Error lines (once): an error reply that does not say the request was not
   * processed (DMAPI "Basics": "Status-Code: Not 0 if error occurred"; only Error lines mean
   * "processing didn't take place").
   */
  errorWithoutErrorLines(name: string, statusCode: string, statusText = 'Command failed'): void {
    this.server.errorWithoutErrorLines.set(name, { statusCode, statusText });
  }

  /**
   * The next request of this name keeps only its status in its result (once): result-retrieve
   * shows `Status: ack` or `nack` without Status-Code, Status-Text or Error lines, as the document
   * allows ("If detailed information (content) is not available, only status will be returned").
   */
  statusOnlyResult(name: string): void {
    this.server.statusOnlyResult.add(name);
  }

  /**
   * Adds `count` contacts of the reseller `uid` (handles from the sandbox's own sequence, made
   * 100 days ago), as if it had created them earlier: a long contact list without as many requests.
   * Returns their handles.
   */
  addContacts(uid: string, count: number): string[] {
    const at = this.clock.now().getTime() - 100 * 86_400_000;
    const handles: string[] = [];
    for (let i = 0; i < count; i++) {
      const handle = this.store.nextHandle();
      this.store.contacts.set(handle, { handle, reseller: uid, tld: this.store.cfg.tlds[0], fields: { name: `Bulk Contact ${i}`, email: `bulk-${i}@contacts.test`, 'address-1': '1 Test Street', city: 'Testville', 'postal-code': '10001', country: 'EE', phone: '+372.5550001' }, created: at, modified: at });
      handles.push(handle);
    }
    return handles;
  }

  /**
   * Adds `count` live domains of the reseller `uid` named `<prefix>-<n>.<first served zone>`,
   * registered 100 days ago for a year, with the reseller's seeded contact and the sandbox name
   * server, as if it had registered them earlier: a large portfolio without as many requests.
   * Returns their names.
   */
  addDomains(uid: string, count: number, prefix = 'bulk'): string[] {
    const at = this.clock.now().getTime() - 100 * 86_400_000;
    const contact = JOKER_SEED.contacts.find((c) => c.reseller === uid)!.handle;
    const template = [...this.store.domains.values()].find((d) => d.reseller === uid && d.deletedAt === null)!;
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      const name = `${prefix}-${i}.${this.store.cfg.tlds[0]}`;
      this.store.domains.set(name, { ...template, name, owner: contact, admin: contact, tech: contact, billing: contact, ns: [...template.ns], ds: [], created: at, modified: at, expires: at + 365 * 86_400_000, lock: false, autorenew: false, deletedAt: null, authId: `Bulk-auth-${i}`, registrationCents: 0 });
      names.push(name);
    }
    return names;
  }

  /** How many body lines the answers to requests of this name carried in all (since the last reset), e.g. "query-domain-list". */
  rowsAnswered(name: string): number {
    return this.rows.get(name) ?? 0;
  }

  /** Hold every queued request unprocessed (results stay "?") until release(), whatever the clock says. */
  hold(): void {
    this.store.held = true;
  }

  /** Process queued requests again, each once it is due. */
  release(): void {
    this.store.held = false;
  }

  /** Live sessions. */
  sessions(): number {
    return this.store.sessions.size;
  }

  /** How many requests of this name were answered without a refusal, e.g. "login". */
  answered(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  /** Results of asynchronous requests still to be processed ("?"). */
  pendingJobs(): number {
    tick(this.store, this.clock.now().getTime());
    return this.store.jobs.filter((j) => j.status === '?').length;
  }

  /** A reseller's balance in cents. */
  balanceCents(uid: string): number {
    return this.store.resellers.get(uid)?.balanceCents ?? 0;
  }

  domain(name: string): JokerSandboxDomain | undefined {
    tick(this.store, this.clock.now().getTime());
    const d = this.store.domains.get(name);
    if (!d) return undefined;
    return { name: d.name, resellerUid: d.reseller, ns: [...d.ns], ds: [...d.ds], lock: d.lock, autorenew: d.autorenew, expires: new Date(d.expires).toISOString(), authId: d.authId, deleted: d.deletedAt !== null };
  }
}
