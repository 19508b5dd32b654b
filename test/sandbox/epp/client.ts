/**
 * A tiny raw EPP-over-TLS client for the sandbox tests (deliberately not the gateway's adapter):
 * RFC 5734 framing over node:tls, plus a lenient response reader built on fast-xml-parser.
 * Every frame received is recorded so a suite can validate all of them against the XSD.
 */
import tls from 'node:tls';
import { XMLParser } from 'fast-xml-parser';
import { EppSandbox, type EppSandboxOptions, type SandboxAddress } from '../../../src/sandbox/epp/index.js';
import { fixture } from '../../helpers/epp-fixtures.js';

/** Every frame any client received in this test file. */
export const received: string[] = [];

export function frame(xml: string | Buffer): Buffer {
  const body = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length + 4, 0);
  return Buffer.concat([header, body]);
}

export class RawEppClient {
  greeting = '';
  private buf: Buffer = Buffer.alloc(0);
  private frames: string[] = [];
  private waiters: ((f: string | null) => void)[] = [];
  private ended = false;
  readonly closed: Promise<void>;

  private constructor(private readonly socket: tls.TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      while (this.buf.length >= 4 && this.buf.length >= this.buf.readUInt32BE(0)) {
        const total = this.buf.readUInt32BE(0);
        const xml = this.buf.subarray(4, total).toString('utf8');
        this.buf = this.buf.subarray(total);
        received.push(xml);
        const w = this.waiters.shift();
        if (w) w(xml);
        else this.frames.push(xml);
      }
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.ended = true;
        for (const w of this.waiters.splice(0)) w(null);
        resolve();
      });
    });
    socket.on('error', () => undefined);
  }

  static async connect(addr: SandboxAddress): Promise<RawEppClient> {
    const socket = tls.connect({ host: addr.host, port: addr.port, ca: addr.ca, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    const c = new RawEppClient(socket);
    c.greeting = await c.next();
    return c;
  }

  /** The next frame from the server; rejects when the connection closes first. */
  async next(): Promise<string> {
    const f = this.frames.shift();
    if (f !== undefined) return f;
    if (this.ended) throw new Error('connection closed');
    const got = await new Promise<string | null>((resolve) => this.waiters.push(resolve));
    if (got === null) throw new Error('connection closed');
    return got;
  }

  write(data: Buffer): void {
    this.socket.write(data);
  }

  async send(xml: string): Promise<Resp> {
    this.write(frame(xml));
    return readResponse(await this.next());
  }

  close(): void {
    this.socket.destroy();
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  isArray: (name) => ['status', 'cd', 'hostObj', 'host', 'contact', 'dsData', 'addr', 'rgpStatus', 'postalInfo', 'street', 'objURI', 'extURI'].includes(name),
});

/** Loose plain-object view of XML (namespace prefixes removed) for assertions. */
export type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Resp {
  xml: string;
  code: number;
  msg: string;
  /** <extValue><reason> texts of the result (RFC 5730 section 2.6). */
  reasons: string[];
  clTRID?: string;
  svTRID: string;
  msgQ?: { count: number; id: string; qDate?: string; msg?: string };
  resData: Node;
  extension: Node;
}

export function readResponse(xml: string): Resp {
  const doc = parser.parse(xml) as Node;
  const r = doc.epp?.response;
  if (!r) throw new Error(`not a response: ${xml}`);
  const result = r.result as Node;
  const msgQ = r.msgQ as Node | undefined;
  const text = (v: unknown) => (typeof v === 'object' && v !== null ? String((v as Node)['#text'] ?? '') : v === undefined ? undefined : String(v));
  return {
    xml,
    code: Number(result['@code']),
    msg: text(result.msg) ?? '',
    reasons: [result.extValue ?? []].flat().map((v: Node) => text(v.reason) ?? ''),
    clTRID: r.trID?.clTRID,
    svTRID: r.trID?.svTRID,
    msgQ: msgQ && { count: Number(msgQ['@count']), id: String(msgQ['@id']), qDate: msgQ.qDate, msg: text(msgQ.msg) },
    resData: r.resData ?? {},
    extension: r.extension ?? {},
  };
}

export function parseGreeting(xml: string): Node {
  return (parser.parse(xml) as Node).epp.greeting as Node;
}

export const URI = {
  domain: 'urn:ietf:params:xml:ns:domain-1.0',
  host: 'urn:ietf:params:xml:ns:host-1.0',
  contact: 'urn:ietf:params:xml:ns:contact-1.0',
  secDNS: 'urn:ietf:params:xml:ns:secDNS-1.1',
  rgp: 'urn:ietf:params:xml:ns:rgp-1.0',
};

/** A login command (fixed test values only). */
export function loginXml(clID: string, pw: string, objURIs: string[], extURIs: string[] = [URI.secDNS, URI.rgp]): string {
  const obj = objURIs.map((u) => `<objURI>${u}</objURI>`).join('');
  const ext = extURIs.length ? `<svcExtension>${extURIs.map((u) => `<extURI>${u}</extURI>`).join('')}</svcExtension>` : '';
  return `<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><login><clID>${clID}</clID><pw>${pw}</pw>
    <options><version>1.0</version><lang>en</lang></options><svcs>${obj}${ext}</svcs></login>
    <clTRID>ABC-12345</clTRID></command></epp>`;
}

export const PASSWORDS: Record<string, string> = { NewRegistrar: 'foo-BAR2', TheRegistrar: 'password2' };

/** Connects and logs in; objURIs default to what the profile offers. */
export async function session(addr: SandboxAddress, clID: string, profile: 'contacts' | 'nomulus'): Promise<RawEppClient> {
  const c = await RawEppClient.connect(addr);
  const obj = profile === 'nomulus' ? [URI.host, URI.domain] : [URI.domain, URI.contact, URI.host];
  const r = await c.send(loginXml(clID, PASSWORDS[clID]!, obj));
  if (r.code !== 1000) throw new Error(`login failed: ${r.code} ${r.msg}`);
  return c;
}

export async function startSandbox(opts: EppSandboxOptions): Promise<{ sandbox: EppSandbox; addr: SandboxAddress }> {
  const sandbox = new EppSandbox(opts);
  const addr = await sandbox.start();
  return { sandbox, addr };
}

/** A Nomulus fixture with placeholders filled (see /work/shared/epp/placeholders.json). */
export function fx(rel: string, overrides: Record<string, string> = {}): string {
  return fixture(rel, overrides);
}

/** A fixture with fixed strings replaced (e.g. its domain name), after placeholder substitution. */
export function fxWith(rel: string, replace: Record<string, string>, placeholders: Record<string, string> = {}): string {
  let xml = fixture(rel, placeholders);
  for (const [from, to] of Object.entries(replace)) xml = xml.split(from).join(to);
  return xml;
}

/** The date part (YYYY-MM-DD) of an xs:dateTime. */
export function day(dateTime: string): string {
  return dateTime.slice(0, 10);
}
