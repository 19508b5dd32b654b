/**
 * A tiny scripted EPP-over-TLS server for session tests (not the sandbox). It has its own
 * framing and uses fast-xml-parser directly, so it shares no code with the adapter.
 */
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { generate } from 'selfsigned';
import type { EppBackendConfig } from '../../src/config.types.js';

export const EPP = 'urn:ietf:params:xml:ns:epp-1.0';
export const URIS = {
  domain: 'urn:ietf:params:xml:ns:domain-1.0',
  host: 'urn:ietf:params:xml:ns:host-1.0',
  contact: 'urn:ietf:params:xml:ns:contact-1.0',
  secDNS: 'urn:ietf:params:xml:ns:secDNS-1.1',
  rgp: 'urn:ietf:params:xml:ns:rgp-1.0',
  fee: 'urn:ietf:params:xml:ns:fee-0.6',
};

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false });
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', suppressEmptyNode: true });

/** What the server received: command name ("login", "hello", "domain:check", ...), clTRID, raw frame. */
export interface Received {
  conn: number;
  command: string;
  clTRID?: string;
  xml: string;
  doc: Record<string, any>;
}

/**
 * How the server answers a command: a result (`endLogin`: the server first ends the connection's
 * login, as registries end idle logins; later commands on it get 2002 until a new login), no
 * answer at all ('hang'), or a closed connection ('drop').
 */
export type Reply = { code: number; msg?: string; resData?: Record<string, unknown>; msgQ?: Record<string, unknown>; endLogin?: boolean } | 'hang' | 'drop';

export interface ScriptedServerOptions {
  objURIs?: string[];
  extURIs?: string[];
  /** Valid logins: clientId -> password. */
  accounts?: Record<string, string>;
  /** Answer to a login instead of checking the password (e.g. 2502 session limit exceeded); 'hang': none, ever; null: check it. */
  loginAnswer?: (clientId: string) => { code: number; msg: string } | 'hang' | null;
  /** Reply for object commands and polls (default 1000). May be async (delays). */
  handler?: (r: Received) => Reply | Promise<Reply>;
  /** Write replies in chunks of this many bytes (exercises partial frames). */
  chunkSize?: number;
}

let certs: Promise<{ cert: string; key: string }> | null = null;
function cert() {
  certs ??= generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  }).then((g) => ({ cert: g.cert, key: g.private }));
  return certs;
}

function frame(xml: string): Buffer {
  const body = Buffer.from(xml, 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length + 4);
  return Buffer.concat([head, body]);
}

export class ScriptedEppServer {
  readonly received: Received[] = [];
  /** Highest number of commands a single connection had unanswered at once. */
  maxInFlightPerConnection = 0;
  connectionsOpened = 0;
  private server: Server | null = null;
  private readonly sockets = new Map<number, TLSSocket>();

  constructor(private readonly opts: ScriptedServerOptions = {}) {}

  async start(): Promise<{ host: string; port: number; ca: string }> {
    const { cert: c, key } = await cert();
    this.server = createServer({ cert: c, key }, (s) => this.onConnection(s));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return { host: '127.0.0.1', port: (this.server.address() as AddressInfo).port, ca: c };
  }

