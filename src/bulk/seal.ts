/**
 * Secrets the gateway must keep in the database are stored sealed with AES-256-GCM under a key
 * derived from the deployment's idempotency key (Fingerprints.derive), so the database alone does
 * not reveal them; every instance sharing the database opens them. Two uses, each with its own
 * derived key: a bulk item's auth code until the item is final (label "bulk item secrets"), and
 * a secret in a stored answer that a retry replays (sandboxReset's transfer auth code,
 * IdempotencyService.answers: "stored answer secrets").
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Fingerprints } from '../idempotency/fingerprint.js';

const PREFIX = 'sealed:aes-256-gcm:';

/** Seals and opens secrets with AES-256-GCM (node:crypto; 96-bit random IV, 128-bit tag) under a key derived for one `label`. */
export class Sealer {
  private readonly key: Buffer;
  /** `label`: what the key is for (Fingerprints.derive), so that each use has a key of its own. */
  constructor(fingerprints: Fingerprints, label = 'bulk item secrets') {
    this.key = Buffer.from(fingerprints.derive(label), 'hex');
  }

  /** Whether `value` is a seal (what seal() returns), not a secret stored as it was. */
  static isSealed(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(PREFIX);
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
