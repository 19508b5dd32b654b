import { domainToUnicode } from 'node:url';

/**
 * A domain name's U-label form for display (node:url domainToUnicode, WHATWG URL / UTS #46);
 * lower-cased; `name` as given when it cannot be converted (''). Not for a lone all-digit label: the URL
 * parser reads `666` as an IPv4 address and answers 0.0.2.154 (a checked domain name never is: normalizeDomainName).
 */
export function toUnicode(name: string): string {
  return domainToUnicode(name) || name;
}
