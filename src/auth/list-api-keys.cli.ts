/**
 * Lists API keys (never a key or its hash).
 *
 *   npm run key:list [-- --registrar NewRegistrar] [--json]
 *   node dist/src/auth/list-api-keys.cli.js ...     (after npm run build)
 *
 * See manage-api-keys.ts for the options and which database it opens; the configuration is the
 * gateway's (loadConfig), and a bad one is refused as the gateway refuses it (src/cli/run.ts).
 */
import { listApiKeysCommand } from './manage-api-keys.js';
import { quietOnClosedStdout } from '../cli/stdout.js';
import { runCommand } from '../cli/run.js';

quietOnClosedStdout(); // `| head` closes stdout early: no EPIPE stack trace

void runCommand(() => listApiKeysCommand(process.argv.slice(2)));
