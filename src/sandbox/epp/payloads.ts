/** resData fragments shared by flows and poll messages (trnData, panData, renData). */
import type { TransferData } from './records.js';
import { NS, isoDate, x, type XNode } from './xml.js';

/** The object kinds with transfers and panData (RFC 5731, RFC 5733). */
export type ObjectKind = 'domain' | 'contact';

/** domain:trnData or contact:trnData (contacts carry an id and no exDate). */
export function trnData(kind: ObjectKind, id: string, t: TransferData): XNode {
  const p = kind;
  const withExDate = kind === 'domain' && t.exDate && (t.status === 'pending' || t.status.endsWith('Approved'));
  return x(
    `${p}:trnData`,
    { [`xmlns:${p}`]: NS[kind] },
    x(kind === 'domain' ? `${p}:name` : `${p}:id`, null, id),
    x(`${p}:trStatus`, null, t.status),
    x(`${p}:reID`, null, t.gaining),
    x(`${p}:reDate`, null, isoDate(t.reDate)),
    x(`${p}:acID`, null, t.losing),
    x(`${p}:acDate`, null, isoDate(t.acDate)),
    withExDate && x(`${p}:exDate`, null, isoDate(t.exDate!)),
  );
}

/** Pending action notification (RFC 5731/5733 panData). */
export function panData(
  kind: ObjectKind,
  id: string,
  result: boolean,
  trid: { client?: string; server: string },
  date: Date,
): XNode {
  const p = kind;
  return x(
    `${p}:panData`,
    { [`xmlns:${p}`]: NS[kind] },
    x(kind === 'domain' ? `${p}:name` : `${p}:id`, { paResult: result ? '1' : '0' }, id),
    x(`${p}:paTRID`, null, trid.client !== undefined && x('clTRID', null, trid.client), x('svTRID', null, trid.server)),
    x(`${p}:paDate`, null, isoDate(date)),
  );
}

/** domain:renData (RFC 5731 section 3.2.3): name and new expiry; also the auto-renew poll message's resData. */
export function renData(name: string, exDate: Date): XNode {
  return x('domain:renData', { 'xmlns:domain': NS.domain }, x('domain:name', null, name), x('domain:exDate', null, isoDate(exDate)));
}

/** Poll message text per transfer status, as Nomulus words it. */
export const TRANSFER_MESSAGE: Record<TransferData['status'], string> = {
  pending: 'Transfer requested.',
  clientApproved: 'Transfer approved.',
  serverApproved: 'Transfer approved.',
  clientRejected: 'Transfer rejected.',
  clientCancelled: 'Transfer cancelled.',
  serverCancelled: 'Transfer cancelled.',
};
