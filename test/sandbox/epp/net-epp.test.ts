/** An EPP client written elsewhere (Debian's Net::EPP::Client, Perl) against the sandbox over TLS. */
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EppSandbox, SandboxAddress } from '../../../src/sandbox/epp/index.js';
import { startSandbox } from './client.js';

const hasNetEpp = spawnSync('perl', ['-MNet::EPP::Client', '-e1']).status === 0;
const script = fileURLToPath(new URL('./net-epp-client.pl', import.meta.url));

describe.skipIf(!hasNetEpp)('Net::EPP::Client (needs Debian package libnet-epp-perl)', () => {
  let sandbox: EppSandbox;
  let addr: SandboxAddress;

  beforeAll(async () => {
    ({ sandbox, addr } = await startSandbox({ profile: 'nomulus' }));
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('connects over TLS, logs in, checks and infos a domain, logs out', async () => {
    const { stdout } = await promisify(execFile)('perl', [script, addr.host, String(addr.port), 'TheRegistrar', 'password2', 'example.tld', 'free-name.tld'], {
      timeout: 20_000,
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toEqual([
      'greeting svID=Nomulus Registry',
      'greeting objURI=urn:ietf:params:xml:ns:host-1.0',
      'greeting objURI=urn:ietf:params:xml:ns:domain-1.0',
      'login code=1000 clTRID=NETEPP-LOGIN',
      'check code=1000 clTRID=NETEPP-CHECK',
      'check example.tld avail=0',
      'check free-name.tld avail=1',
      'info code=1000 clTRID=NETEPP-INFO',
      expect.stringMatching(/^info name=example\.tld clID=TheRegistrar roid=[0-9A-F]+-TLD exDate=\d{4}-\d\d-\d\dT/),
      'logout code=1500 clTRID=NETEPP-LOGOUT',
    ]);
    expect(sandbox.applied('domain:info')).toBe(1);
  });
});
