/**
 * How an operator command that opens the gateway's database (key:create, key:list, key:revoke,
 * db:migrate) ends: with the exit code its body returns, or, when it throws, with exit 1 and one
 * message on stderr, no stack trace. A configuration error reads exactly as the gateway prints it
 * at start (describeConfigError: the message naming the setting, then the config file), since the
 * commands load the configuration as the gateway does (loadConfig, use 'command'); anything else
 * (StartupError: the database unreachable or held; a data directory refused) is its message alone.
 */
import { describeConfigError } from '../config.js';
import { ConfigError } from '../config-error.js';

/**
 * Runs `body` and sets process.exitCode from what it returns (0 success, 1 refused, 2 usage), or
 * to 1 after printing a thrown error (see above) to stderr. Returns when `body` has settled.
 */
export async function runCommand(body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (e) {
    console.error(e instanceof ConfigError ? describeConfigError(e) : e instanceof Error ? e.message : e);
    process.exitCode = 1;
  }
}