  async stop(): Promise<void> {
    for (const s of this.sockets.values()) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Close every connection from the server side. */
  dropAll(): void {
    for (const s of this.sockets.values()) s.destroy();
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  commands(name?: string): Received[] {
    return name ? this.received.filter((r) => r.command === name) : this.received;
  }

  greeting(): string {
    return builder.build({
      epp: {
        '@xmlns': EPP,
        greeting: {
          svID: 'Scripted EPP',
          svDate: new Date().toISOString(),
          svcMenu: {
            version: '1.0',
            lang: 'en',
            objURI: this.opts.objURIs ?? [URIS.host, URIS.domain, URIS.contact],
            svcExtension: { extURI: this.opts.extURIs ?? [URIS.secDNS, URIS.rgp, URIS.fee] },
          },
          dcp: { access: { all: '' }, statement: { purpose: { admin: '', prov: '' }, recipient: { ours: '', public: '' }, retention: { stated: '' } } },
        },
      },
    });
  }

  private response(clTRID: string | undefined, code: number, msg: string, extra: Record<string, unknown> = {}): string {
    return builder.build({
      epp: {
        '@xmlns': EPP,
        response: { result: { '@code': code, msg }, ...extra, trID: { ...(clTRID ? { clTRID } : {}), svTRID: `SV-${this.received.length}` } },
      },
    });
  }

  private onConnection(socket: TLSSocket): void {
    const id = ++this.connectionsOpened;
    this.sockets.set(id, socket);
    let buf = Buffer.alloc(0);
    let inFlight = 0;
    let loggedIn = false;
    socket.on('close', () => this.sockets.delete(id));
    socket.on('error', () => {});
    const send = async (xml: string) => {
      const f = frame(xml);
      const size = this.opts.chunkSize ?? f.length;
      for (let i = 0; i < f.length; i += size) {
        if (socket.destroyed) return;
        socket.write(f.subarray(i, i + size));
        if (size < f.length) await new Promise((r) => setImmediate(r));
      }
    };
    void send(this.greeting());
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= buf.readUInt32BE(0)) {
        const len = buf.readUInt32BE(0);
        const xml = buf.subarray(4, len).toString('utf8');
        buf = buf.subarray(len);
        inFlight++;
        this.maxInFlightPerConnection = Math.max(this.maxInFlightPerConnection, inFlight);
        void this.handle(id, xml, () => loggedIn, (v) => (loggedIn = v)).then(async (reply) => {
          if (reply === 'drop') return void socket.destroy();
          if (reply === null) return;
          inFlight--;
          await send(reply.xml);
          if (reply.close) socket.end();
        });
      }
    });
  }

  private async handle(
    conn: number,
    xml: string,
    loggedIn: () => boolean,
    setLoggedIn: (v: boolean) => void,
  ): Promise<{ xml: string; close?: boolean } | null | 'drop'> {
    const doc = parser.parse(xml) as Record<string, any>;
    const epp = doc['epp'] ?? {};
    if ('hello' in epp) {
      this.received.push({ conn, command: 'hello', xml, doc });
      return { xml: this.greeting() };
    }
    const cmd = epp['command'] ?? {};
    const clTRID: string | undefined = cmd['clTRID'];
    const verb = Object.keys(cmd).find((k) => k !== 'clTRID' && k !== 'extension') ?? '?';
    // The adapter writes fixed prefixes, so the object element's key names the command ("domain:check").
    const obj = typeof cmd[verb] === 'object' ? Object.keys(cmd[verb]).find((k) => !k.startsWith('@')) : undefined;
    const command = verb === 'login' || verb === 'logout' || verb === 'poll' ? verb : (obj ?? verb);
    const rec: Received = { conn, command, clTRID, xml, doc };
    this.received.push(rec);
    if (verb === 'login') {
      const scripted = this.opts.loginAnswer?.(cmd.login.clID);
      if (scripted === 'hang') return null;
      if (scripted) return { xml: this.response(clTRID, scripted.code, scripted.msg), close: scripted.code >= 2500 };
      const ok = (this.opts.accounts ?? { NewRegistrar: 'foo-BAR2' })[cmd.login.clID] === cmd.login.pw;
      if (ok) setLoggedIn(true);
      return { xml: this.response(clTRID, ok ? 1000 : 2200, ok ? 'Command completed successfully' : 'Authentication error'), close: !ok };
    }
    if (verb === 'logout') return { xml: this.response(clTRID, 1500, 'Command completed successfully; ending session'), close: true };
    if (!loggedIn()) return { xml: this.response(clTRID, 2002, 'Command use error') };
    let reply: Reply;
    try {
      reply = (await this.opts.handler?.(rec)) ?? { code: 1000 };
    } catch (e) {
      reply = { code: 2400, msg: `scripted handler failed: ${(e as Error).message}` };
    }
    if (reply === 'hang') return null;
    if (reply === 'drop') return 'drop';
    if (reply.endLogin) setLoggedIn(false);
    const extra: Record<string, unknown> = {};
    if (reply.msgQ) extra['msgQ'] = reply.msgQ;
    if (reply.resData) extra['resData'] = reply.resData;
    return { xml: this.response(clTRID, reply.code, reply.msg ?? (reply.code < 2000 ? 'Command completed successfully' : 'Command failed'), extra) };
  }
}

/**
 * An EPP backend config (name "scripted") for a server at `addr` (ScriptedEppServer.start's, or any
 * with a CA of its own): account `acme` logging in as NewRegistrar with the scripted server's
 * default password, one session, `overrides` on top.
 */
export function scriptedBackendConfig(addr: { host: string; port: number; ca: string }, overrides: Partial<EppBackendConfig> = {}): EppBackendConfig {
  return {
    name: 'scripted',
    kind: 'epp',
    host: addr.host,
    port: addr.port,
    tls: { ca: addr.ca, servername: 'localhost' },
    accounts: { acme: { clientId: 'NewRegistrar', password: 'foo-BAR2' } },
    poolSize: 1,
    ...overrides,
  };
}
