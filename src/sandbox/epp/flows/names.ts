/** Domain and host name validation with Nomulus' result codes and messages. */
import { EppError } from '../result.js';
import type { Store } from '../store.js';

const LDH = /^[a-z0-9.-]*$/;

/** Validates a name for check/create; returns its TLD. */
export function validateDomainName(store: Store, name: string): string {
  if (!LDH.test(name)) throw new EppError(2306, "Domain names can only contain a-z, 0-9, '.' and '-'.");
  const labels = name.split('.');
  if (labels.some((l) => l === '')) throw new EppError(2306, 'No part of a domain name can be empty.');
  const tld = store.tldOf(name);
  if (tld === undefined) throw new EppError(2004, "Domain name is under tld which doesn't exist.");
  const rest = name.slice(0, -(tld.length + 1));
  if (rest.includes('.')) throw new EppError(2005, 'Domain name must have exactly one part above the TLD.');
  validateLabel(rest);
  return tld;
}

function validateLabel(label: string): void {
  if (label.length > 63) throw new EppError(2306, 'Domain labels cannot be longer than 63 characters.');
  if (label.startsWith('-')) throw new EppError(2306, 'Domain labels cannot begin with a dash.');
  if (label.endsWith('-')) throw new EppError(2306, 'Domain labels cannot end with a dash.');
  if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) {
    throw new EppError(2306, 'Non-IDN domain names cannot contain hyphens in the third or fourth position.');
  }
}

/** Validates a host name (syntax only); internal/external is decided by the caller. */
export function validateHostName(name: string): void {
  if (name.length > 253) throw new EppError(2004, 'Host names are limited to 253 characters.');
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7f]*$/.test(name)) throw new EppError(2005, 'Host names must be puny-coded.');
  if (name !== name.toLowerCase()) throw new EppError(2005, 'Host names must be in lower-case.');
  if (name.endsWith('.')) throw new EppError(2005, 'Host names must be in normalized format.');
  const labels = name.split('.');
  const badLabel = (l: string) => l === '' || l.length > 63 || !/^[a-z0-9-]+$/.test(l) || l.startsWith('-') || l.endsWith('-');
  if (labels.length < 2 || labels.some(badLabel)) throw new EppError(2005, 'Invalid host name.');
  if (labels.length < 3) throw new EppError(2306, 'Host names must be at least two levels below the public suffix.');
}
