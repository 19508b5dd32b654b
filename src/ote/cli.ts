/**
 * `npm run ote -- --registry <backend> --registrar <id> --out <dir>`: the HeadlessDomains OT&E
 * sequence through a running gateway (runner.ts). The command line and environment are read by
 * parseOteArgs (args.ts; USAGE there, --help prints it): the gateway at --url, else GATEWAY_URL;
 * its API key from GATEWAY_API_KEY or --key-file (never a flag, so it stays out of shell history
 * and process lists); an unknown option is refused with the closest one.
 *
 * Exit status 0 when every step held, 1 when one did not (or the gateway could not be reached),
 * 2 on bad usage (one line naming what, then the usage, on stderr; nothing sent).
 */
import { parseOteArgs, USAGE, type OteArgs } from './args.js';
import { runOte } from './runner.js';
import { UsageError } from '../cli/options.js';
import { quietOnClosedStdout } from '../cli/stdout.js';

quietOnClosedStdout(); // `| head` closes stdout early: no EPIPE stack trace

let args: OteArgs | 'help';
try {
  args = parseOteArgs(process.argv.slice(2), process.env);
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`ote: ${e.message}\n${USAGE}\n`);
  process.exit(2);
}
if (args === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const r = await runOte({ ...args, log: (line) => process.stdout.write(line + '\n') }).catch((e: Error) => {
  process.stderr.write(`ote: ${e.message}\n`);
  process.exit(1);
});
process.exit(r.ok ? 0 : 1);
