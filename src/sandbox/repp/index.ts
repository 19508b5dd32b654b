/**
 * REPP sandbox: an in-memory Estonian registry speaking the REPP REST API (HTTP(S) + JSON, HTTP
 * Basic with an API user), following shared/upstream/002_13834b2b835d5bf6.txt. Independent of the
 * gateway's REPP adapter on purpose: it shares no code or types with src/backends/.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { ReppFaultQueue, type ReppFaults } from './faults.js';
import { reply, tick } from './lifecycle.js';
import { ROUTES } from './routes/index.js';
import { REPP_SEED_REGISTRARS, type SeedRegistrar } from './seed.js';
import { ReppHttpServer } from './server.js';
import { Store } from './store.js';
import { certificates } from './tls.js';
import { dateTallinn, isoTallinn } from './time.js';

/** Fault injection shapes (faults.ts) for tests driving ReppSandbox.faults. */
export type { ReppFault, ReppFaults } from './faults.js';
export { REPP_SEED_REGISTRARS } from './seed.js';

/** The gateway's view of the sandbox registrars: registrar id and its API user. */
export const REPP_SANDBOX_ACCOUNTS: readonly { registrarId: string; username: string; password: string }[] = REPP_SEED_REGISTRARS.map((r) => ({
  registrarId: r.id,
  username: r.users[0].username,
  password: r.users[0].password,
}));

/** Options of new ReppSandbox(), all optional (clock: the system clock; registrars: REPP_SEED_REGISTRARS; others as stated). */
export interface ReppSandboxOptions {
  /** Zones served (default ["ee", "com.ee", "pri.ee"]); a leading dot is ignored. */
  tlds?: string[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  clock?: Clock;
  /** HTTPS with a generated certificate (default false: plain HTTP); `clientCertificate` also requires the client's. */
  tls?: boolean | { clientCertificate: boolean };
  /** Load the seed data (default true). */
  seed?: boolean;
  /** How long the simulated registrant takes to confirm an unverified registrant change or deletion (default 60 s). */
  registrantReplyMs?: number;
  registrars?: readonly SeedRegistrar[];
  /** Largest accepted request body (default 1 MiB). */
  maxBodyBytes?: number;
  /** With tls: keep the certificates in this file (tls.ts, certificates()); default: generated at each start. */
  tlsFile?: string;
}

/** What ReppSandbox.start() resolves: the base URL (http or https), host, port, and with tls the PEMs to trust and present. */
export interface ReppSandboxAddress {
  /** Base URL: the document's paths (/repp/v1/...) go after it. */
  url: string;
  host: string;
  port: number;
  /** With tls: PEM of the server certificate (trust it as the CA). */
  ca?: string;
  /** With tls.clientCertificate: a client certificate and key the sandbox accepts. */
  clientCert?: string;
  clientKey?: string;
}

/** A domain as a test sees it (a read-only snapshot). */
export interface ReppSandboxDomain {
  name: string;
  registrar: string;
  registrant: string;
  admin: string[];
  tech: string[];
  statuses: string[];
  expireTime: string;
  expireDate: string;
  transferCode: string;
  nameservers: { hostname: string; ipv4: string[]; ipv6: string[] }[];
  dnskeys: { flags: number; protocol: number; alg: number; publicKey: string }[];
}

/**
 * An in-process Estonian registry speaking REPP (HTTP(S) + JSON, HTTP Basic, optional client certificate;
 * shared/upstream/002). Tests start()/stop() it, read domain(), notifications(), balanceCents(), applied(),
 * make the simulated registrant answer, reset() it and queue faults.
 */
export class ReppSandbox {
  readonly faults: ReppFaults;
  private readonly faultQueue = new ReppFaultQueue();
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly server: ReppHttpServer;
  private readonly counters = new Map<string, number>();

