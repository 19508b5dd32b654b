/**
 * Revokes API keys, by id or by registrar and label.
 *
 *   npm run key:revoke -- <key id>   |   npm run key:revoke -- --registrar NewRegistrar --label ci
 *   node dist/src/auth/revoke-api-key.cli.js ...     (after npm run build)
 *
 * See manage-api-keys.ts for the options and which database it opens; the configuration is the
 * gateway's (loadConfig), and a bad one is refused as the gateway refuses it (src/cli/run.ts).
 */
import { revokeApiKeysCommand } from './manage-api-keys.js';
import { quietOnClosedStdout } from '../cli/stdout.js';
import { runCommand } from '../cli/run.js';

quietOnClosedStdout(); // `| head` closes stdout early: no EPIPE stack trace

void runCommand(() => revokeApiKeysCommand(process.argv.slice(2)));
