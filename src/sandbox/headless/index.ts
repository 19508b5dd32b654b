/**
 * HeadlessDomains sandbox: an in-memory registry service behind the HTTP registrar API v1 of
 * shared/upstream/000_1527c6e3181c1cc7.txt (base path /api/v1/registrar/v1): bearer tokens of
 * `registrar_api` partner keys bound to registrar channels, GET /status, POST /sandbox/reset,
 * check, create, read, renew, PATCH, transfer intent, PUT nameservers and DELETE (cancellation)
 * with backend applies that stay pending for `applyDelayMs` (or, in tests, until release() after
 * hold(), whatever the clock says), GET /poll audit rows, idempotent
 * replay by Idempotency-Key, and a per-key rate limit answering 429 with Retry-After.
 * Independent of the gateway's adapter on purpose: it shares no code or types with src/backends/.
 *
 * The rate limit is a fixed window counted on the injected clock (tests move time by hand), which
 * is why it is not rate-limiter-flexible (it reads the system time).
 */
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock.js';
import { seed, seedRegistrations, type SandboxRegistrar } from './fixtures.js';
import { release, tick } from './lifecycle.js';
import { ROUTES } from './routes.js';
import { BASE_PATH, HeadlessHttpServer } from './server.js';
import { Store } from './store.js';
import { auditView, registrationView } from './views.js';

export { COUNTERPARTY_CHANNEL, fixtureNames, type SandboxRegistrar } from './fixtures.js';
export { BASE_PATH } from './server.js';

/** The gateway registrar ids the sandbox makes a channel and a key for (the zero-setup registrars). */
export const HEADLESS_SANDBOX_REGISTRARS = ['NewRegistrar', 'TheRegistrar'] as const;

/** Options of new HeadlessSandbox(), all optional (host 127.0.0.1, port 0, clock: the system clock, registrars: HEADLESS_SANDBOX_REGISTRARS). */
export interface HeadlessSandboxOptions {
  /** Namespaces (TLDs) every channel has an approved listing for; the first holds the fixtures. Default ["hdtest"]. */
  tlds?: string[];
  host?: string;
  port?: number;
  clock?: Clock;
  /** How long name-server, cancellation and transfer changes stay pending backend apply. Default 30000 ms; 0 applies at once (unless held: hold()). */
  applyDelayMs?: number;
  /** Requests one key may make per window. Default 600 per 60000 ms. */
  rateLimit?: { limit: number; windowMs: number };
  /** Serve HTTPS with this key and certificate (PEM); default plain HTTP. */
  tls?: { key: string; cert: string };
  registrars?: readonly string[];
  maxBodyBytes?: number;
}

/**
 * An in-process HeadlessDomains registrar API v1 (handoff packet, shared/upstream/000): start() answers the base URL;
 * tests read registration(), auditRows(), traffic() and pendingApplies(), hold()/release() backend applies, reset() it.
 */
export class HeadlessSandbox {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly server: HeadlessHttpServer;
  private readonly tldList: string[];
  private readonly regs: SandboxRegistrar[];

  constructor(private readonly opts: HeadlessSandboxOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    // Audit row ids go on from the start time, never from 1 again (see Store).
    this.store = new Store(this.clock.now().getTime() * 1000);
    this.tldList = (opts.tlds?.length ? opts.tlds : ['hdtest']).map((t) => t.toLowerCase().replace(/^\./, ''));
    this.regs = seed(this.store, opts.registrars ?? HEADLESS_SANDBOX_REGISTRARS, this.tldList, this.clock.now());
    const applyDelayMs = opts.applyDelayMs ?? 30_000;
    this.server = new HeadlessHttpServer({
      env: { store: this.store, now: () => this.clock.now(), applyDelayMs, rateState: (k) => this.server.rateState(k) },
      routes: ROUTES,
      rateLimit: opts.rateLimit ?? { limit: 600, windowMs: 60_000 },
      maxBodyBytes: opts.maxBodyBytes ?? 256 * 1024,
    });
  }

