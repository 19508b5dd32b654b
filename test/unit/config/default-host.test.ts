/**
 * The interface the gateway listens on when nothing names one: loopback (127.0.0.1) whenever it
 * runs sandboxes, which print working API keys at start (a config file without `backends` ran
 * them on every interface, 0.0.0.0), every interface for a production config; `host` in the file
 * or HOST in the environment always wins.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';

const root = mkdtempSync(join(tmpdir(), 'rgw-config-host-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** loadConfig's host in a new folder holding `file` as gateway.config.json (none: no file). */
function hostOf(file: Record<string, unknown> | undefined, env: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(root, 'c-'));
  if (file) writeFileSync(join(dir, 'gateway.config.json'), JSON.stringify(file));
  return loadConfig(env, dir).host;
}

const REAL = {
  registrars: [{ id: 'acme', name: 'Acme' }],
  backends: [{ name: 'real-epp', kind: 'epp', host: 'epp.example', port: 700, tls: {}, accounts: { acme: { clientId: 'acme-1', password: 'in-file-Pw1' } } }],
  routes: [{ suffix: 'example', backend: 'real-epp' }],
};
const SANDBOXED = {
  registrars: [{ id: 'NewRegistrar', name: 'New' }],
  backends: [{ name: 'sb', kind: 'epp', host: '127.0.0.1', port: 0, tls: {}, accounts: {}, sandbox: { profile: 'contacts' } }],
  routes: [{ suffix: 'example', backend: 'sb' }],
};

describe('the default host', () => {
  it('sandboxes and no host: loopback only, with or without a config file', () => {
    expect(hostOf(undefined)).toBe('127.0.0.1');
    expect(hostOf({ port: 4100 })).toBe('127.0.0.1'); // a file without backends runs the sandboxes
    expect(hostOf({ logLevel: 'warn', limits: { maxDepth: 10 } })).toBe('127.0.0.1');
    expect(hostOf(SANDBOXED)).toBe('127.0.0.1'); // its own backends, one of them a sandbox
  });

  it('real registries only and no host: every interface, as before', () => {
    expect(hostOf(REAL)).toBe('0.0.0.0');
  });

  it('a host the file or HOST gives wins', () => {
    expect(hostOf({ host: '0.0.0.0' })).toBe('0.0.0.0');
    expect(hostOf(undefined, { HOST: '0.0.0.0' })).toBe('0.0.0.0');
    expect(hostOf({ port: 4100 }, { HOST: '0.0.0.0' })).toBe('0.0.0.0');
    expect(hostOf({ ...REAL, host: '127.0.0.1' })).toBe('127.0.0.1');
    expect(hostOf(REAL, { HOST: '127.0.0.1' })).toBe('127.0.0.1');
  });
});
