/**
 * A config file that declares its own backends gets none of the zero-setup sandboxes' settings:
 * without `defaultBackend` it was refused with `defaultBackend "sandbox-epp" is not a backend`,
 * without `routes` with `route "example" names unknown backend "sandbox-epp"`, naming things that
 * are not in the file. Now `registrars` and `routes` are required with `backends`, said so, and
 * `defaultBackend` is the backend when there is one (optional with several).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'rgw-config-own-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const epp = (name: string) => ({ name, kind: 'epp', host: 'epp.example', port: 700, tls: {}, accounts: { acme: { clientId: 'acme-1', password: 'in-file-Pw1' } } });
const FILE = {
  registrars: [{ id: 'acme', name: 'Acme' }],
  backends: [epp('nomulus')],
  routes: [{ suffix: 'app', backend: 'nomulus' }],
  defaultBackend: 'nomulus',
};

function load(file: Record<string, unknown>) {
  writeFileSync(join(dir, 'gateway.config.json'), JSON.stringify(file));
  return loadConfig({}, dir);
}

function refusal(file: Record<string, unknown>): string {
  try {
    load(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).file).toBe(join(dir, 'gateway.config.json'));
    return (err as Error).message;
  }
  throw new Error('the config was taken');
}

const without = (key: keyof typeof FILE) => Object.fromEntries(Object.entries(FILE).filter(([k]) => k !== key));

describe('a config file with its own backends', () => {
  it('without defaultBackend and one backend: that backend, and nothing of the sandboxes', () => {
    const cfg = load(without('defaultBackend'));
    expect(cfg.defaultBackend).toBe('nomulus');
    expect(cfg.routes).toEqual([{ suffix: 'app', backend: 'nomulus' }]);
    expect(cfg.registrars.map((r) => r.id)).toEqual(['acme']);
    expect(JSON.stringify(cfg)).not.toContain('sandbox');
  });

  it('without defaultBackend and several backends: none (contact and host commands name their registry)', () => {
    const cfg = load({ ...without('defaultBackend'), backends: [epp('nomulus'), epp('other')] });
    expect(cfg.defaultBackend).toBeUndefined();
  });

  it('without routes: says routes is required, not that a sandbox route names an unknown backend', () => {
    const message = refusal(without('routes'));
    expect(message).toMatch(/^config: routes is required when backends is given/);
    expect(message).not.toContain('sandbox');
  });

  it('without registrars: says registrars is required (the sandbox registrars were created in a real database)', () => {
    expect(refusal(without('registrars'))).toMatch(/^config: registrars is required when backends is given/);
  });

  it('a backend without accounts: says accounts is needed, naming the backend (was "does not have the expected shape"); a sandbox backend may leave them out', () => {
    const { accounts: _, ...bare } = epp('nomulus');
    expect(refusal({ ...FILE, backends: [bare] })).toMatch(/^config: backend "nomulus" needs accounts/);
    expect(refusal({ ...FILE, backends: [{ ...bare, accounts: 'acme' }] })).toMatch(/^config: backend "nomulus" needs accounts/);
    const cfg = load({ ...FILE, backends: [{ name: 'nomulus', kind: 'epp', host: '127.0.0.1', port: 0, tls: {}, sandbox: { profile: 'nomulus' } }] });
    expect(cfg.backends[0]!.accounts).toEqual({});
  });

  it('a file without backends still runs the sandboxes, with their routes, registrars and defaultBackend', () => {
    const cfg = load({ port: 4001 });
    expect(cfg.defaultBackend).toBe('sandbox-epp');
    expect(cfg.backends.every((b) => b.sandbox)).toBe(true);
    expect(cfg.registrars.map((r) => r.id)).toEqual(['NewRegistrar', 'TheRegistrar']);
  });
});
