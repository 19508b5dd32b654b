/** The port contract (port-contract.ts) for the REPP backend: the portable layer over the REPP driver, against the REPP sandbox. */
import { PortableBackend } from '../../src/backends/portable.js';
import { REPP_CAPABILITIES, ReppDriver } from '../../src/backends/repp/index.js';
import { FakeClock } from '../../src/core/clock.js';
import type { ContactCreateInput } from '../../src/core/model/index.js';
import { ReppSandbox } from '../../src/sandbox/repp/index.js';
import { runPortContract } from './port-contract.js';

runPortContract({
  name: 'repp',
  async setup(hooks) {
    const clock = new FakeClock('2026-03-01T12:00:00Z');
    const sandbox = new ReppSandbox({ clock });
    const { url } = await sandbox.start();
    const driver = new ReppDriver(
      { name: 'sbx-repp', kind: 'repp', url, accounts: { acme: { username: 'test', password: 'test123' }, rival: { username: 'theregistrar', password: 'password2' } } },
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
  capabilities: REPP_CAPABILITIES,
  fresh: (label) => `${label}.ee`,
  domainInput: (name) => ({
    name,
    period: { value: 1, unit: 'y' },
    registrant: 'ATSAA:KARL',
    contacts: [{ role: 'admin', id: 'ATSAA:KARL' }, { role: 'tech', id: 'ATSAA:KARL' }],
    nameservers: [{ name: 'ns1.example.net', ipv4: [], ipv6: [] }, { name: 'ns2.example.net', ipv4: [], ipv6: [] }],
    authInfo: 'Create-pw1',
  }),
  extraNameserver: { name: 'ns3.example.net', ipv4: [], ipv6: [] },
  acmeDomain: 'kass.ee',
  rivalDomain: { name: '666.ee', authInfo: 'd79d865fdf589a1cd52ae95fde4e5d30' },
  completeTransfer: async () => {},
  contactInput: (label) =>
    ({
      id: label,
      postalInfo: [{ type: 'int', name: 'Mari Maasikas', street: [], city: '', cc: 'EE' }],
      email: `${label}@example.ee`,
      voice: '+372.5551111',
      authInfo: 'unused-by-repp',
      ident: { code: '48001010000', type: 'priv', countryCode: 'EE' },
    }) as ContactCreateInput,
  contactInUse: 'ATSAA:KARL',
});
