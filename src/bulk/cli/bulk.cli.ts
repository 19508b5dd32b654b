/**
 * npm run bulk -- renew --file names.txt --period 1y      (see USAGE in args.ts)
 * node dist/src/bulk/cli/bulk.cli.js ...                  (after npm run build)
 */
import { runBulkCli } from './cli.js';

runBulkCli(process.argv.slice(2), process.env, { err: (s) => process.stderr.write(s), out: (s) => process.stdout.write(s), tty: process.stderr.isTTY === true }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  },
);
