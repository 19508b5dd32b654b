/**
 * updateDomain on DMAPI. domain-modify replaces the whole name-server list and the whole DNSSEC
 * set (document, "domain-modify"), so the driver reads the domain and computes the new sets from
 * the add/remove the client asked for; contact roles are replaced one by one; the lock
 * (clientTransferProhibited) is domain-lock / domain-unlock. What DMAPI cannot express is refused
 * before anything is sent.
 */
import { UnsupportedByBackendError, ValidationError } from '../../../core/errors.js';
import type * as M from '../../../core/model/index.js';
import type { JokerCall } from './call.js';
import { checkNoGlue, nsVar } from './domains.js';
import { change } from './results.js';
import { changePath, firstPath } from '../../../core/field-paths.js';

const LOCK = 'clientTransferProhibited';

/**
 * TLDs whose domain-modify DNSSEC entries are not DS records: the document gives "For de:
 * protocol:alg:flags:pubkey-base64" (the key's own data) where com/net/org/tv/cc take
 * "tag:alg:digest-type:digest". The gateway sends DS records only, so a DNSSEC change on these is
 * refused before anything is sent rather than sent in the wrong form.
 */
export const KEY_FORM_TLDS: readonly string[] = ['de'];

/**
 * Refuses, before anything is sent, what domain-modify and the lock cannot do whatever the
 * domain holds: statuses other than the lock, auth info, the registrant, DNSSEC key data, a
 * contact role removed without a replacement or given twice, a name server added with addresses
 * (checkNoGlue), a DNSSEC change on a KEY_FORM_TLDS domain. What depends on the domain's current
 * name servers and DS records (none left, more than six) is refused in updateDomain, after reading it.
 */
export function checkSupported(backend: string, u: M.DomainUpdateInput): void {
  const other = [...u.add.statuses, ...u.remove.statuses].filter((s) => s !== LOCK);
  if (other.length > 0) throw new UnsupportedByBackendError(backend, `status ${other[0]} (Joker has the transfer lock only: ${LOCK})`, changePath(u, 'statuses', (s) => s !== LOCK));
  if (u.authInfo) throw new UnsupportedByBackendError(backend, 'setting the auth info (Joker issues its own: domain-transfer-get-auth-id)', 'input.authInfo');
  if (u.registrant != null) throw new UnsupportedByBackendError(backend, u.registrant === '' ? 'removing the registrant (a domain keeps its owner-c)' : 'changing the registrant (domain-owner-change)', 'input.registrant');
  const d = u.dnssec;
  if (d && (d.addKeyData.length + d.removeKeyData.length > 0 || (d.maxSigLife ?? null) !== null)) {
    // maxSigLife alone has no argument of updateDomain to name (it is not in its input).
    throw new UnsupportedByBackendError(backend, 'DNSSEC key data or maxSigLife (DS data only)', firstPath([[d.addKeyData.length, 'input.add.keyData'], [d.removeKeyData.length, 'input.remove.keyData']]));
  }
  // A DS record's own key data (RFC 5910 section 4.1, secDNS:keyData inside secDNS:dsData) has no
  // DMAPI field either: refused, not dropped from the record sent.
  const nested = firstPath([
    [d && d.addDsData.findIndex((x) => x.keyData) + 1, `input.add.dsData[${d?.addDsData.findIndex((x) => x.keyData)}].keyData`],
    [d && d.removeDsData.findIndex((x) => x.keyData) + 1, `input.remove.dsData[${d?.removeDsData.findIndex((x) => x.keyData)}].keyData`],
  ]);
  if (nested) throw new UnsupportedByBackendError(backend, 'key data inside a DS record (DS data only: give its keyTag, algorithm, digestType and digest alone)', nested);
  const tld = u.name.slice(u.name.lastIndexOf('.') + 1).toLowerCase();
  if (d && KEY_FORM_TLDS.includes(tld) && (d.addDsData.length + d.removeDsData.length > 0 || d.removeAll)) {
    const field = firstPath([[d.addDsData.length, 'input.add.dsData'], [d.removeDsData.length, 'input.remove.dsData']]) ?? 'input.removeAllDnssec';
    throw new UnsupportedByBackendError(backend, `DNSSEC on .${tld} (DMAPI takes .${tld} keys as protocol:alg:flags:pubkey-base64, not DS records; the gateway sends DS records, for TLDs such as com, net, org, tv and cc)`, field);
  }
  const roles = new Set(u.add.contacts.map((c) => c.role));
  const dropped = u.remove.contacts.find((c) => !roles.has(c.role));
  if (dropped) throw new ValidationError('input.remove.contacts', `Joker keeps one ${dropped.role} contact: replace it (add another) instead of removing it`);
  if (u.add.contacts.length !== roles.size) throw new ValidationError('input.add.contacts', 'one contact per role');
  checkNoGlue(u.add.nameservers, 'input.add.nameservers');
}

