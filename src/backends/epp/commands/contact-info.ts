/** contact:info (RFC 5733 section 3.1.2). */
import type { Contact } from '../../../core/model/index.js';
import { el, leaf } from '../xml/build.js';
import { objectCommand, requiredResData, type EppResponse } from '../xml/envelope.js';
import { NS, xmlnsAttr } from '../xml/namespaces.js';
import { child, childDate, childText, requiredText } from '../xml/tree.js';
import { authInfoEl, authInfoPw, statusesOf } from './common.js';
import { parseDisclose, parsePhone, postalInfosOf } from './contact-common.js';

/** `<info><contact:info>` with `<contact:id>` and, when `authInfo` is given, `<contact:authInfo><contact:pw>` (RFC 5733 section 3.1.2). */
export function build(id: string, authInfo: string | null | undefined, clTRID: string): string {
  return objectCommand(
    'info',
    el('contact:info', xmlnsAttr('contact'), leaf('contact:id', id), authInfo ? authInfoEl('contact', authInfo) : null),
    clTRID,
  );
}

/**
 * Reads `<contact:infData>` -> Contact (dates as UTC Dates, absent optional elements as null, authInfo pw when the server shows it).
 * EppProtocolError (UPSTREAM_FAILURE) when infData, id, email or clID is missing, or a date is malformed.
 */
export function parse(resp: EppResponse): Contact {
  const c = NS.contact;
  const inf = requiredResData(resp, c, 'infData');
  return {
    id: requiredText(inf, c, 'id'),
    roid: childText(inf, c, 'roid') ?? null,
    statuses: statusesOf(inf, c),
    postalInfo: postalInfosOf(inf),
    voice: parsePhone(child(inf, c, 'voice')),
    fax: parsePhone(child(inf, c, 'fax')),
    email: requiredText(inf, c, 'email'),
    sponsor: requiredText(inf, c, 'clID'),
    createdBy: childText(inf, c, 'crID') ?? null,
    createdAt: childDate(inf, c, 'crDate'),
    updatedBy: childText(inf, c, 'upID') ?? null,
    updatedAt: childDate(inf, c, 'upDate'),
    transferredAt: childDate(inf, c, 'trDate'),
    authInfo: authInfoPw(inf, c),
    disclosure: parseDisclose(inf),
  };
}
