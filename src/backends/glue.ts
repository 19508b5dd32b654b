/**
 * Name servers given with addresses (glue) where the registry keeps a name server's addresses on
 * its host object, not on the domain: EPP servers that take `domain:hostObj` (host-1.0 in the
 * greeting, RFC 5731 section 1.1: "host objects ... addresses are provisioned on the host object",
 * RFC 5732), and Joker's DMAPI (`ns-create` first). Sending such a list would drop the addresses
 * without a word (the domain names the host; the host keeps its own addresses), so it is refused
 * before anything is sent.
 */
import { ValidationError } from '../core/errors.js';
import type { DomainNameserver } from '../core/model/index.js';

/**
 * Throws BAD_USER_INPUT naming the first address list given in `list` (`<field>[i].ipv4` or
 * `<field>[i].ipv6`), with `why` as the message; returns when no name server has addresses.
 */
export function refuseGlue(list: readonly DomainNameserver[], field: string, why: string): void {
  const i = list.findIndex((n) => n.ipv4.length + n.ipv6.length > 0);
  if (i >= 0) throw new ValidationError(`${field}[${i}].${list[i]!.ipv4.length > 0 ? 'ipv4' : 'ipv6'}`, why);
}
