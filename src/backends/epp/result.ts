/** EPP result codes -> core/errors.ts, keeping the upstream code and message. */
import { registryErrorFor, type RegistryError } from '../../core/errors.js';
import type { EppResponse } from './xml/envelope.js';
import { maskSecrets } from './xml/redact.js';

export const SUCCESS_CODES = new Set([1000, 1001, 1300, 1301, 1500]);

export function isSuccess(code: number): boolean {
  return code >= 1000 && code < 2000;
}

/** The error for a failed response (message includes extValue reasons; secrets masked). */
export function errorFor(resp: EppResponse, backend?: string, secrets: ReadonlyArray<string | null | undefined> = []): RegistryError {
  const reasons = resp.results[0]?.reasons ?? [];
  const text = reasons.length > 0 ? `${resp.message} (${reasons.join('; ')})` : resp.message;
  return registryErrorFor(resp.code, maskSecrets(text, secrets), backend);
}

/** Return the response when it succeeded; throw the mapped RegistryError otherwise. */
export function ensureSuccess(
  resp: EppResponse,
  backend?: string,
  secrets: ReadonlyArray<string | null | undefined> = [],
): EppResponse {
  if (isSuccess(resp.code)) return resp;
  throw errorFor(resp, backend, secrets);
}
