/** The port contract (port-contract.ts) for the EPP backend, against the EPP sandbox in both profiles. */
import { EppBackend } from '../../src/backends/epp/index.js';
import { FakeClock } from '../../src/core/clock.js';
import type { CallContext } from '../../src/core/model/index.js';
import type { RegistryPort } from '../../src/core/port.js';
import { EppSandbox, SANDBOX_REGISTRARS } from '../../src/sandbox/epp/index.js';
import { runPortContract } from './port-contract.js';

const password = (id: string) => SANDBOX_REGISTRARS.find((r) => r.clientId === id)!.password;

for (const profile of ['contacts', 'nomulus'] as const) {
  const tld = profile === 'nomulus' ? 'tld' : 'example';
  const withContacts = profile === 'contacts';
  runPortContract({
    name: `epp (${profile} profile)`,
    async setup(hooks) {
      const clock = new FakeClock('2026-03-01T12:00:00Z');
      const sandbox = new EppSandbox({ profile, clock });
      const { host, port, ca } = await sandbox.start();
      const backend = new EppBackend(
        {
          name: `sbx-${profile}`,
          kind: 'epp',
          host,
          port,
          tls: { ca, servername: 'localhost' },
          accounts: { acme: { clientId: 'NewRegistrar', password: password('NewRegistrar') }, rival: { clientId: 'TheRegistrar', password: password('TheRegistrar') } },
          poolSize: 1,
        },
        { clock, onCommand: hooks.onCommand, onCommandStart: hooks.onCommandStart },
      );
      return {
        port: backend,
        clock,
        reset: () => {
          clock.set('2026-03-01T12:00:00Z');
          sandbox.reset();
        },
        close: async () => {
          await backend.close();
          await sandbox.stop();
        },
      };
    },
    capabilities: { contacts: withContacts, hostObjects: true, dnssec: true, dnssecDsData: true, restore: true, transferActions: true, transferPeriod: true, poll: true, balance: false, listDomains: false, contactIdsAssigned: false, contactIdent: false, bulk: false, periodUnits: ['y', 'm'] },
    fresh: (label) => `${label}.${tld}`,
    domainInput: (name) => ({
      name,
      period: { value: 1, unit: 'y' },
      registrant: withContacts ? 'jd1234' : null,
      contacts: withContacts ? [{ role: 'admin', id: 'jd1234' }, { role: 'tech', id: 'jd1234' }] : [],
      nameservers: [{ name: 'ns1.example.net', ipv4: [], ipv6: [] }],
      authInfo: 'Create-pw1',
    }),
    extraNameserver: { name: 'ns2.example.net', ipv4: [], ipv6: [] },
    acmeDomain: `fakesite.${tld}`,
    rivalDomain: { name: `example.${tld}`, authInfo: 'fooBAR' },
    completeTransfer: async (port: RegistryPort, rival: CallContext, name: string) => {
      await port.transferDomain(rival, 'approve', name);
    },
    ...(withContacts
      ? {
          contactInput: (label: string) => ({
            id: `c-${label}`,
            postalInfo: [{ type: 'int' as const, name: 'Mari Maasikas', street: ['Tuleviku 1'], city: 'Tallinn', cc: 'EE' }],
            email: `${label}@example.ee`,
            voice: '+372.5551111',
            authInfo: 'Contact-pw1',
          }),
          contactInUse: 'jd1234',
        }
      : {}),
  });
}
