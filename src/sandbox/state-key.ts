/**
 * What the sandboxes' state files (src/sandbox/epp/state-file.ts, src/sandbox/joker/state-file.ts)
 * share: the key in `<dir>/state.key` and the AES-256-GCM box that seals the secrets (auth infos,
 * Auth-IDs) they write, so a state file can be read, copied and searched without showing them.
 * Sandbox code only: no adapter imports it, and it imports nothing of one.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** AES-256-GCM for the secrets in a state file: "gcm1:" + base64url(iv | tag | ciphertext). */
export class SecretBox {
  constructor(private readonly key: Buffer) {}

  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `gcm1:${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url')}`;
  }

  open(sealed: string): string {
    if (!sealed.startsWith('gcm1:')) throw new Error('not a sealed value');
    const raw = Buffer.from(sealed.slice(5), 'base64url');
    const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
  }
}

/** Reads `<dir>/state.key` (64 hex digits), creating it (32 random bytes, mode 0600) when absent; throws naming the file when it holds no such key. */
export async function stateKey(dir: string): Promise<Buffer> {
  const file = path.join(dir, 'state.key');
  if (!existsSync(file)) {
    await writeFile(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e; // another sandbox of this process created it first
    });
  }
  const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
  if (key.length !== 32) throw new Error(`${file} is not a sandbox state key (64 hex digits)`);
  return key;
}
