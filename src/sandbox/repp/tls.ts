/**
 * The REPP sandbox's certificates: a self-signed server certificate for loopback (the client trusts
 * it as its CA) and a client certificate signed by the same key, for the registry's
 * "API key and certificate" access (REPP document, "Authentication"). Generated once per process,
 * or kept in a file (src/sandbox/tls-store.ts). The REPP, Joker and HeadlessDomains sandboxes share them.
 */
import { storedCertificate } from '../tls-store.js';
import { DAY_MS } from './time.js';

/** PEM server key and self-signed certificate (the CA to trust), and a client key and certificate signed by it. */
export interface SandboxCertificates {
  key: string;
  cert: string;
  clientKey: string;
  clientCert: string;
}

let pending: Promise<SandboxCertificates> | undefined;

/**
 * The certificates, made once per process; with `file`, those stored there by an earlier start
 * while they are valid for 30 more days (else made and stored: storedCertificate). The first call's
 * `file` is the one used.
 */
export function certificates(file?: string): Promise<SandboxCertificates> {
  pending ??= storedCertificate(file, generateCertificates, { fields: ['key', 'cert', 'clientKey', 'clientCert'] });
  return pending;
}

async function generateCertificates(): Promise<SandboxCertificates> {
  const { generate } = await import('selfsigned');
  return generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 365 * DAY_MS),
    clientCertificate: { cn: 'repp-sandbox-client', keyType: 'ec', notAfterDate: new Date(Date.now() + 365 * DAY_MS) },
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      // clientAuth too: OpenSSL holds the certificates it signs (the client's) to the purposes it lists.
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  }).then((r) => ({ key: r.private, cert: r.cert, clientKey: r.clientprivate!, clientCert: r.clientcert! }));
}
