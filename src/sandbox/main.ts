/**
 * The EPP sandboxes as a process of their own: `npm run sandbox [-- --port 7000] [--data-dir DIR]`.
 *
 * For pointing a gateway (or any EPP client) at a sandbox that is not inside the gateway: prints
 * one JSON line with, per sandbox, the backend config a gateway needs (host, port, the CA to
 * trust, the TLDs it serves and the sandbox registrars' logins), then serves until SIGINT/SIGTERM.
 * Port N serves the contacts profile, N+1 the nomulus profile (default: ephemeral ports).
 * With --data-dir the sandboxes keep their state there (DIR/sandbox-epp.json, ...) across
 * restarts; without, they start from their seed every time. `--help` / `-h` prints USAGE and
 * exits 0, starting nothing.
 */
import { SANDBOX_TLDS } from '../config.js';
import { EppSandbox, SANDBOX_REGISTRARS } from './epp/index.js';
import { quietOnClosedStdout } from '../cli/stdout.js';

quietOnClosedStdout(); // `| head` closes stdout early: no EPIPE stack trace

const USAGE = `usage: npm run sandbox [-- --port N] [--data-dir DIR]     (after npm run build: node dist/src/sandbox/main.js)
Runs the two EPP registry sandboxes (.example, with contact objects; .tld, like Nomulus: domains and
hosts only) as a process of their own, prints as one JSON line the "registrars", "backends" and "routes"
a gateway config needs to use them (a config file of its own as it is), and serves until Ctrl-C or SIGTERM.
options: --port N        the contacts sandbox on port N, the nomulus one on N+1 (default: ephemeral ports)
         --data-dir DIR  keep their state in DIR across restarts (default: start from the seed every time)
         -h, --help      this text (nothing is started)
environment: SANDBOX_HOST   the interface they listen on (default 127.0.0.1)
README: "Start" (npm run sandbox)`;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const option = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const base = Number(option('port') ?? 0);
const dataDir = option('data-dir');
const host = process.env.SANDBOX_HOST ?? '127.0.0.1';

const profiles = [
  { name: 'sandbox-epp', profile: 'contacts' as const, tlds: [...SANDBOX_TLDS.contacts] },
  { name: 'sandbox-nomulus', profile: 'nomulus' as const, tlds: [...SANDBOX_TLDS.nomulus] },
];
const running = await Promise.all(
  profiles.map(async (p, n) => {
    const state = dataDir === undefined ? undefined : { dir: dataDir, name: p.name };
    const sandbox = new EppSandbox({ profile: p.profile, tlds: p.tlds, host, port: base ? base + n : 0, state });
    return { p, sandbox, address: await sandbox.start() };
  }),
);
const accounts = Object.fromEntries(SANDBOX_REGISTRARS.map((r) => [r.clientId, { clientId: r.clientId, password: r.password }]));
process.stdout.write(
  JSON.stringify({
    // A file with backends gets no registrars of the zero-setup start (Configuration): the ids the accounts are under.
    registrars: SANDBOX_REGISTRARS.map((r) => ({ id: r.clientId, name: `${r.clientId} (sandbox)` })),
    backends: running.map(({ p, address }) => ({ name: p.name, kind: 'epp', host: address.host, port: address.port, tls: { ca: address.ca, servername: 'localhost' }, accounts, periodUnits: ['y'] })),
    routes: running.flatMap(({ p }) => p.tlds.map((suffix) => ({ suffix, backend: p.name }))),
  }) + '\n',
);
const stop = async () => {
  await Promise.all(running.map((r) => r.sandbox.stop()));
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
