/**
 * A direct EPP client for bench/http.mjs and bench/lib/direct-renew.mjs (deliberately not the
 * gateway's adapter): RFC 5734 framing over TLS, one session logged in with the same services as
 * the gateway asks for, and domain:info and domain:renew (RFC 5731 sections 3.1.2, 3.2.3) built
 * with fast-xml-parser's builder.
 */
import tls from 'node:tls';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

const EPP = 'urn:ietf:params:xml:ns:epp-1.0';
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@' });
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true });
let trid = 0;
const command = (body) => builder.build({ '?xml': { '@version': '1.0', '@encoding': 'UTF-8' }, epp: { '@xmlns': EPP, command: { ...body, clTRID: `bench-${++trid}` } } });

const SERVICES = {
  objURI: ['urn:ietf:params:xml:ns:domain-1.0', 'urn:ietf:params:xml:ns:host-1.0', 'urn:ietf:params:xml:ns:contact-1.0'],
  svcExtension: { extURI: ['urn:ietf:params:xml:ns:secDNS-1.1', 'urn:ietf:params:xml:ns:rgp-1.0'] },
};

/**
 * Connects, reads the greeting and logs in; `backend` is a config from `npm run sandbox`;
 * `svcs` the login's <svcs> (objURI and svcExtension; default: domain, host and contact with
 * secDNS and rgp, as the gateway asks of the sandbox; a Nomulus profile refuses contact: 2307).
 */
export async function directEppClient(backend, account, svcs = SERVICES) {
  const socket = tls.connect({ host: '127.0.0.1', port: backend.port, ca: backend.tls.ca, servername: backend.tls.servername });
  socket.setNoDelay(true); // as the gateway's sessions do
  let buf = Buffer.alloc(0);
  const waiting = [];
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 4 && buf.length >= buf.readUInt32BE(0)) {
      const total = buf.readUInt32BE(0);
      waiting.shift()?.(buf.subarray(4, total).toString('utf8'));
      buf = buf.subarray(total);
    }
  });
  const next = () => new Promise((resolve) => waiting.push(resolve));
  const send = async (xml) => {
    const body = Buffer.from(xml, 'utf8');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length + 4);
    const answer = next();
    socket.write(Buffer.concat([header, body]));
    const frame = await answer;
    const result = [parser.parse(frame).epp?.response?.result].flat()[0];
    const code = String(result?.['@code']);
    if (!code.startsWith('1')) throw new Error(`EPP answered ${code}: ${frame.slice(0, 300)}`);
    return frame;
  };
  await next(); // greeting
  await send(
    command({
      login: {
        clID: account.clientId,
        pw: account.password,
        options: { version: '1.0', lang: 'en' },
        svcs,
      },
    }),
  );
  return {
    infoDomain: (name) => send(command({ info: { 'domain:info': { '@xmlns:domain': 'urn:ietf:params:xml:ns:domain-1.0', 'domain:name': { '#text': name, '@hosts': 'all' } } } })),
    /** domain:renew (RFC 5731 section 3.2.3): curExpDate as YYYY-MM-DD, period in years. */
    renewDomain: (name, curExpDate, years) =>
      send(command({ renew: { 'domain:renew': { '@xmlns:domain': 'urn:ietf:params:xml:ns:domain-1.0', 'domain:name': name, 'domain:curExpDate': curExpDate, 'domain:period': { '#text': String(years), '@unit': 'y' } } } })),
    close: () => socket.destroy(),
  };
}