  constructor(private readonly opts: ReppSandboxOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.faults = this.faultQueue;
    const tlds = opts.tlds && opts.tlds.length > 0 ? opts.tlds : ['ee', 'com.ee', 'pri.ee'];
    this.store = new Store({ tlds: tlds.map((t) => t.toLowerCase().replace(/^\./, '')), registrars: opts.registrars ?? REPP_SEED_REGISTRARS, seed: opts.seed ?? true });
    this.store.reset(this.clock.now());
    this.server = new ReppHttpServer({
      env: { store: this.store, registrantReplyMs: opts.registrantReplyMs ?? 60_000 },
      clock: this.clock,
      faults: this.faultQueue,
      routes: ROUTES,
      onApplied: (key) => this.counters.set(key, (this.counters.get(key) ?? 0) + 1),
      maxBodyBytes: opts.maxBodyBytes ?? 1024 * 1024,
    });
  }

  /** Zones this sandbox serves. */
  get tlds(): string[] {
    return [...this.store.cfg.tlds];
  }

  async start(): Promise<ReppSandboxAddress> {
    const host = this.opts.host ?? '127.0.0.1';
    const tls = this.opts.tls;
    if (!tls) {
      const a = await this.server.listen(host, this.opts.port ?? 0);
      return { ...a, url: `http://${a.host}:${a.port}` };
    }
    const c = await certificates(this.opts.tlsFile);
    const clientCerts = typeof tls === 'object' && tls.clientCertificate;
    const a = await this.server.listen(host, this.opts.port ?? 0, { key: c.key, cert: c.cert, clientCa: clientCerts ? [c.cert] : undefined });
    return { ...a, url: `https://localhost:${a.port}`, ca: c.cert, ...(clientCerts ? { clientCert: c.clientCert, clientKey: c.clientKey } : {}) };
  }

  /**
   * How many applied requests have their answer held back now by a delay-after-apply or
   * hold-after-apply fault; a request whose client closed the connection stops counting at once.
   */
  answersHeld(): number {
    return this.server.answersHeld;
  }

  /** Closes the server and every open connection. */
  stop(): Promise<void> {
    this.faultQueue.release();
    return this.server.close();
  }

  /** Restores the seed (domains, contacts, balances, notifications), clears counters and queued faults. */
  reset(): void {
    this.store.reset(this.clock.now());
    this.counters.clear();
    this.faultQueue.clear();
  }

  /** How many requests to this route key succeeded, e.g. "domain:renew". */
  applied(key: string): number {
    return this.counters.get(key) ?? 0;
  }

  /** The registrar's unread notifications, oldest first. */
  notifications(registrarId: string): { id: number; text: string; attachedObjType: string | null; attachedObjId: number | null }[] {
    tick(this.store, this.clock.now());
    return this.store.notifications
      .filter((n) => n.registrar === registrarId && !n.read)
      .map(({ id, text, attachedObjType, attachedObjId }) => ({ id, text, attachedObjType, attachedObjId }));
  }

  /** The registrar's balance in cents. */
  balanceCents(registrarId: string): number {
    return this.store.registrar(registrarId).balanceCents;
  }

  /** The registrant answers a pending registrant change or deletion now (confirm or reject). */
  registrantReplies(domain: string, confirm: boolean): void {
    const d = this.store.domains.get(domain);
    if (!d?.pending) throw new Error(`${domain} has no pending registrant action`);
    reply(this.store, d, confirm, this.clock.now());
  }

  /** A snapshot of a domain, or undefined when it does not exist. */
  domain(name: string): ReppSandboxDomain | undefined {
    tick(this.store, this.clock.now());
    const d = this.store.domains.get(name);
    if (!d) return undefined;
    return {
      name: d.name,
      registrar: d.registrar,
      registrant: d.registrant,
      admin: [...d.admin],
      tech: [...d.tech],
      statuses: [...d.statuses],
      expireTime: isoTallinn(d.expiresAt),
      expireDate: dateTallinn(d.expiresAt),
      transferCode: d.transferCode,
      nameservers: d.nameservers.map((n) => ({ hostname: n.hostname, ipv4: [...n.ipv4], ipv6: [...n.ipv6] })),
      dnskeys: d.dnskeys.map(({ flags, protocol, alg, publicKey }) => ({ flags, protocol, alg, publicKey })),
    };
  }
}