const dsKey = (d: M.DsData) => `${d.keyTag}:${d.algorithm}:${d.digestType}:${d.digest.toUpperCase()}`;

/** The input's parts a domain-modify carries (input paths, for Attempt.applied): name servers, contacts added, DNSSEC. */
function changedParts(u: M.DomainUpdateInput): string[] {
  return [
    ...(u.add.nameservers.length ? ['input.add.nameservers'] : []),
    ...(u.remove.nameservers.length ? ['input.remove.nameservers'] : []),
    ...(u.add.contacts.length ? ['input.add.contacts'] : []),
    ...(u.dnssec ? ['input.dnssec'] : []),
  ];
}

/**
 * Sends the modify (if anything besides the lock changes), then the lock or unlock. 1001 while any
 * part is pending. A refused lock or unlock after the modify was answered says the modify's parts
 * stay applied (call.applied).
 */
export async function updateDomain(call: JokerCall, current: M.Domain, u: M.DomainUpdateInput): Promise<M.PortResult<null>> {
  const vars: Record<string, string> = {};
  if (u.add.nameservers.length + u.remove.nameservers.length > 0) {
    checkNoGlue(u.add.nameservers, 'input.add.nameservers');
    const gone = new Set(u.remove.nameservers.map((n) => n.name.toLowerCase()));
    const next = current.nameservers.filter((n) => !gone.has(n.name.toLowerCase()));
    for (const n of u.add.nameservers) if (!next.some((x) => x.name === n.name.toLowerCase())) next.push({ ...n, name: n.name.toLowerCase() });
    if (next.length === 0) throw new ValidationError('input.remove.nameservers', 'Joker keeps at least one name server');
    vars['ns-list'] = nsVar(next, 'input.add.nameservers');
  }
  for (const c of u.add.contacts) vars[`${c.role}-c`] = c.id;
  const d = u.dnssec;
  if (d && (d.addDsData.length + d.removeDsData.length > 0 || d.removeAll)) {
    const gone = new Set(d.removeDsData.map(dsKey));
    const next = d.removeAll ? [] : current.dnssec.dsData.filter((x) => !gone.has(dsKey(x)));
    for (const x of d.addDsData) if (!next.some((y) => dsKey(y) === dsKey(x))) next.push(x);
    if (next.length > 6) throw new ValidationError('input.dnssec', 'Joker keeps at most 6 DS records (ds-1 .. ds-6)');
    vars.dnssec = next.length === 0 ? '0' : '1';
    next.forEach((x, i) => (vars[`ds-${i + 1}`] = dsKey(x)));
  }
  const parts: Array<M.PortResult<null>> = [];
  if (Object.keys(vars).length > 0) {
    parts.push(await change(call, 'domain-modify', { domain: u.name, ...vars }, () => null));
    // Answered (done, or queued: Joker carries it out whatever follows): a refused lock after it says so.
    call.applied(changedParts(u));
  }
  const locked = current.statuses.includes(LOCK);
  if (u.add.statuses.includes(LOCK) && !locked) parts.push(await change(call, 'domain-lock', { domain: u.name }, () => null));
  if (u.remove.statuses.includes(LOCK) && locked) parts.push(await change(call, 'domain-unlock', { domain: u.name }, () => null));
  if (parts.length === 0) return { data: null, trid: { client: call.clTRID, server: null }, code: 1000, message: 'nothing to change', unchanged: true };
  const pending = parts.filter((p) => p.code === 1001);
  const last = pending.at(-1) ?? parts.at(-1)!;
  // While any part is queued, the Proc-IDs of the queued parts only: the final answer waits for
  // their results (src/idempotency/pending.ts); a part answered at once has no result left upstream.
  const ids = (pending.length > 0 ? pending : parts).map((p) => p.trid.server).filter(Boolean);
  return { ...last, trid: { client: call.clTRID, server: ids.join(',') || null } };
}
