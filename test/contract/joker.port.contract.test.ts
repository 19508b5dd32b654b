/**
 * The port contract (port-contract.ts) for the Joker backend: the portable layer over the Joker
 * driver, against the Joker sandbox over HTTPS. The sandbox processes requests at once here
 * (delays 0), so every change completes within its call; asynchronous completion is tested in
 * test/unit/backends/joker/driver.test.ts and test/e2e/joker-done-when.test.ts.
 */
import { PortableBackend } from '../../src/backends/portable.js';
import { JOKER_CAPABILITIES, JokerDriver } from '../../src/backends/joker/index.js';
import { FakeClock } from '../../src/core/clock.js';
import type { ContactCreateInput } from '../../src/core/model/index.js';
import { JOKER_SANDBOX_ACCOUNTS, JokerSandbox } from '../../src/sandbox/joker/index.js';
import { runPortContract } from './port-contract.js';

const [acmeAcct, rivalAcct] = JOKER_SANDBOX_ACCOUNTS;

runPortContract({
  name: 'joker',
  async setup(hooks) {
    const clock = new FakeClock('2026-03-01T12:00:00Z');
    const sandbox = new JokerSandbox({ clock, domainDelayMs: 0, objectDelayMs: 0 });
    const { url, ca } = await sandbox.start();
    const driver = new JokerDriver(
      {
        name: 'sbx-joker',
        kind: 'joker',
        url,
        tls: { ca, servername: 'localhost' },
        accounts: {
          acme: { uid: acmeAcct.uid, password: acmeAcct.apiKey, transferContact: acmeAcct.contact },
          rival: { uid: rivalAcct.uid, username: rivalAcct.username, password: rivalAcct.password, transferContact: rivalAcct.contact },
        },
      },
      { clock },
    );
    const port = new PortableBackend(driver, { clock, onCommand: hooks.onCommand, onCommandStart: hooks.onCommandStart });
    return {
      port,
      clock,
      reset: () => {
        clock.set('2026-03-01T12:00:00Z');
        sandbox.reset();
      },
      close: async () => {
        await port.close();
        await sandbox.stop();
      },
    };
  },
  capabilities: JOKER_CAPABILITIES,
  fresh: (label) => `${label}.joker.test`,
  domainInput: (name) => ({
    name,
    period: { value: 1, unit: 'y' },
    registrant: acmeAcct.contact,
    contacts: [
      { role: 'admin', id: acmeAcct.contact },
      { role: 'tech', id: acmeAcct.contact },
      { role: 'billing', id: acmeAcct.contact },
    ],
    nameservers: [{ name: 'ns1.sandbox-dns.test', ipv4: [], ipv6: [] }],
    authInfo: 'unused-by-joker',
  }),
  extraNameserver: { name: 'ns2.sandbox-dns.test', ipv4: [], ipv6: [] },
  acmeDomain: 'alpha.joker.test',
  rivalDomain: { name: 'rival.joker.test', authInfo: 'Rival-Auth-2' },
  completeTransfer: async () => {},
  contactInput: () =>
    ({
      id: null,
      postalInfo: [{ type: 'int', name: 'Ann Test', street: ['1 Road'], city: 'Town', pc: '12345', cc: 'EE' }],
      email: 'ann@example.test',
      voice: '+372.5551234',
      authInfo: 'unused-by-joker',
    }) as ContactCreateInput,
  contactInUse: acmeAcct.contact,
  update: { status: 'clientTransferProhibited', authInfo: false },
  returnsAuthInfo: false,
  losingRegistrarNotified: false,
  freeNameUnknown: /^unknown: not registered at Joker/,
});
