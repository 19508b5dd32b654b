/**
 * IP addresses of hosts (RFC 5732 host:addr, RFC 5731 domain:hostAddr glue). Syntax by node:net
 * (dotted-quad decimal for IPv4; RFC 4291 section 2.2 text forms for IPv6), ranges and the
 * RFC 5952 canonical text through ipaddr.js.
 */
import { isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';
import { ValidationError, quoted } from '../core/errors.js';

/** The longest IPv6 text form (eight groups with an embedded IPv4 address) is 45 characters. */
const MAX_ADDRESS_INPUT = 64;

/**
 * Ranges that can never be a name server's address as others reach it: "this host" / unspecified
 * (RFC 1122 3.2.1.3, RFC 4291 2.5.2), loopback (RFC 1122 3.2.1.3, RFC 4291 2.5.3), link-local
 * (RFC 3927, RFC 4291 2.5.6: meaningful on one link only), multicast and the limited broadcast
 * (not a host), IPv4-mapped IPv6 (RFC 4291 2.5.5.2: internal representation; give the IPv4 address),
 * IPv4-compatible IPv6 (RFC 4291 2.5.5.1: deprecated, no transition mechanism uses them). Each with
 * the words a message says it in.
 * Private, shared and documentation ranges stay allowed: whether they are acceptable is registry
 * policy, and test registries use them.
 */
const NOT_A_HOST: ReadonlyMap<string, string> = new Map([
  ['unspecified', 'the unspecified address'],
  ['loopback', 'a loopback address'],
  ['linkLocal', 'a link-local address'],
  ['multicast', 'a multicast address'],
  ['broadcast', 'the broadcast address'],
  ['ipv4Mapped', 'an IPv4-mapped IPv6 address (RFC 4291 section 2.5.5.2)'],
  ['ipv4Compatible', 'an IPv4-compatible IPv6 address (deprecated, RFC 4291 section 2.5.5.1)'],
]);

/** `::a.b.c.d`: an IPv4-compatible address (::/96) spelt with its IPv4 part, which ipaddr.js parses as ::ffff:a.b.c.d, another address. */
const COMPATIBLE_SPELLING = /^::(\d{1,3}(?:\.\d{1,3}){3})$/;

/**
 * `v` (an IPv6 address node:net took) parsed by ipaddr.js as the address it is: `::1.2.3.4` is
 * ::102:304 (IPv4-compatible, RFC 4291 section 2.5.5.1), not the IPv4-mapped ::ffff:102:304 that
 * ipaddr.js 2.x reads that one spelling as (`0::1.2.3.4`, the same address, it reads right).
 */
function parseIpv6(v: string): ipaddr.IPv6 {
  const compatible = COMPATIBLE_SPELLING.exec(v);
  return ipaddr.IPv6.parse(compatible ? `0:0:0:0:0:0:${compatible[1]}` : v);
}

/** The range name of an address (ipaddr.js's, plus 'ipv4Compatible' for ::/96 other than :: and ::1, which ipaddr.js calls unicast). */
function rangeOf(v: string, version: 4 | 6): string {
  if (version === 4) return ipaddr.IPv4.parse(v).range();
  const a = parseIpv6(v);
  const range = a.range();
  return range === 'unicast' && a.parts.slice(0, 6).every((p) => p === 0) ? 'ipv4Compatible' : range;
}

function bounded(field: string, ip: string, version: string): string {
  if (ip.length > MAX_ADDRESS_INPUT) throw new ValidationError(field, `is not an ${version} address (at most 45 characters)`);
  return ip.trim();
}

/** An IPv4 address in dotted-quad decimal (no leading zeros, octal or hex forms). */
export function checkIpv4(field: string, ip: string): string {
  const v = bounded(field, ip, 'IPv4');
  if (!isIPv4(v)) throw new ValidationError(field, `${quoted(ip)} is not an IPv4 address`);
  return v;
}

/**
 * An IPv6 address in any RFC 4291 text form, returned in the RFC 5952 canonical form (lower
 * case, zeros compressed), so the same address is never listed twice under two spellings.
 * A zone index ("fe80::1%eth0", RFC 4007 section 11) names an interface of one host and is refused.
 */
export function checkIpv6(field: string, ip: string): string {
  const v = bounded(field, ip, 'IPv6');
  if (v.includes('%')) throw new ValidationError(field, 'a zone index ("%eth0") is local to one host and cannot be part of a registered address (RFC 4007)');
  if (!isIPv6(v)) throw new ValidationError(field, `${quoted(ip)} is not an IPv6 address`);
  return parseIpv6(v).toRFC5952String();
}

/**
 * An IPv6 address as a registry answered it, in the RFC 5952 canonical form, so what the gateway
 * answers is spelled the same whatever the registry wrote (e.g. `1080:0:0:0:8:800:200C:417A` ->
 * `1080::8:800:200c:417a`). Text that is not an IPv6 address is returned unchanged: it is the
 * registry's, and the gateway reports it rather than failing the read.
 */
export function canonicalIpv6(ip: string): string {
  return isIPv6(ip) ? parseIpv6(ip).toRFC5952String() : ip;
}

/**
 * An address a host (name server) is given at the registry: checkIpv4/checkIpv6, and not in a
 * range no other host can reach it at (see NOT_A_HOST). Throws ValidationError on `field`
 * quoting the address as sent (at most 32 characters). Returns it as checkIpv4/checkIpv6 do.
 */
export function checkHostAddress(field: string, ip: string, version: 4 | 6): string {
  const v = version === 4 ? checkIpv4(field, ip) : checkIpv6(field, ip);
  const range = rangeOf(v, version);
  const what = NOT_A_HOST.get(range);
  const hint = range === 'ipv4Mapped' || range === 'ipv4Compatible' ? ': give the IPv4 address' : '';
  if (what) throw new ValidationError(field, `${quoted(ip)} is ${what}, which cannot be a name server's address${hint}`);
  return v;
}

/** Each address list of a host or name server holds at most this many addresses. */
export const MAX_ADDRESSES = 16;

/** A list of host addresses (checkHostAddress each, at most MAX_ADDRESSES, no duplicates). */
export function checkHostAddresses(field: string, list: string[], version: 4 | 6): string[] {
  if (list.length > MAX_ADDRESSES) throw new ValidationError(field, `at most ${MAX_ADDRESSES} addresses`);
  return unique(field, list.map((ip, i) => checkHostAddress(`${field}[${i}]`, ip, version)));
}

/** Addresses to remove: syntax only (checkIpv4/checkIpv6), so any address a registry holds can go. */
export function checkAddressesToRemove(field: string, list: string[], version: 4 | 6): string[] {
  if (list.length > MAX_ADDRESSES) throw new ValidationError(field, `at most ${MAX_ADDRESSES} addresses`);
  return unique(field, list.map((ip, i) => (version === 4 ? checkIpv4 : checkIpv6)(`${field}[${i}]`, ip)));
}

function unique(field: string, list: string[]): string[] {
  list.forEach((ip, i) => {
    if (list.indexOf(ip) !== i) throw new ValidationError(`${field}[${i}]`, `${ip} is listed twice`);
  });
  return list;
}
