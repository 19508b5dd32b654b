/** Login and logout (RFC 5730 section 2.9.1) with Nomulus' checks. */
import { serviceMenu, type Profile } from '../greeting.js';
import { EppError, type EppResult } from '../result.js';
import type { Store } from '../store.js';
import { NS, child, childText, children, type XmlEl } from '../xml.js';

const E = NS.epp;
const MAX_FAILED_LOGINS = 3;

/** Per-connection state. */
export interface SessionState {
  clientId?: string;
  objURIs: Set<string>;
  extURIs: Set<string>;
  failedLogins: number;
}

/** The state of a new connection: logged out, no services, no failed logins. */
export function newSessionState(): SessionState {
  return { objURIs: new Set(), extURIs: new Set(), failedLogins: 0 };
}

/**
 * login (RFC 5730 section 2.9.1.1), answers 1000: 2002 already logged in, 2103/2307 a service not in the
 * greeting, 2100 version not 1.0, 2306 lang not en, 2200 unknown clID or wrong pw, 2501 (closing) at the
 * 3rd failure on a connection; newPW (6-16 chars, else 2004) replaces the password.
 */
export function login(store: Store, profile: Profile, state: SessionState, el: XmlEl): EppResult {
  if (state.clientId !== undefined) throw new EppError(2002, 'Registrar is already logged in.');
  const clID = childText(el, E, 'clID');
  const pw = childText(el, E, 'pw');
  const options = child(el, E, 'options');
  const svcs = child(el, E, 'svcs');
  if (!clID || pw === undefined || !options || !svcs) throw new EppError(2001, 'login needs clID, pw, options and svcs.');
  const menu = serviceMenu(profile);
  const extURIs = children(child(svcs, E, 'svcExtension'), E, 'extURI').map((u) => u.text);
  const objURIs = children(svcs, E, 'objURI').map((u) => u.text);
  if (extURIs.some((u) => !menu.extURIs.includes(u))) throw new EppError(2103, 'Specified extension is not implemented.');
  if (objURIs.some((u) => !menu.objURIs.includes(u))) throw new EppError(2307, 'Specified object service is not implemented.');
  if (childText(options, E, 'version') !== '1.0') throw new EppError(2100, 'Specified protocol version is not implemented.');
  if (childText(options, E, 'lang') !== 'en') throw new EppError(2306, 'Specified language is not supported.');
  const expected = store.passwords.get(clID);
  if (expected === undefined || expected !== pw) {
    state.failedLogins += 1;
    if (state.failedLogins >= MAX_FAILED_LOGINS) throw new EppError(2501, 'Registrar login failed too many times.', true);
    throw new EppError(
      2200,
      expected === undefined ? 'Registrar with this client ID could not be found.' : 'Registrar password is incorrect.',
    );
  }
  const newPW = childText(el, E, 'newPW');
  if (newPW !== undefined) {
    if (newPW.length < 6 || newPW.length > 16) throw new EppError(2004, 'Passwords are 6 to 16 characters long.');
    store.passwords.set(clID, newPW);
  }
  state.clientId = clID;
  state.objURIs = new Set(objURIs);
  state.extURIs = new Set(extURIs);
  state.failedLogins = 0;
  return { code: 1000 };
}

/** logout (RFC 5730 section 2.9.1.2): ends the login; 1500, and the connection is closed. */
export function logout(state: SessionState): EppResult {
  state.clientId = undefined;
  return { code: 1500, close: true };
}
