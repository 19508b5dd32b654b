/**
 * Names and identifiers: domain and host names, EPP object ids, auth info, idempotency keys,
 * registry names. Each rule checks its length bound before anything walks the value, and no
 * message quotes more than a short prefix of it (auth info is never quoted).
 */
// idn-hostname 15.1.x is the line that supports Node 20 (16.x and 17.x need Node 22/24). Its
// IDNA table is Unicode 15.1: a code point assigned later is refused as unassigned, the safe side.
import { domainToASCII } from 'node:url';
import idn from 'idn-hostname';
import { ValidationError, quoted } from '../core/errors.js';
import { inTurns } from '../core/turns.js';
import { checkCharacters, checkLength, hasOnlyAllowedCharacters } from './text.js';

/**
 * The longest name input looked at. A name is at most 253 octets as A-labels (RFC 1035 section
 * 2.3.4 less the root label); a U-label is never longer than its A-label except through UTS #46
 * characters mapped to nothing, so four times that leaves room for any real input.
 */
const MAX_NAME_INPUT = 1024;

/** The separators UTS #46 section 2.3 splits a name's labels at, as idn-hostname does. */
const LABEL_SEPARATORS = /[\x2E\uFF0E\u3002\uFF61]/;

/** A quote in idn-hostname's message: `'<label>'`, or `char '<c>'`. */
const LIBRARY_QUOTE = /(?:decoded A-label '[^']*' result U-label '[^']*'|(?:A-label |U-label |label )?'[^']*')/g;

/** The 1-based position of the label of `labels` (raw, as sent) whose raw, mapped or decoded form is `text`; 0 when none is. */
function labelNumber(labels: readonly string[], text: string): number {
  for (let i = 0; i < labels.length; i++) {
    const raw = labels[i]!;
    if (raw === text) return i + 1;
    try {
      const mapped = idn.uts46map(raw).normalize('NFC');
      if (mapped === text) return i + 1;
      if (/^xn--/i.test(mapped) && idn.punycode.decode(mapped.slice(4)) === text) return i + 1;
    } catch {
      // a label the library cannot map is not the one its message quotes
    }
  }
  return 0;
}

/**
 * idn-hostname's refusal as a message may say it: every label it quotes (lower-cased or mapped,
 * up to 63 characters, so a secret sent as a name would slip past the answer's masking) becomes
 * "label N", its position in what was sent; a quoted single character stays, its code point after
 * it once and unquoted (`char 'א' (U+05D0)`; a control or separator by its code point alone: `char U+0082`). At most 200 characters.
 */
function reason(err: unknown, trimmed: string): string {
  const text = err instanceof Error ? err.message : String(err);
  const labels = trimmed.split(LABEL_SEPARATORS);
  const out = text.replace(LIBRARY_QUOTE, (quote) => {
    // One character quoted by the library (`char 'x' "(U+0078)" is disallowed`): kept when it prints; a control,
    // format or separator character (a C1 control decoded from an A-label, say) is named by its code point only.
    if (/^'.'$/u.test(quote)) return /^'[\p{C}\p{Z}]'$/u.test(quote) ? `U+${quote.codePointAt(1)!.toString(16).toUpperCase().padStart(4, '0')}` : quote;
    const inner = /'([^']*)'$/.exec(quote)![1]!;
    const n = labelNumber(labels, inner);
    return n > 0 ? `label ${n}` : 'a label';
  })
    // The library follows a quoted character with its code point in quotes (`'☃' "(U+2603)"`): the
    // code point once, unquoted (`'☃' (U+2603)`), and not twice where it already replaced the character.
    .replace(/(U\+[0-9A-F]{4,6}) "\(\1\)"/g, '$1')
    .replace(/"(\(U\+[0-9A-F]{4,6}\))"/g, '$1');
  return out.length > 200 ? `${out.slice(0, 199)}…` : out;
}

const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Two or more LDH_LABELs joined by dots: a name normalizeDomainName would give back as it is (with the checks beside its use). */
const NORMAL_LDH = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ALL_DIGITS_TLD = /\.[0-9]+$/;
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const A_LABEL = /(^|\.)xn--/;

/**
 * The RFC 1035/5891 LDH rules on a name already in lower-case ASCII, with messages that say
 * which. A label is named by its position ("label 2"), never quoted: `ascii` is lower-cased (or
 * converted) and a quote of it would escape the masking of a secret sent as the name; the name is
 * quoted as sent (`raw`, quoted()).
 */
