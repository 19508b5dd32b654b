/**
 * npm run bulk -- renew --file names.txt --period 1y      (see USAGE in args.ts; --help prints it)
 * node dist/src/bulk/cli/bulk.cli.js ...                  (after npm run build)
 *
 * Ctrl-C (SIGINT) or SIGTERM stops following; the job keeps running in the gateway, so the CLI
 * says how to follow it again and exits 130 (128 + SIGINT, as a shell reports an interrupt). A
 * connection to the gateway lost while following says the same, with the URL and the cause, and
 * exits 3 (runBulkCli).
 */
import { runBulkCli, stoppedFollowing } from './cli.js';
import { quietOnClosedStdout } from '../../cli/stdout.js';

quietOnClosedStdout(); // `| head` closes stdout early: no EPIPE stack trace

let following: { id: string; attach: string } | null = null;
let command: string | undefined;
const interrupted = () => {
  process.stderr.write(
    following
      ? `\n${stoppedFollowing(following.id, following.attach)}`
      : command === 'cancel'
        ? '\nstopped before the gateway answered; the cancel may have gone through: the same command again is safe\n'
        : '\nstopped before the gateway answered; if the job was submitted, the same command again attaches to it\n',
  );
  process.exit(130);
};
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);

runBulkCli(process.argv.slice(2), process.env, {
  err: (s) => process.stderr.write(s),
  out: (s) => process.stdout.write(s),
  // A terminal that gives no width (0: `script`, `docker run -t`) gets the lines a log gets: a redraw cannot keep to a row it cannot measure.
  tty: process.stderr.isTTY === true && (process.stderr.columns ?? 0) > 0,
  columns: () => process.stderr.columns,
  onCommand: (c) => void (command = c),
  onJob: (id, attach) => void (following = { id, attach }),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  },
);
