/**
 * Revokes API keys, by id or by registrar and label.
 *
 *   npm run key:revoke -- <key id>   |   npm run key:revoke -- --registrar NewRegistrar --label ci
 *   node dist/src/auth/revoke-api-key.cli.js ...     (after npm run build)
 *
 * See manage-api-keys.ts for the options and which database it opens.
 */
import { revokeApiKeysCommand } from './manage-api-keys.js';
import { quietOnClosedStdout } from '../cli/stdout.js';

quietOnClosedStdout(); // `| head` closes stdout early: no EPIPE stack trace

revokeApiKeysCommand(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  },
);
