/**
 * The EPP sandboxes as a process of their own: `npm run sandbox [-- --port 7000] [--data-dir DIR]`.
 *
 * For pointing a gateway (or any EPP client) at a sandbox that is not inside the gateway: prints
 * one JSON line with, per sandbox, the backend config a gateway needs (host, port, the CA to
 * trust, the TLDs it serves and the sandbox registrars' logins), then serves until SIGINT/SIGTERM.
 * Port N serves the contacts profile, N+1 the nomulus profile (default: ephemeral ports).
 * With --data-dir the sandboxes keep their state there (DIR/sandbox-epp.json, ...) and their TLS
 * certificate (DIR/tls/epp.json) across restarts; without, they start from their seed with a new
 * certificate every time; the folder is this process's while it runs (`DIR.lock`: a second
 * process on it is refused, exit 1). `--help` / `-h` prints USAGE and exits 0, starting nothing.
 */
import { SANDBOX_TLDS } from '../config.js';
import { StartupError } from '../config-error.js';
import { lockSandboxState } from './state-lock.js';
import { EppSandbox, SANDBOX_REGISTRARS } from './epp/index.js';
import { quietOnClosedStdout } from '../cli/stdout.js';
import { parseOptions, UsageError } from '../cli/options.js';

quietOnClosedStdout(); // `| head` closes stdout early: no EPIPE stack trace

const USAGE = `usage: npm run sandbox [-- --port N] [--data-dir DIR]     (after npm run build: node dist/src/sandbox/main.js)
Runs the two EPP registry sandboxes (.example, with contact objects; .tld, like Nomulus: domains and
hosts only) as a process of their own, prints as one JSON line the "registrars", "backends" and "routes"
a gateway config needs to use them (a config file of its own as it is), and serves until Ctrl-C or SIGTERM.
options: --port N        the contacts sandbox on port N, the nomulus one on N+1 (default: ephemeral ports)
         --data-dir DIR  keep their state and TLS certificate in DIR across restarts (default: start from the seed, with a new certificate, every time)
         -h, --help      this text (nothing is started)
         an unknown option or a bad --port is refused: the message and this text, exit 2
environment: SANDBOX_HOST   the interface they listen on (default 127.0.0.1)
README: "Start" (npm run sandbox)`;

/**
 * The command line, or exit 2 with the refusal and USAGE on stderr: an option it does not have
 * (named with the closest one: `--prot 7000` ran on ephemeral ports without a word), a --port that
 * is not a whole number from 1 to 65534 (the nomulus sandbox takes N+1; `--port abc` was ignored
 * too, `--port 70000` a RangeError stack trace).
 */
function options(): { base: number; dataDir?: string } {
  try {
    const { values } = parseOptions({ options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const port = values.port ?? '0';
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65534) throw new UsageError('--port must be a whole number from 1 to 65534 (the nomulus sandbox listens on the next port)');
    return { base: Number(port), dataDir: values['data-dir'] };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const { base, dataDir } = options();
const host = process.env.SANDBOX_HOST ?? '127.0.0.1';
// One process at a time writes a state folder: a second `npm run sandbox` on it is refused, one line, exit 1.
if (dataDir !== undefined) {
  try {
    lockSandboxState(dataDir, 'another `npm run sandbox` or a gateway with sandboxes on the same folder', '--data-dir');
  } catch (e) {
    if (!(e instanceof StartupError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}

// SIGINT and SIGTERM are handled from here on, before anything starts or the line is printed: a
// signal that came between the line and its handler took the default action (the process killed,
// the state folder's lock and the sandboxes' last state not written), as a test sending SIGTERM
// the moment it read the line found under load. The sandboxes started by then are stopped.
const started: EppSandbox[] = [];
let stopping: Promise<void> | undefined;
const stop = () =>
  (stopping ??= Promise.allSettled(started.map((s) => s.stop())).then(() => process.exit(0)));
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

const profiles = [
  { name: 'sandbox-epp', profile: 'contacts' as const, tlds: [...SANDBOX_TLDS.contacts] },
  { name: 'sandbox-nomulus', profile: 'nomulus' as const, tlds: [...SANDBOX_TLDS.nomulus] },
];
const running = await Promise.all(
  profiles.map(async (p, n) => {
    const state = dataDir === undefined ? undefined : { dir: dataDir, name: p.name };
    // With --data-dir the certificate is kept too (DIR/tls/epp.json, as the gateway's own sandboxes
    // keep theirs): a restart serves the same one, so the gateways given its CA go on trusting it.
    const tlsFile = dataDir === undefined ? undefined : `${dataDir}/tls/epp.json`;
    const sandbox = new EppSandbox({ profile: p.profile, tlds: p.tlds, host, port: base ? base + n : 0, state, tlsFile });
    started.push(sandbox);
    return { p, address: await sandbox.start() };
  }),
);
const accounts = Object.fromEntries(SANDBOX_REGISTRARS.map((r) => [r.clientId, { clientId: r.clientId, password: r.password }]));
process.stdout.write(
  JSON.stringify({
    // A file with backends gets no registrars of the zero-setup start (Configuration): the ids the accounts are under.
    registrars: SANDBOX_REGISTRARS.map((r) => ({ id: r.clientId, name: `${r.clientId} (sandbox)` })),
    backends: running.map(({ p, address }) => ({ name: p.name, kind: 'epp', host: address.host, port: address.port, tls: { ca: address.ca, servername: 'localhost' }, accounts, periodUnits: ['y'], transferPeriods: 'one-year' })),
    routes: running.flatMap(({ p }) => p.tlds.map((suffix) => ({ suffix, backend: p.name }))),
  }) + '\n',
);
