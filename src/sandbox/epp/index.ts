/**
 * EPP sandbox: an in-memory registry speaking EPP over TLS (RFC 5730-5734, secDNS-1.1, RGP).
 * Independent of the gateway's EPP adapter on purpose: it shares no codec with src/backends/.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { systemClock, type Clock } from '../../core/clock.js';
import type { Env } from './dispatch.js';
import { FaultQueue, type Faults } from './faults.js';
import type { Profile } from './greeting.js';
import { tick } from './lifecycle.js';
import { SANDBOX_REGISTRARS } from './seed.js';
import { loadSchema } from './schema.js';
import { EppTlsServer } from './server.js';
import { StateFile } from './state-file.js';
import { DAY_MS, Store } from './store.js';
import { buildFragment } from './xml.js';
import { storedCertificate } from '../tls-store.js';

export { SANDBOX_REGISTRARS } from './seed.js';
export { PERIOD_UNITS as SANDBOX_PERIOD_UNITS } from './flows/common.js';
/** Fault injection shapes (faults.ts) for tests driving EppSandbox.faults. */
export type { Fault, FaultAction, Faults } from './faults.js';
/** 'nomulus' or 'contacts' (greeting.ts). */
export type { Profile } from './greeting.js';

/** Options of new EppSandbox(): `profile` is required; the rest default as stated (clock: the system clock, registrars: SANDBOX_REGISTRARS). */
export interface EppSandboxOptions {
  profile: Profile;
  /** Default (also when empty): ["example"] for the contacts profile, ["tld"] for the nomulus profile. A leading dot is ignored. */
  tlds?: string[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  clock?: Clock;
  /** Time before a pending transfer is approved by the server. Default 5 days (Nomulus). */
  transferPeriodMs?: number;
  registrars?: { clientId: string; password: string }[];
  /** Load the seed data (default true). */
  seed?: boolean;
  /** Largest accepted frame, header included. Default 1 MiB. */
  maxFrameBytes?: number;
  /**
   * Keep the registry's state in `<dir>/<name>.json` (state-file.ts): loaded at start (the seed
   * only when there is none yet), written before each state-changing command is answered and at
   * stop. Default: in memory only, seeded at every start.
   */
  state?: { dir: string; name: string };
  /**
   * Keep the generated certificate in this file (src/sandbox/tls-store.ts) and serve it again at
   * the next start while it is valid for 30 more days. Default: generated at each start (once per
   * host per process).
   */
  tlsFile?: string;
}

/** What EppSandbox.start() resolves: the host and TCP port it listens on, and the PEM certificate to trust. */
export interface SandboxAddress {
  host: string;
  port: number;
  /** PEM of the self-signed server certificate: trust it as the CA. */
  ca: string;
}

/** A poll message as a test sees it. */
export interface SandboxPollMessage {
  id: string;
  qDate: Date;
  msg: string;
  /** The resData children as XML fragments (for debugging). */
  resData: string[];
}

/** A domain as a test sees it (read-only snapshot). */
export interface SandboxDomain {
  name: string;
  roid: string;
  sponsor: string;
  statuses: string[];
  expiresAt: Date;
  authInfo: string;
  pendingDelete: boolean;
  transfer?: { status: string; gaining: string; losing: string; requestedAt: Date; actionAt: Date };
}

/** Commands that never change the registry's state (time-driven events they apply are tracked by the store). */
const READ_ONLY = /^(?:hello|login|logout|poll:req|(?:domain|host|contact):(?:check|info|transfer:query))$/;

const certs = new Map<string, Promise<{ key: string; cert: string }>>();

/** A self-signed certificate for localhost, generated once per host name per process (selfsigned loads on first use). */
function certificate(host: string): Promise<{ key: string; cert: string }> {
  let p = certs.get(host);
  if (!p) {
    const generate = async (...args: Parameters<typeof import('selfsigned').generate>) => (await import('selfsigned')).generate(...args);
    const alt: { type: 2 | 7; value?: string; ip?: string }[] = [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }];
    if (!['localhost', '127.0.0.1', '::1', '0.0.0.0', '::'].includes(host)) {
      alt.push(isIP(host) ? { type: 7, ip: host } : { type: 2, value: host });
    }
    p = generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 365 * DAY_MS),
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: alt },
      ],
    }).then((r) => ({ key: r.private, cert: r.cert }));
    certs.set(host, p);
  }
  return p;
}

/**
 * An in-process EPP registry over TLS (RFC 5730-5734, secDNS-1.1 RFC 5910, RGP RFC 3915) playing
 * Nomulus or a contacts registry. Tests start()/stop() it, read domain(), pollQueue() and applied(),
 * reset() it and queue faults.
 */
