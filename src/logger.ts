import { pino, type Logger as PinoLogger } from 'pino';

/** The gateway's logger: pino's. */
export type Logger = PinoLogger;

/**
 * JSON logs. Secrets never reach the log: redaction paths cover credentials anywhere they
 * could be attached, and adapters redact EPP frames themselves before logging them.
 */
export function createLogger(level = 'info'): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        '*.password',
        '*.authInfo',
        '*.apiKey',
        'variables.input.authInfo',
        'variables.authInfo',
      ],
      censor: '[redacted]',
    },
  });
}
