/**
 * A first-time operator's bad TLS files and backend values were taken at start: `tls.ca` naming a
 * missing file, `tls.cert`/`tls.key` that are not PEM, a `tls.ca` file that is not a certificate
 * (passed on unchecked, so every session later failed "self-signed certificate"), a backend
 * `"port": 99999`; the gateway started, /readyz said 200 and the poller failed every few seconds.
 * Now each is a ConfigError at load naming the setting, for every kind that takes TLS files (EPP,
 * REPP's client certificate, Joker and HeadlessDomains' CA), never quoting a key. Also both
 * IDEMPOTENCY_KEY_SECRET and IDEMPOTENCY_KEY_FILE set: refused, naming both, quoting neither.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates, type SandboxCertificates } from '../../../src/sandbox/repp/tls.js';
import { loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'rgw-config-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let pems: SandboxCertificates;
const KEY_SECRET = 'k'.repeat(40);
beforeAll(async () => {
  pems = await certificates();
  writeFileSync(join(dir, 'ca.pem'), pems.cert);
  writeFileSync(join(dir, 'client.pem'), pems.clientCert);
  writeFileSync(join(dir, 'client.key'), pems.clientKey);
  writeFileSync(join(dir, 'server.key'), pems.key);
  writeFileSync(join(dir, 'notes.txt'), 'hello, not a certificate\n');
}, 60_000);

const backend = (over: Record<string, unknown>) => ({
  name: 'sandbox-epp',
  kind: 'epp',
  host: '127.0.0.1',
  port: 700,
  tls: {},
  accounts: { acme: { clientId: 'acme-1', password: 'in-file-Pw1' } },
  ...over,
});

function load(b: Record<string, unknown>, env: NodeJS.ProcessEnv = { IDEMPOTENCY_KEY_SECRET: KEY_SECRET }) {
  writeFileSync(join(dir, 'gateway.config.json'), JSON.stringify({ registrars: [{ id: 'acme', name: 'Acme' }], backends: [b], routes: [{ suffix: 'app', backend: b.name }] }));
  return loadConfig({ DATABASE_URL: 'postgresql://u@db.invalid/x', ...env }, dir);
}

function refusal(b: Record<string, unknown>, env?: NodeJS.ProcessEnv): string {
  try {
    load(b, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the config was taken');
}

describe('TLS files and ports are checked when the configuration is loaded', () => {
  it('an EPP tls.ca naming a missing file: the setting and the path', () => {
    expect(refusal(backend({ tls: { ca: join(dir, 'nope-ca.pem') } }))).toBe(`config: backend "sandbox-epp" tls.ca: file ${join(dir, 'nope-ca.pem')} not found`);
  });

  it('an EPP tls.ca file that is not a certificate (a key, a text): not a PEM certificate', () => {
    expect(refusal(backend({ tls: { ca: join(dir, 'notes.txt') } }))).toMatch(/^config: backend \"sandbox-epp\" tls\.ca: not a PEM certificate/);
    const m = refusal(backend({ tls: { ca: join(dir, 'server.key') } }));
    expect(m).toMatch(/^config: backend \"sandbox-epp\" tls\.ca: not a PEM certificate/);
    expect(m).not.toContain('PRIVATE KEY');
  });

  it('a tls.cert or tls.key that is not PEM, or a pair that does not match; no key quoted', () => {
    expect(refusal(backend({ tls: { cert: join(dir, 'notes.txt'), key: join(dir, 'client.key') } }))).toMatch(/^config: backend \"sandbox-epp\" tls\.cert: not a PEM certificate/);
    const bad = refusal(backend({ tls: { cert: join(dir, 'client.pem'), key: join(dir, 'client.pem') } }));
    expect(bad).toMatch(/^config: backend \"sandbox-epp\" tls\.key: not a PEM private key/);
    const pair = refusal(backend({ tls: { cert: join(dir, 'client.pem'), key: join(dir, 'server.key') } }));
    expect(pair).toMatch(/^config: backend \"sandbox-epp\" tls\.cert and tls\.key are not a pair/);
    for (const m of [bad, pair]) expect(m).not.toContain(pems.key.slice(40, 80));
  });

  it('good files are taken, as paths or PEM text, and reach the backend as PEM', () => {
    const cfg = load(backend({ tls: { ca: join(dir, 'ca.pem'), cert: join(dir, 'client.pem'), key: join(dir, 'client.key') } }));
    const tls = (cfg.backends[0] as unknown as { tls: Record<string, string> }).tls;
    expect(tls).toMatchObject({ ca: pems.cert, cert: pems.clientCert, key: pems.clientKey });
    expect(() => load(backend({ tls: { ca: pems.cert } }))).not.toThrow();
  });

  it('a backend port outside 1-65535', () => {
    expect(refusal(backend({ port: 99999 }))).toBe('config: backend "sandbox-epp" port must be a TCP port, 1 to 65535');
  });

  it('REPP client certificate and Joker/HeadlessDomains CA: the same checks', () => {
    const repp = { name: 'ee', kind: 'repp', url: 'https://repp.example', accounts: { acme: { username: 'u', password: 'p-ssw0rd' } } };
    expect(refusal({ ...repp, tls: { cert: join(dir, 'client.pem'), key: join(dir, 'nope.key') } })).toBe(`config: backend "ee" tls.key: file ${join(dir, 'nope.key')} not found`);
    const joker = { name: 'jk', kind: 'joker', url: 'https://dmapi.example', accounts: { acme: { uid: 'acme-uid', password: 'api-key-123456' } } };
    expect(refusal({ ...joker, tls: { ca: join(dir, 'notes.txt') } })).toMatch(/^config: backend \"jk\" tls\.ca: not a PEM certificate/);
  });
});

describe('the idempotency key given twice', () => {
  it('IDEMPOTENCY_KEY_SECRET and IDEMPOTENCY_KEY_FILE both set: refused naming both, quoting neither', () => {
    writeFileSync(join(dir, 'idem.key'), 'f'.repeat(64));
    const m = refusal(backend({}), { IDEMPOTENCY_KEY_SECRET: KEY_SECRET, IDEMPOTENCY_KEY_FILE: join(dir, 'idem.key') });
    expect(m).toMatch(/IDEMPOTENCY_KEY_SECRET .* and IDEMPOTENCY_KEY_FILE .* are both set/);
    expect(m).not.toContain(KEY_SECRET);
    expect(m).not.toContain('f'.repeat(64));
  });
});
