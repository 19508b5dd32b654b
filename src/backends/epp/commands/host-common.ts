/** Host address elements (RFC 5732): v4 and v6 addresses in that order. */
import { isIP } from 'node:net';
import { ValidationError } from '../../../core/errors.js';
import { leaf, type XNode } from '../xml/build.js';

/**
 * `<host:addr ip="v4">` then `<host:addr ip="v6">` elements (RFC 5732 section 2.5). Throws ValidationError on
 * `<field>.ipv4[i]` / `<field>.ipv6[i]` for an address that is not of that version (node:net isIP).
 */
export function addrEls(ipv4: string[], ipv6: string[], field: string): XNode[] {
  ipv4.forEach((a, i) => {
    if (isIP(a) !== 4) throw new ValidationError(`${field}.ipv4[${i}]`, `"${a}" is not an IPv4 address`);
  });
  ipv6.forEach((a, i) => {
    if (isIP(a) !== 6) throw new ValidationError(`${field}.ipv6[${i}]`, `"${a}" is not an IPv6 address`);
  });
  return [...ipv4.map((a) => leaf('host:addr', a, { ip: 'v4' })), ...ipv6.map((a) => leaf('host:addr', a, { ip: 'v6' }))];
}
