/**
 * Argument and input field names whose values are secrets (EPP auth info, passwords, API keys):
 * never quoted in an error (src/limits/variable-errors.ts, src/http/errors.ts, src/http/secrets.ts),
 * never stored as given (src/idempotency/secrets.ts).
 */
export const SECRET_NAMES: ReadonlySet<string> = new Set(['authInfo', 'password', 'pw', 'apiKey']);

/** Whether an argument path (`authInfo`, `input.authInfo`, `domains[0].authInfo`) names a secret anywhere along it. */
export function pathNamesSecret(path: string): boolean {
  return path.split(/[.[\]]/).some((k) => SECRET_NAMES.has(k));
}

/** What an answer shows instead of a secret value (src/http/secrets.ts; the bulk CLI looks for it in the gateway's refusals). */
export const SECRET_SHOWN_AS = '(a secret: not shown)';
