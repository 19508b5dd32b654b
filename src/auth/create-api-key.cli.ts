/**
 * Creates an API key for a registrar and prints it (once: only its hash is stored).
 *
 *   npm run key:create -- --registrar NewRegistrar [--label ci] [--name "New Registrar"]
 *   node dist/src/auth/create-api-key.cli.js --registrar NewRegistrar     (after npm run build)
 *
 * See create-api-key.ts for the options and which database it opens.
 */
import { createApiKeyCommand } from './create-api-key.js';
import { quietOnClosedStdout } from '../cli/stdout.js';

quietOnClosedStdout(); // `| head` closes stdout early: no EPIPE stack trace

createApiKeyCommand(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  },
);
