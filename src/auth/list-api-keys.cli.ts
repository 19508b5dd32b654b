/**
 * Lists API keys (never a key or its hash).
 *
 *   npm run key:list [-- --registrar NewRegistrar] [--json]
 *   node dist/src/auth/list-api-keys.cli.js ...     (after npm run build)
 *
 * See manage-api-keys.ts for the options and which database it opens.
 */
import { listApiKeysCommand } from './manage-api-keys.js';
import { quietOnClosedStdout } from '../cli/stdout.js';

quietOnClosedStdout(); // `| head` closes stdout early: no EPIPE stack trace

listApiKeysCommand(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  },
);
