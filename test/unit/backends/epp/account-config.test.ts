/**
 * An EPP account's clientId and password are checked at start against RFC 5730's clIDType (3-16
 * characters) and pwType (6-16), epp-1.0.xsd: a password of 17 characters was sent at login and
 * refused by the registry (2001) on every session instead of at config load. The message names the
 * backend, the account and the environment variable, and never quotes the password.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config.js';
import { ConfigError } from '../../../../src/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'rgw-epp-account-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'gateway.config.json'),
  JSON.stringify({
    registrars: [{ id: 'acme', name: 'Acme' }],
    backends: [{ name: 'real-epp', kind: 'epp', host: 'epp.example', port: 700, tls: {}, accounts: { acme: { clientId: 'acme-1', password: 'in-file-Pw1' } } }],
    routes: [{ suffix: 'example', backend: 'real-epp' }],
    defaultBackend: 'real-epp',
  }),
);
const load = (env: Record<string, string>) => loadConfig(env, dir);
const refusal = (env: Record<string, string>) => {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the config was taken');
};

describe('EPP account credentials at config load', () => {
  it('takes passwords of 6 to 16 characters, from the file or GATEWAY_<BACKEND>_<REGISTRAR>_PASSWORD', () => {
    expect((load({}).backends[0].accounts.acme as { password: string }).password).toBe('in-file-Pw1');
    for (const pw of ['abc-12', 'Sixteen-chars-16', 'two words ok']) {
      expect((load({ GATEWAY_REAL_EPP_ACME_PASSWORD: pw }).backends[0].accounts.acme as { password: string }).password).toBe(pw);
    }
  });

  it('refuses a password the registry would refuse at login, naming the account and the variable, never the password', () => {
    for (const pw of ['Qx7-seventeen-c17', 'Qx7-s', ' Qx7-lead', 'Qx7-trail ', 'Qx7  two', 'Qx7\ttab', 'Qx7\nline']) {
      const message = refusal({ GATEWAY_REAL_EPP_ACME_PASSWORD: pw });
      expect(message, JSON.stringify(pw)).toMatch(/backend "real-epp" account "acme" password must be 6 to 16 characters/);
      expect(message).toContain('GATEWAY_REAL_EPP_ACME_PASSWORD');
      expect(message).toContain('RFC 5730 pwType');
      expect(message).not.toContain('Qx7');
    }
  });

  it('refuses a clientId outside 3 to 16 characters', () => {
    for (const clientId of ['ab', 'a-client-id-of-17']) {
      writeFileSync(
        join(dir, 'gateway.config.json'),
        JSON.stringify({
          registrars: [{ id: 'acme', name: 'Acme' }],
          backends: [{ name: 'real-epp', kind: 'epp', host: 'epp.example', port: 700, tls: {}, accounts: { acme: { clientId, password: 'in-file-Pw1' } } }],
          routes: [{ suffix: 'example', backend: 'real-epp' }],
          defaultBackend: 'real-epp',
        }),
      );
      expect(refusal({})).toMatch(/account "acme" clientId must be 3 to 16 characters .*RFC 5730 clIDType/);
    }
  });
});
