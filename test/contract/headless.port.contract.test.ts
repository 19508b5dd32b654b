/** The port contract (port-contract.ts) for the HeadlessDomains backend: the portable layer over the HeadlessDomains driver, against its sandbox. */
import { PortableBackend } from '../../src/backends/portable.js';
import { HeadlessDriver, capabilitiesFrom } from '../../src/backends/headless/index.js';
import { setSandboxToken, type HeadlessAccountConfig } from '../../src/backends/headless/config.js';
import { FakeClock } from '../../src/core/clock.js';
import { HeadlessSandbox } from '../../src/sandbox/headless/index.js';
import { runPortContract } from './port-contract.js';

const APPLY_MS = 60_000;
const clock = new FakeClock('2026-06-11T12:00:00Z');

runPortContract({
  name: 'headless',
  async setup(hooks) {
    const sandbox = new HeadlessSandbox({ clock, registrars: ['acme', 'rival'], applyDelayMs: APPLY_MS });
    const { url } = await sandbox.start();
    const accounts: Record<string, HeadlessAccountConfig> = {};
    for (const r of sandbox.registrars) setSandboxToken((accounts[r.registrarId] = { channelId: r.channelId }), r.token);
    const driver = new HeadlessDriver({ name: 'sbx-headless', kind: 'headless', url, accounts });
    const port = new PortableBackend(driver, { clock, onCommand: hooks.onCommand, onCommandStart: hooks.onCommandStart });
    return {
      port,
      clock,
      reset: () => {
        clock.set('2026-06-11T12:00:00Z');
        sandbox.reset();
      },
      close: async () => {
        await port.close();
        await sandbox.stop();
      },
    };
  },
  capabilities: capabilitiesFrom(['poll']),
  fresh: (label) => `${label}.hdtest`,
  domainInput: (name) => ({
    name,
    period: { value: 1, unit: 'y' },
    contacts: [],
    nameservers: [{ name: 'ns1.example.net', ipv4: [], ipv6: [] }, { name: 'ns2.example.net', ipv4: [], ipv6: [] }],
    authInfo: 'Create-pw1',
    registrantInfo: { name: 'Ada Lovelace', email: 'ada@example.net' },
  }),
  extraNameserver: { name: 'ns3.example.net', ipv4: [], ipv6: [] },
  acmeDomain: 'acme-seed.hdtest',
  rivalDomain: { name: 'rival-seed.hdtest', authInfo: 'Seed-rival-1' },
  // Transfer intent is applied by the registry's backend after its delay.
  completeTransfer: async () => clock.advance(APPLY_MS),
});
