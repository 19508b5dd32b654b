/**
 * In-process sandboxes' TLS material kept beside their state (`<DATA_DIR>/sandbox/tls/`), so that a
 * restart serves the certificate the previous start made instead of generating one: generating
 * loads `selfsigned` (@peculiar/x509, asn1js, pkijs: a 640 KB chunk of the bundle) and makes EC keys,
 * some 150-300 ms of the zero-setup start's thread (measured on a loaded 2-core machine: importing
 * selfsigned took 320 ms of CPU unbundled, each generation 30-50 ms). A client that trusts the
 * certificate a sandbox served (its `ca`) keeps connecting after a restart.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { removeStaleTemps, tempName } from '../core/stale-temp.js';

/** A certificate's PEMs as a sandbox serves them: `key` and `cert`, and any further PEM strings (a client certificate and its key). */
export interface CertificatePems {
  key: string;
  cert: string;
}

/** A stored certificate is made again when it expires within this (ms): 30 days. */
export const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/**
 * The PEMs stored in `file` when they are still good at `now` (ms since the epoch): JSON of string
 * fields with at least `fields` (default key and cert), `cert` an X.509 certificate valid from
 * before `now` until at least RENEW_BEFORE_MS after it, whose public key is `key`'s. Otherwise `generate()`'s, written to `file` (mode 0600: it holds
 * private keys; a temporary file, then rename, so a killed process never leaves half a file) before
 * they are returned. A file that cannot be written is not an error: the generated PEMs are returned
 * and the next start generates again. Without `file`, `generate()`'s. Rejects only when `generate` does.
 */
export async function storedCertificate<T extends CertificatePems>(
  file: string | undefined,
  generate: () => Promise<T>,
  { fields = ['key', 'cert'], now = Date.now() }: { fields?: ReadonlyArray<keyof T & string>; now?: number } = {},
): Promise<T> {
  if (!file) return generate();
  await removeStaleTemps(file); // a write an earlier process was killed in
  // Missing, unreadable or not JSON: made again.
  const stored = await readFile(file, 'utf8')
    .then((text) => usable(JSON.parse(text) as unknown, fields, now))
    .catch(() => undefined);
  if (stored) return stored as T;
  const made = await generate();
  const tmp = tempName(file);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
    .then(() => writeFile(tmp, JSON.stringify(made), { mode: 0o600 }))
    .then(() => rename(tmp, file))
    .catch(() => undefined);
  return made;
}

/** The stored value when it is a set of PEMs with `fields` whose certificate is good at `now` and matches its key; else undefined. */
function usable(value: unknown, fields: readonly string[], now: number): CertificatePems | undefined {
  if (typeof value !== 'object' || value === null || !Object.values(value).every((v) => typeof v === 'string')) return undefined;
  const pems = value as Record<string, string>;
  if (!['key', 'cert', ...fields].every((f) => pems[f])) return undefined;
  try {
    const cert = new X509Certificate(pems.cert);
    if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now + RENEW_BEFORE_MS) return undefined;
    if (!cert.checkPrivateKey(createPrivateKey(pems.key))) return undefined;
  } catch {
    return undefined;
  }
  return pems as unknown as CertificatePems;
}
