/** Pieces shared by the command files: names, periods, authInfo, check lists, statuses, transfers. */
import { domainToASCII } from 'node:url';
import { ValidationError } from '../../../core/errors.js';
import type { CheckResult, DomainNameserver, Period, Transfer, TransferStatus } from '../../../core/model/index.js';
import { el, leaf, type XNode } from '../xml/build.js';
import type { EppResponse } from '../xml/envelope.js';
import {
  EppProtocolError,
  child,
  childDate,
  children,
  requiredDate,
  requiredText,
  textOf,
  toBool,
  type XmlElement,
} from '../xml/tree.js';

/** A host or domain name as EPP wants it: lower-case A-labels (IDNs converted), no trailing dot. */
export function aLabel(name: string, field = 'name'): string {
  const trimmed = name.trim().replace(/\.$/, '');
  if (trimmed === '') throw new ValidationError(field, 'must not be empty');
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7F]*$/.test(trimmed)) return trimmed.toLowerCase();
  const ascii = domainToASCII(trimmed);
  if (!ascii) throw new ValidationError(field, `"${name}" is not a valid domain name`);
  return ascii;
}

/**
 * `<domain:period unit="y|m">N</domain:period>` (RFC 5731 section 2.5, periodType). Throws
 * ValidationError (BAD_USER_INPUT) on `<field>.value` unless an integer 1-99, on `<field>.unit` unless y or m.
 */
export function periodEl(prefix: 'domain', period: Period, field = 'period'): XNode {
  if (!Number.isInteger(period.value) || period.value < 1 || period.value > 99) {
    throw new ValidationError(`${field}.value`, 'must be an integer from 1 to 99');
  }
  if (period.unit !== 'y' && period.unit !== 'm') throw new ValidationError(`${field}.unit`, 'must be y or m');
  return leaf(`${prefix}:period`, period.value, { unit: period.unit });
}

/** `<prefix:authInfo><prefix:pw>pw</prefix:pw></prefix:authInfo>` (RFC 5731 section 2.6, RFC 5733 section 2.8); `pw` sent as given. */
export function authInfoEl(prefix: 'domain' | 'contact', pw: string): XNode {
  return el(`${prefix}:authInfo`, null, leaf(`${prefix}:pw`, pw));
}

/** Name servers as host objects (names only) or host attributes (name + addresses). */
export function nsEl(nameservers: DomainNameserver[], hostObjects: boolean): XNode | null {
  if (nameservers.length === 0) return null;
  if (hostObjects) {
    return el(
      'domain:ns',
      null,
      nameservers.map((n, i) => leaf('domain:hostObj', aLabel(n.name, `nameservers[${i}].name`))),
    );
  }
  return el(
    'domain:ns',
    null,
    nameservers.map((n, i) =>
      el(
        'domain:hostAttr',
        null,
        leaf('domain:hostName', aLabel(n.name, `nameservers[${i}].name`)),
        n.ipv4.map((a) => leaf('domain:hostAddr', a, { ip: 'v4' })),
        n.ipv6.map((a) => leaf('domain:hostAddr', a, { ip: 'v6' })),
      ),
    ),
  );
}

/** Addresses of host:addr / domain:hostAddr elements by version (ip defaults to v4). */
export function addresses(els: XmlElement[]): { ipv4: string[]; ipv6: string[] } {
  const ipv4: string[] = [];
  const ipv6: string[] = [];
  for (const a of els) (a.attrs['ip'] === 'v6' ? ipv6 : ipv4).push(textOf(a));
  return { ipv4, ipv6 };
}

/** `<x:chkData><x:cd><x:name avail=…>…</x:name><x:reason/></x:cd>…` -> CheckResult[]. */
export function parseCheckData(resp: EppResponse, ns: string, idName: 'name' | 'id'): CheckResult[] {
  const chk = resp.resData.find((e) => e.ns === ns && e.name === 'chkData');
  if (!chk) throw new EppProtocolError(`check response has no chkData in ${ns}`);
  return children(chk, ns, 'cd').map((cd) => {
    const id = child(cd, ns, idName);
    if (!id) throw new EppProtocolError(`<cd> has no <${idName}>`);
    const reason = child(cd, ns, 'reason');
    return { name: textOf(id), available: toBool(id.attrs['avail'], 'avail'), reason: reason ? textOf(reason) : null };
  });
}

/** The `s` attributes of `<x:status>` children. */
export function statusesOf(parent: XmlElement, ns: string): string[] {
  return children(parent, ns, 'status')
    .map((s) => s.attrs['s'] ?? '')
    .filter((s) => s !== '');
}

const TRANSFER_STATUSES: ReadonlySet<string> = new Set<TransferStatus>([
  'pending',
  'clientApproved',
  'clientCancelled',
  'clientRejected',
  'serverApproved',
  'serverCancelled',
]);

/** A domain or contact `<trnData>` -> Transfer. */
export function parseTrnData(trn: XmlElement, ns: string, idName: 'name' | 'id'): Transfer {
  const status = requiredText(trn, ns, 'trStatus');
  if (!TRANSFER_STATUSES.has(status)) throw new EppProtocolError(`unknown transfer status "${status}"`);
  return {
    name: requiredText(trn, ns, idName),
    status: status as TransferStatus,
    gainingRegistrar: requiredText(trn, ns, 'reID'),
    requestedAt: requiredDate(trn, ns, 'reDate'),
    losingRegistrar: requiredText(trn, ns, 'acID'),
    actionAt: requiredDate(trn, ns, 'acDate'),
    expiresAt: childDate(trn, ns, 'exDate'),
  };
}

/** The text of `<x:authInfo><x:pw>` when present (an `<ext>` authInfo gives null). */
export function authInfoPw(parent: XmlElement, ns: string): string | null {
  const pw = child(child(parent, ns, 'authInfo'), ns, 'pw');
  return pw ? pw.text : null;
}
