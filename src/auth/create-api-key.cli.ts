/**
 * Creates an API key for a registrar and prints it (once: only its hash is stored).
 *
 *   npm run key:create -- --registrar NewRegistrar [--label ci] [--name "New Registrar"]
 *   node dist/src/auth/create-api-key.cli.js --registrar NewRegistrar     (after npm run build)
 *
 * See create-api-key.ts for the options and which database it opens; the configuration is the
 * gateway's (loadConfig), and a bad one is refused as the gateway refuses it (src/cli/run.ts).
 */
import { createApiKeyCommand } from './create-api-key.js';
import { quietOnClosedStdout } from '../cli/stdout.js';
import { runCommand } from '../cli/run.js';

quietOnClosedStdout(); // `| head` closes stdout early: no EPIPE stack trace

void runCommand(() => createApiKeyCommand(process.argv.slice(2)));
