/** <login> (RFC 5730 section 2.9.1.1) with the object and extension URIs to use. */
import { el, leaf } from '../xml/build.js';
import { commandFrame, type EppResponse } from '../xml/envelope.js';
import { UNDERSTOOD_EXT_URIS, UNDERSTOOD_OBJ_URIS } from '../xml/namespaces.js';
import type { EppGreeting } from '../xml/envelope.js';

/**
 * What `<login>` sends: clID (3-16 chars), pw and optional newPW (6-16 chars, RFC 5730 pwType), the objURI/extURI
 * services (servicesFor), version (default "1.0") and lang (default "en").
 */
export interface LoginInput {
  clientId: string;
  password: string;
  newPassword?: string | null;
  objURIs: string[];
  extURIs: string[];
  version?: string;
  lang?: string;
}

/** The `<login>` command frame (RFC 5730 section 2.9.1.1): clID, pw, newPW?, options (version, lang), svcs (objURI*, svcExtension?). */
export function build(input: LoginInput, clTRID: string): string {
  return commandFrame(
    el(
      'login',
      null,
      leaf('clID', input.clientId),
      leaf('pw', input.password),
      input.newPassword ? leaf('newPW', input.newPassword) : null,
      el('options', null, leaf('version', input.version ?? '1.0'), leaf('lang', input.lang ?? 'en')),
      el(
        'svcs',
        null,
        input.objURIs.map((u) => leaf('objURI', u)),
        input.extURIs.length > 0 && el('svcExtension', null, input.extURIs.map((u) => leaf('extURI', u))),
      ),
    ),
    clTRID,
  );
}

/** The services to log in with: what the greeting offers that the adapter understands. */
export function servicesFor(greeting: EppGreeting): { objURIs: string[]; extURIs: string[] } {
  return {
    objURIs: greeting.objURIs.filter((u) => UNDERSTOOD_OBJ_URIS.includes(u)),
    extURIs: greeting.extURIs.filter((u) => UNDERSTOOD_EXT_URIS.includes(u)),
  };
}

/** A login answer carries no resData: always null (EppSession checks the result code itself). */
export function parse(_resp: EppResponse): null {
  return null;
}
