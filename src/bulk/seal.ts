/**
 * Secrets a bulk item must keep until it runs (a transfer's auth code) are stored sealed with
 * AES-256-GCM under a key derived from the deployment's idempotency key (Fingerprints.derive), so
 * the database alone does not reveal them; every instance sharing the database opens them.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Fingerprints } from '../idempotency/fingerprint.js';

const PREFIX = 'sealed:aes-256-gcm:';

export class Sealer {
  private readonly key: Buffer;
  constructor(fingerprints: Fingerprints) {
    this.key = Buffer.from(fingerprints.derive('bulk item secrets'), 'hex');
  }

  /** `sealed:aes-256-gcm:<iv>.<tag>.<ciphertext>` (base64url parts). */
  seal(secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${PREFIX}${[iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.')}`;
  }

  /** The secret a seal holds; throws when it was sealed under another key or altered. */
  open(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('bulk: not a sealed secret');
    const [iv, tag, body] = sealed.slice(PREFIX.length).split('.').map((p) => Buffer.from(p, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv!);
    decipher.setAuthTag(tag!);
    return Buffer.concat([decipher.update(body!), decipher.final()]).toString('utf8');
  }
}
