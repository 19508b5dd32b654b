/** EPP result codes -> core/errors.ts, keeping the upstream code and message. */
import { MAX_QUOTE, registryErrorFor, type RegistryError } from '../../core/errors.js';
import { clipEchoes } from '../echoes.js';
import type { EppResponse } from './xml/envelope.js';
import { NS } from './xml/namespaces.js';
import { parseXml } from './xml/parse.js';
import type { XmlElement } from './xml/tree.js';
import { maskSecrets } from './xml/redact.js';

/** The EPP success codes the gateway expects (RFC 5730 section 3): 1000, 1001 pending, 1300 no messages, 1301 message, 1500 ending session. */
export const SUCCESS_CODES = new Set([1000, 1001, 1300, 1301, 1500]);

/** Whether an EPP result code is a success (1xxx, RFC 5730 section 3); every 2xxx code means the command failed. */
export function isSuccess(code: number): boolean {
  return code >= 1000 && code < 2000;
}

/** Elements whose text is a secret (RFC 5730 <pw>/<newPW>, RFC 5731/5733 <authInfo>, any depth): never an echo, masked whole instead. */
const SECRET_ELEMENTS = new Set(['pw', 'newPW', 'authInfo']);

/**
 * The values a command frame sent that a registry's refusal may echo: the trimmed text of every
 * element under <command> (object names, host names and addresses, contact ids and fields,
 * dates), but the secrets' (<pw>, <newPW>, anything inside <authInfo>: masked whole by
 * maskSecrets, never cut, or a cut copy would hide from the mask) and the gateway's own
 * <clTRID>; with each dotted value's parts after a dot (a host's superordinate domain, a name's
 * TLD). Nomulus names what it refuses whole: "The domain with given ID (<name>) doesn't exist."
 * (flows/ResourceFlowUtils, /work/shared/epp/fixtures). An unparseable frame gives [].
 */
export function commandEchoes(commandXml: string): string[] {
  let root: XmlElement;
  try {
    root = parseXml(commandXml);
  } catch {
    return [];
  }
  const out: string[] = [];
  const walk = (e: XmlElement): void => {
    if (SECRET_ELEMENTS.has(e.name) || (e.ns === NS.epp && e.name === 'clTRID')) return;
    const text = e.text.trim();
    if (text) out.push(text);
    for (const c of e.children) walk(c);
  };
  walk(root);
  const parts = out.flatMap((v) => [...v.matchAll(/\./g)].map((m) => v.slice(m.index + 1)));
  return [...out, ...parts];
}

/**
 * A registry's text with `secrets` masked whole ("*****") and then every echo of a value the
 * command sent (`commandXml`: commandEchoes) longer than MAX_QUOTE characters cut to its first
 * MAX_QUOTE and "…" (src/backends/echoes.ts): no error quotes more than 32 characters of what a
 * client sent (README, Errors). The frame is read only when the text could hold such an echo.
 */
export function registryText(text: string, secrets: ReadonlyArray<string | null | undefined>, commandXml?: string): string {
  const masked = maskSecrets(text, secrets);
  return commandXml && masked.length > MAX_QUOTE ? clipEchoes(masked, commandEchoes(commandXml)) : masked;
}

/**
 * The error for a failed response: its <msg>, with the <extValue> <reason>s in parentheses;
 * secrets masked and echoes of what `commandXml` sent cut to 32 characters (registryText).
 */
export function errorFor(resp: EppResponse, backend?: string, secrets: ReadonlyArray<string | null | undefined> = [], commandXml?: string): RegistryError {
  const reasons = resp.results[0]?.reasons ?? [];
  const text = reasons.length > 0 ? `${resp.message} (${reasons.join('; ')})` : resp.message;
  return registryErrorFor(resp.code, registryText(text, secrets, commandXml), backend);
}

/** Return the response when it succeeded; throw the mapped RegistryError (errorFor) otherwise. */
export function ensureSuccess(
  resp: EppResponse,
  backend?: string,
  secrets: ReadonlyArray<string | null | undefined> = [],
  commandXml?: string,
): EppResponse {
  if (isSuccess(resp.code)) return resp;
  throw errorFor(resp, backend, secrets, commandXml);
}