export class EppSandbox {
  readonly faults: Faults;
  private readonly faultQueue = new FaultQueue();
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly counters = new Map<string, number>();
  private readonly server: EppTlsServer;
  private readonly svPrefix = randomBytes(4).toString('hex');
  private svSeq = 0;
  private readonly stateFile?: StateFile;

  constructor(private readonly opts: EppSandboxOptions) {
    this.clock = opts.clock ?? systemClock;
    this.faults = this.faultQueue;
    const tlds = opts.tlds && opts.tlds.length > 0 ? opts.tlds : [opts.profile === 'nomulus' ? 'tld' : 'example'];
    this.store = new Store(
      {
        profile: opts.profile,
        tlds: tlds.map((t) => t.toLowerCase().replace(/^\./, '')),
        registrars: (opts.registrars ?? SANDBOX_REGISTRARS).map((r) => ({ ...r })),
        transferPeriodMs: opts.transferPeriodMs ?? 5 * DAY_MS,
        seed: opts.seed ?? true,
      },
      this.clock,
    );
    const env: Env = {
      store: this.store,
      profile: opts.profile,
      clock: this.clock,
      transferPeriodMs: opts.transferPeriodMs ?? 5 * DAY_MS,
    };
    this.server = new EppTlsServer({
      env,
      faults: this.faultQueue,
      maxFrameBytes: opts.maxFrameBytes ?? 1024 * 1024,
      nextSvTRID: () => `SBX-${this.svPrefix}-${++this.svSeq}`,
      onApplied: (key) => this.counters.set(key, (this.counters.get(key) ?? 0) + 1),
      commit: (key) => this.commit(key),
    });
    if (opts.state) this.stateFile = new StateFile(opts.state.dir, opts.state.name, this.store);
  }

  /** Runs after each command, before its answer: writes the state when it (may have) changed. */
  private async commit(key: string | null): Promise<void> {
    if (!this.stateFile) return;
    if (key !== null && !READ_ONLY.test(key)) this.store.noteCommand();
    if (this.stateFile.dirty) await this.stateFile.save();
  }

  /** The state file, when the sandbox keeps its state (options.state). */
  get statePath(): string | undefined {
    return this.stateFile?.path;
  }

  get profile(): Profile {
    return this.opts.profile;
  }

  /** TLDs this sandbox serves. */
  get tlds(): string[] {
    return [...this.store.cfg.tlds];
  }

  async start(): Promise<SandboxAddress> {
    loadSchema(); // every incoming frame is validated against epp-all.xsd; compile it before listening
    await this.stateFile?.open();
    const host = this.opts.host ?? '127.0.0.1';
    const { key, cert } = await storedCertificate(this.opts.tlsFile, () => certificate(host));
    const addr = await this.server.listen(host, this.opts.port ?? 0, key, cert);
    return { ...addr, ca: cert };
  }

  /** Closes the server and every open connection, then writes the state if it changed. */
  async stop(): Promise<void> {
    this.faultQueue.release();
    await this.server.close();
    if (this.stateFile?.dirty) await this.stateFile.save();
    await this.stateFile?.close();
  }

  /** Restores the seed, clears poll queues, counters and queued faults. Open sessions stay logged in. */
  reset(): void {
    this.store.reset();
    this.counters.clear();
    this.faultQueue.clear();
    if (this.stateFile?.dirty) this.stateFile.save().catch((e: unknown) => console.error('[epp-sandbox] could not save the state after reset', e));
  }

  /** How many commands with this key were applied (answered with a 1xxx code), e.g. "domain:renew". */
  applied(command: string): number {
    return this.counters.get(command) ?? 0;
  }

  /** The registrar's visible poll queue, oldest first (applies due time-driven events first). */
  pollQueue(clientId: string): SandboxPollMessage[] {
    const now = this.clock.now();
    tick(this.store, now);
    return this.store.visiblePoll(clientId, now).map((m) => ({
      id: m.id,
      qDate: m.eventTime,
      msg: m.msg,
      resData: m.resData.map(buildFragment),
    }));
  }

  /** A snapshot of a domain, or undefined when it does not exist. */
  domain(name: string): SandboxDomain | undefined {
    tick(this.store, this.clock.now());
    const d = this.store.domains.get(name);
    if (!d) return undefined;
    const t = d.transfer;
    return {
      name: d.name,
      roid: d.roid,
      sponsor: d.sponsor,
      statuses: [...d.statuses, ...(t?.status === 'pending' ? ['pendingTransfer'] : []), ...(d.deletion ? ['pendingDelete'] : [])],
      expiresAt: d.exDate,
      authInfo: d.authInfo,
      pendingDelete: d.deletion !== undefined,
      transfer: t && { status: t.status, gaining: t.gaining, losing: t.losing, requestedAt: t.reDate, actionAt: t.acDate },
    };
  }
}