function checkLdh(fieldOf: string | (() => string), raw: string, ascii: string): string[] {
  const field = () => (typeof fieldOf === 'string' ? fieldOf : fieldOf());
  if (ascii.length > 253) throw new ValidationError(field(), `a domain name is at most 253 characters (got ${ascii.length})`);
  const labels = ascii.split('.');
  // Each label's characters first: "bad host" has a space, which matters more than its one label.
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    const which = () => `${quoted(raw)}: label ${i + 1}`;
    if (label.length === 0) throw new ValidationError(field(), `${quoted(raw)} has an empty label`);
    if (label.length > 63) throw new ValidationError(field(), `${which()} is longer than 63 characters (${label.length})`);
    if (!LDH_LABEL.test(label)) throw new ValidationError(field(), `${which()} may hold only letters, digits and inner hyphens`);
    if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) {
      throw new ValidationError(field(), `${which()} has "--" in positions 3-4 but is not an A-label`);
    }
  }
  if (labels.length < 2) throw new ValidationError(field(), `${quoted(raw)} needs at least two labels (name and TLD)`);
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) throw new ValidationError(field(), 'the top-level label cannot be all digits');
  return labels;
}

/**
 * ẞ (U+1E9E): UTS #46 15.1 maps it to ß, as idn-hostname does; node:url's ICU tables still map it
 * to "ss". The one code point the library accepts on which the two conversions differ (every code
 * point checked alone, after a letter and doubled; the others give the same A-labels, or none).
 */
const CONVERTED_APART = /\u1E9E/;

/**
 * A valid IDNA2008 name (idn-hostname's isIdnHostname: UTS #46 mapping, RFC 5892 code points and
 * contexts, A-label round trip, RFC 5893 bidi) -> its A-label form. The library's idnHostname
 * maps every label a second time and punycodes the whole name again after validating it (some
 * 40% of its cost here); the conversion of a name it accepted is node:url's domainToASCII (ICU's
 * UTS #46, nontransitional, in C++), with the library's own conversion for a name holding ẞ
 * (CONVERTED_APART) or one domainToASCII answers nothing for (code points newer than its tables).
 * Throws the library's error.
 */
function idnaToAscii(trimmed: string): string {
  idn.isIdnHostname(trimmed);
  const fast = CONVERTED_APART.test(trimmed) ? '' : domainToASCII(trimmed);
  return (fast || idn.idnHostname(trimmed)).replace(/\.$/, '');
}

/**
 * A domain or host name -> lower-case A-labels without the root dot. ASCII names follow the LDH
 * rules of RFC 1035/5891: labels of 1-63 octets of letters, digits and inner hyphens, "--" in
 * positions 3-4 only for A-labels ("xn--"), at most 253 octets, at least two labels, a top-level
 * label not all digits (RFC 3696 section 2). A name with a U-label or an A-label must also be a
 * valid IDNA2008 name (RFC 5890-5893), checked by the idn-hostname library with UTS #46
 * nontransitional mapping first: every code point must be PVALID (or CONTEXTJ/CONTEXTO in its
 * context) under RFC 5892, so symbols such as "☃" are refused although UTS #46 alone maps them; an
 * A-label must decode to such a U-label and round-trip; RFC 5893 bidi rules apply.
 * Leading/trailing spaces are ignored. Throws ValidationError naming `field`; its message quotes
 * the name as sent (quoted(): at most 32 characters) and names a label by its position, never
 * quoting a label's lower-cased or mapped form. Synchronous: for a list use normalizeDomainNames.
 */
export function normalizeDomainName(fieldOf: string | (() => string), raw: string): string {
  // A name already in its normal form (lower-case LDH labels, no "--" anywhere, so no A-label,
  // no trailing dot) is its own result; every rule below holds for it (checked by the tests).
  if (raw.length <= 253 && NORMAL_LDH.test(raw) && !raw.includes('--') && !ALL_DIGITS_TLD.test(raw)) return raw;
  // The field's name is spelled only for an error (a bulk job names 10,000 items "domains[i].name").
  const field = () => (typeof fieldOf === 'string' ? fieldOf : fieldOf());
  if (raw.length > MAX_NAME_INPUT) throw new ValidationError(field(), `a domain name is at most 253 characters (got ${raw.length})`);
  if (!hasOnlyAllowedCharacters(raw, true)) checkCharacters(field(), raw, true);
  const trimmed = raw.trim().replace(/\.$/, '');
  if (trimmed === '') throw new ValidationError(field(), 'a domain name is required');
  let ascii = trimmed.toLowerCase();
  const ldhOnly = ASCII_ONLY.test(trimmed);
  if (ldhOnly) checkLdh(fieldOf, raw, ascii);
  if (!ldhOnly || A_LABEL.test(ascii)) {
    try {
      ascii = idnaToAscii(trimmed);
    } catch (err) {
      throw new ValidationError(field(), `${quoted(raw)} is not a valid internationalised domain name: ${reason(err, trimmed)}`);
    }
    checkLdh(fieldOf, raw, ascii);
  }
  return ascii;
}

