/** contact:update (RFC 5733 section 3.2.5). */
import { ValidationError } from '../../../core/errors.js';
import type { ContactUpdateInput } from '../../../core/model/index.js';
import { el, leaf } from '../xml/build.js';
import { objectCommand, type EppResponse } from '../xml/envelope.js';
import { xmlnsAttr } from '../xml/namespaces.js';
import { authInfoEl } from './common.js';
import { discloseEl, phoneEl, postalInfoEl } from './contact-common.js';

/**
 * `<update><contact:update>`: id, add/rem statuses, chg (postalInfo, voice/fax (an empty string clears), email, authInfo, disclose) (RFC 5733 section 3.2.5).
 * Throws ValidationError (field `input`) when nothing would change.
 */
export function build(input: ContactUpdateInput, clTRID: string): string {
  const statuses = (tag: string, list: string[]) =>
    list.length > 0 ? el(tag, null, list.map((s) => el('contact:status', { s }))) : null;
  const add = statuses('contact:add', input.addStatuses);
  const rem = statuses('contact:rem', input.removeStatuses);
  const hasChg =
    (input.postalInfo?.length ?? 0) > 0 ||
    input.voice != null ||
    input.fax != null ||
    !!input.email ||
    !!input.authInfo ||
    !!input.disclosure;
  const chg = hasChg
    ? el(
        'contact:chg',
        null,
        (input.postalInfo ?? []).map(postalInfoEl),
        // An empty string clears the number (RFC 5733 allows an empty e164 value).
        input.voice != null ? phoneEl('contact:voice', input.voice) : null,
        input.fax != null ? phoneEl('contact:fax', input.fax) : null,
        input.email ? leaf('contact:email', input.email) : null,
        input.authInfo ? authInfoEl('contact', input.authInfo) : null,
        input.disclosure ? discloseEl(input.disclosure) : null,
      )
    : null;
  if (!add && !rem && !chg) throw new ValidationError('input', 'nothing to update');
  return objectCommand('update', el('contact:update', xmlnsAttr('contact'), leaf('contact:id', input.id), add, rem, chg), clTRID);
}

/** A contact update answer carries no resData (RFC 5733 section 3.2.5): always null. */
export function parse(_resp: EppResponse): null {
  return null;
}
