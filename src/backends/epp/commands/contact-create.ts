/** contact:create (RFC 5733 section 3.2.1). */
import { ValidationError } from '../../../core/errors.js';
import type { ContactCreateInput } from '../../../core/model/index.js';
import { el, leaf } from '../xml/build.js';
import { objectCommand, requiredResData, type EppResponse } from '../xml/envelope.js';
import { NS, xmlnsAttr } from '../xml/namespaces.js';
import { requiredDate, requiredText } from '../xml/tree.js';
import { authInfoEl } from './common.js';
import { discloseEl, phoneEl, postalInfoEl } from './contact-common.js';

/**
 * `<create><contact:create>`: id, postalInfo (1-2), voice/fax (E.164, `x` extension), email, authInfo pw, disclose (RFC 5733 section 3.2.1).
 * Throws ValidationError (field `input.postalInfo`) unless one or two postal infos are given.
 */
export function build(input: ContactCreateInput, clTRID: string): string {
  if (input.postalInfo.length < 1 || input.postalInfo.length > 2) {
    throw new ValidationError('input.postalInfo', 'give one or two postal infos (int and/or loc)');
  }
  return objectCommand(
    'create',
    el(
      'contact:create',
      xmlnsAttr('contact'),
      leaf('contact:id', input.id ?? ''), // never null here: EPP registries take the registrar's ids (capability contactIdsAssigned false)
      input.postalInfo.map(postalInfoEl),
      input.voice ? phoneEl('contact:voice', input.voice) : null,
      input.fax ? phoneEl('contact:fax', input.fax) : null,
      leaf('contact:email', input.email),
      authInfoEl('contact', input.authInfo),
      input.disclosure ? discloseEl(input.disclosure) : null,
    ),
    clTRID,
  );
}

/** Reads `<contact:creData>`: id and crDate (UTC Date). EppProtocolError (UPSTREAM_FAILURE) when creData, id or crDate is missing or crDate is not a date. */
export function parse(resp: EppResponse): { id: string; createdAt: Date } {
  const cre = requiredResData(resp, NS.contact, 'creData');
  return { id: requiredText(cre, NS.contact, 'id'), createdAt: requiredDate(cre, NS.contact, 'crDate') };
}