/**
 * normalizeDomainName on each of `names`, in order: the same results, and the same error (the
 * first name refused, by index, `fieldOf(i)`), but checked in slices of about SLICE_MS (3 ms;
 * an IDN costs 0.1-0.3 ms here, so some 10-40 names), each later slice waiting its turn in the
 * process's FIFO of turns (src/core/turns.ts: other requests are read and their slices run in
 * between), so that a list of 5,000 IDNs (up to a second and a half of IDNA checks on one core)
 * does not stall the other requests. `each(name, i)`, when
 * given, runs on each result as it is made and may throw (a duplicate). Resolves only once every
 * name is checked: nothing may be sent before.
 */
export async function normalizeDomainNames(
  names: readonly string[],
  fieldOf: (i: number) => string,
  each?: (name: string, i: number) => void,
): Promise<string[]> {
  const out = new Array<string>(names.length);
  await inTurns(names, (raw, i) => {
    out[i] = normalizeDomainName(() => fieldOf(i), raw);
    each?.(out[i]!, i);
  });
  return out;
}

/**
 * EPP object identifiers (contact ids): RFC 5730 clIDType, a token of 3-16 characters. Stricter
 * than token: letters, digits and _ . : - only, which every registry accepts. Trimmed.
 */
export function checkObjectId(field: string, id: string): string {
  if (id.length > 64) throw new ValidationError(field, 'must be 3 to 16 characters');
  const v = id.trim();
  checkLength(field, v, 3, 16);
  if (!/^[A-Za-z0-9_.:-]+$/.test(v)) throw new ValidationError(field, `${quoted(v)} may hold letters, digits and _ . : - only`);
  return v;
}

/**
 * Authorisation information (RFC 5731/5733 pwAuthInfoType, an XML normalizedString the RFCs
 * leave unbounded): 6-64 characters, no control characters, no leading or trailing space, the
 * bounds the gateway has always applied to the auth info it sets. The same rule holds where auth
 * info is only read with (domain(authInfo:), transfer(authInfo:), Domain.transfer(authInfo:)), so
 * a value no registrar could have set is never sent. Never quoted in a message.
 */
export function checkAuthInfo(field: string, pw: string): string {
  if (pw.length > 128) throw new ValidationError(field, 'must be 6 to 64 characters');
  checkLength(field, pw, 6, 64);
  if (/[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u.test(pw) || pw.trim() !== pw) {
    throw new ValidationError(field, 'must be printable with no leading or trailing spaces');
  }
  return pw;
}

/** Idempotency keys: 1-255 visible ASCII characters (UUIDs recommended). */
export function checkIdempotencyKey(field: string, key: string): string {
  if (key.length < 1 || key.length > 255) throw new ValidationError(field, 'must be 1 to 255 characters');
  if (!/^[\x21-\x7e]+$/.test(key)) throw new ValidationError(field, 'must be visible ASCII characters');
  return key;
}

/**
 * The start of every idempotency key the gateway derives itself (a bulk item's, src/bulk/store.ts
 * itemKey, and a native chunk's built from it): the namespace no client key may enter, so that a
 * mutation sent by hand can never share its idempotency record (or the registry's) with an item.
 */
export const DERIVED_KEY_PREFIX = 'bulk:';

/**
 * A client's idempotency key (a mutation's `idempotencyKey` argument): checkIdempotencyKey's rule,
 * and not starting with DERIVED_KEY_PREFIX in any letter case. Throws ValidationError on `field`.
 */
export function checkClientIdempotencyKey(field: string, key: string): string {
  checkIdempotencyKey(field, key);
  if (key.slice(0, DERIVED_KEY_PREFIX.length).toLowerCase() === DERIVED_KEY_PREFIX) {
    throw new ValidationError(field, `must not start with "${DERIVED_KEY_PREFIX}": keys starting so are reserved for the keys the gateway derives for bulk items`);
  }
  return key;
}

/**
 * A `registry` argument: the name of a configured backend (config `backends[].name`), one line of
 * 1-255 characters; whether it is configured is the router's to say (Router.named).
 */
export function checkRegistryName(field: string, name: string): string {
  if (name.length < 1 || name.length > 255) throw new ValidationError(field, 'a registry name is 1 to 255 characters');
  return checkCharacters(field, name, true);
}