  /** The sandbox registrars: gateway registrar id, channel id and bearer token (new for every instance). */
  get registrars(): readonly SandboxRegistrar[] {
    return this.regs;
  }

  get tlds(): string[] {
    return [...this.tldList];
  }

  /** Starts listening; answers the base URL the document's paths go after. */
  async start(): Promise<{ url: string; host: string; port: number }> {
    const host = this.opts.host ?? '127.0.0.1';
    const a = await this.server.listen(host, this.opts.port ?? 0, this.opts.tls);
    const origin = this.opts.tls ? `https://localhost:${a.port}` : `http://${host}:${a.port}`;
    return { ...a, url: origin + BASE_PATH };
  }

  stop(): Promise<void> {
    return this.server.close();
  }

  /** Tests: back to the seed (every registration, audit row and idempotency record), keys kept. */
  reset(): void {
    this.store.clearAll();
    seedRegistrations(this.store, this.regs, this.tldList[0], this.clock.now());
  }

  /**
   * Tests: hold every backend apply (name servers, cancellation, transfer) pending until release(),
   * whatever the clock says: a change made while held is answered, read and polled as pending
   * (`backend_apply_status: "pending"`, audit row `pending_backend_apply`) even with applyDelayMs 0.
   */
  hold(): void {
    this.store.held = true;
  }

  /** Tests: ends hold(); changes that fell due while held are applied at the next request (or read). */
  release(): void {
    release(this.store, this.clock.now());
  }

  /** Tests: the next `method` request to `path` ("/domains") is applied as usual and answered `body` with `status` instead. */
  garbleAfterApply(method: string, path: string, body: string, status = 200): void {
    this.server.garbleAfterApply(method, path, body, status);
  }

  /**
   * Tests: withdraws every channel's approved listing of namespace `tld` ("hdtest"), as when the
   * registry ends a registrar's listing: requests naming a domain under it are then refused 403
   * namespace_not_approved, naming the namespace.
   */
  unlistNamespace(tld: string): void {
    for (const c of this.store.channels.values()) c.namespaces = c.namespaces.filter((n) => n !== tld);
  }

  /** Tests: backend applies still pending (held or not yet due). */
  pendingApplies(): number {
    tick(this.store, this.clock.now());
    return this.store.pending.length;
  }

  /** Tests: a registration as its holder reads it, or undefined. */
  registration(domain: string) {
    tick(this.store, this.clock.now());
    const r = this.store.registrations.get(domain);
    return r && registrationView(this.store, r, r.channelId);
  }

  /** Tests: every audit row of a channel, oldest first. */
  auditRows(channelId: string) {
    tick(this.store, this.clock.now());
    return this.store.audit.filter((a) => a.channelId === channelId).map(auditView);
  }

  /**
   * Tests: what a registrar's key sent since the sandbox started: `requests` counted against its
   * rate limit (and served), `rateLimited` answered 429.
   */
  traffic(registrarId: string): { requests: number; rateLimited: number } {
    const r = this.regs.find((x) => x.registrarId === registrarId);
    if (!r) throw new Error(`no sandbox registrar ${registrarId}`);
    return { requests: 0, rateLimited: 0, ...this.server.traffic.get(r.token) };
  }

  /** Tests: adds a partner key of another profile bound to a registrar's channel; answers its token. */
  addKey(registrarId: string, profile: 'registrar_api' | 'storefront'): string {
    const r = this.regs.find((x) => x.registrarId === registrarId);
    if (!r) throw new Error(`no sandbox registrar ${registrarId}`);
    const token = `hdk_${profile}_${randomBytes(12).toString('base64url')}`;
    this.store.keys.set(token, { token, profile, channelId: r.channelId, scopes: ['registrar:read'] });
    return token;
  }
}
