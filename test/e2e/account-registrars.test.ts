/**
 * Backend accounts keyed by an id no registrar has were taken silently: `accounts: { "newregistrar":
 * ... }` (the registrar is "NewRegistrar") started without a word and every call then failed
 * FORBIDDEN `registrar "NewRegistrar" has no account on backend "sandbox-epp"`; an account for
 * "Ghost" was ignored. Now, at start (once the registrars are stored), a case-only mismatch is a
 * ConfigError with a "did you mean", and an account for an unknown registrar a warning in the log.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config-error.js';
import { startTestGateway, noBackgroundWork, type TestGateway } from '../helpers/gateway.js';
import { freshDatabase } from '../helpers/db.js';
import type { EppBackendConfig } from '../../src/config.types.js';

const ACCOUNT = { clientId: 'NewRegistrar', password: 'foo-BAR2' };
let gw: TestGateway | undefined;
afterAll(async () => {
  await gw?.close();
});

describe('backend accounts and the registrars they are keyed by', () => {
  it('an account keyed "newregistrar" for registrar NewRegistrar: the start is refused, naming the account and the id meant', async () => {
    const db = await freshDatabase();
    try {
      const err = await startTestGateway({
        database: db,
        configure: (c) => {
          noBackgroundWork(c);
          (c.backends[0] as EppBackendConfig).accounts.newregistrar = ACCOUNT;
        },
      }).then(
        (g) => g.close().then(() => undefined),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toBe('config: backend "sandbox-epp" account "newregistrar": no registrar "newregistrar"; did you mean "NewRegistrar"? (registrar ids are case-sensitive: key the account by the registrar\'s id)');
    } finally {
      await db.close();
    }
  });

  it('an account for a registrar no one has ("Ghost"): the gateway starts and says so in the log', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(JSON.parse(String(c)) as Record<string, unknown>), cb()) });
    gw = await startTestGateway({
      logger: pino({ level: 'info' }, sink),
      configure: (c) => {
        noBackgroundWork(c);
        (c.backends[0] as EppBackendConfig).accounts.Ghost = ACCOUNT;
      },
    });
    const res = await gw.gql(gw.keys.NewRegistrar!, '{ __typename }');
    expect(res.status).toBe(200);
    const warned = lines.filter((l) => String(l.msg).startsWith('backend account for an unknown registrar'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 40, backend: 'sandbox-epp', registrar: 'Ghost' });
    expect(JSON.stringify(lines)).not.toContain(ACCOUNT.password);
  });
});
