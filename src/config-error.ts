/**
 * A configuration the gateway cannot run with: a bad value in gateway.config.json (or the file
 * GATEWAY_CONFIG names) or in an environment variable, a file the configuration names that cannot
 * be read. The message says which setting (`config: limits.maxDepth must be ...`) and what it
 * needs; entry points print the message alone (and `file`), without a stack trace, which is kept
 * for unexpected errors. Throw it only for what the operator can fix in the configuration.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';

  /**
   * @param message  names the setting (and its environment variable where there is one) and what it needs
   * @param file     the config file the setting was read from, when there was one (absolute path)
   */
  constructor(
    message: string,
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The gateway (or a command) cannot start for a reason outside its own process that the operator
 * must fix: the database at DATABASE_URL cannot be reached or refuses the login, the embedded
 * database is held by another process. The message is one line naming the setting (DATABASE_URL,
 * the data directory) and the cause, never a secret (no password); entry points print it alone,
 * without a stack trace, and exit 1. `cause` keeps the original error for a debugger.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}
