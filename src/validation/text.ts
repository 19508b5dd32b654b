/**
 * Rules every string argument follows, whatever its kind. Each kind's own rule (names, contacts,
 * DNSSEC...) checks its bound first, so no check walks more than a few hundred characters of a
 * value however long it was sent.
 */
import { ValidationError } from '../core/errors.js';
import { SECRET_NAMES } from '../core/secret-names.js';

/**
 * The longest string any argument may be: above every kind's own limit (the longest is a DNSKEY
 * public key, 4,096 bytes = 5,464 base64 characters, plus line breaks), so it only stops what no
 * kind accepts before anything walks it.
 */
export const MAX_ARGUMENT_CHARS = 8192;

/** The longest list any argument may be: a bulk job's 20,000 domains (bulk.maxItems); checkDomains takes 5,000 names (limits.maxBatch); every other kind has its own, smaller, bound. */
export const MAX_LIST_ITEMS = 20_000;

/**
 * Characters no argument may hold: what XML 1.0 cannot carry (C0 controls other than TAB, LF and
 * CR, U+FFFE, U+FFFF, and lone surrogates, which are no characters at all) — every argument ends
 * in an EPP (XML) command or in PostgreSQL, which refuses U+0000 (22P05) — plus DEL and the C1
 * controls, which XML 1.0 section 2.2 discourages and RFC 5198 leaves out of network text.
 */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|\p{Cs}/u;

/** Same, and also TAB, LF and CR: for one-line values (XML Schema normalizedString and token). */
const FORBIDDEN_IN_LINE = /[\u0000-\u001F\u007F-\u009F\uFFFE\uFFFF]|\p{Cs}/u;

function describe(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp >= 0xd800 && cp <= 0xdfff) return `a lone surrogate (U+${cp.toString(16).toUpperCase()})`;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * What counts as blank: a string made only of white space, the characters of Unicode's White_Space
 * property (space, TAB, LF, CR, no-break space U+00A0, the spaces U+1680, U+2000-U+200A, U+202F,
 * U+205F and U+3000, and the line and paragraph separators U+2028 and U+2029), or of nothing at
 * all. A blank string is never taken as left out: where the field's standard gives the empty value
 * a meaning (an update's org, sp, pc, voice, fax, registrant) it is that empty value, elsewhere it
 * is refused as the field's own rule says (README, Errors: empty strings).
 */
const BLANK = /^\p{White_Space}*$/u;

/**
 * Characters that show nothing: Unicode's format characters (general category Cf: U+00AD SOFT
 * HYPHEN, U+200B ZERO WIDTH SPACE, U+200C-U+200F, U+202A-U+202E, U+2060 WORD JOINER, U+FEFF, ...)
 * and its Default_Ignorable_Code_Point property (also U+034F, the variation selectors, the Hangul
 * fillers U+115F, U+1160, U+3164, U+FFA0, U+180B-U+180F, the tags U+E0000-U+E0FFF), with white
 * space (BLANK).
 */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Cf}\p{Default_Ignorable_Code_Point}]+$/u;
const INVISIBLE_FIRST = /^[\p{White_Space}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;

/** Whether `value` starts with a white-space or invisible character: the cheap test before checkNotInvisible's whole one (most values start with a visible character). */
export function startsInvisible(value: string): boolean {
  return INVISIBLE_FIRST.test(value);
}

/** Whether `value` is blank (BLANK: only white space, or empty). */
export function isBlank(value: string): boolean {
  return BLANK.test(value);
}

/**
 * Refuses a value made only of invisible characters (INVISIBLE_ONLY) that is not blank: at least
 * one format or default-ignorable character (U+200B, U+2060, U+00AD, U+FEFF...) and nothing
 * visible. Such a value looks empty wherever it is shown but is neither empty nor blank, so it
 * would be stored and sent as a name, organisation or street nobody can read. ValidationError
 * (BAD_USER_INPUT) naming `field`; the message spells none of the value (it may be a secret).
 * A value with anything visible, or a blank one, passes (a blank one is the field's rule's to
 * judge). Checks only the first character of a value that starts with a visible one.
 */
export function checkNotInvisible(field: string, value: string): string {
  if (INVISIBLE_FIRST.test(value) && INVISIBLE_ONLY.test(value) && !BLANK.test(value)) {
    // A secret (an auth code, a password) never takes an empty value: no hint of one there.
    const last = /([A-Za-z]+)(?:\[\d+\])*$/.exec(field)?.[1];
    const empty = last !== undefined && SECRET_NAMES.has(last) ? '' : ', or "" where the field takes an empty one';
    throw new ValidationError(field, `holds only invisible characters (format characters such as U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER or U+00AD SOFT HYPHEN, and spaces): give a visible value${empty}`);
  }
  return value;
}

/** Whether `value` holds no character that checkCharacters refuses (the test alone, for hot paths that name the field only on refusal). */
export function hasOnlyAllowedCharacters(value: string, oneLine = false): boolean {
  return !(oneLine ? FORBIDDEN_IN_LINE : FORBIDDEN).test(value);
}

/** Refuses characters no argument may hold (see FORBIDDEN); `oneLine` also refuses TAB, LF, CR. */
export function checkCharacters(field: string, value: string, oneLine = false): string {
  const m = (oneLine ? FORBIDDEN_IN_LINE : FORBIDDEN).exec(value);
  if (m) throw new ValidationError(field, `contains ${describe(m[0])}, which is not allowed`);
  return value;
}

/**
 * Length in characters (Unicode code points, as XML Schema's length facets count them), refused
 * before counting when the UTF-16 length alone is over twice the bound.
 */
export function checkLength(field: string, value: string, min: number, max: number, what = 'characters'): string {
  const n = value.length > 2 * max ? value.length : Array.from(value).length;
  if (n < min || n > max) {
    throw new ValidationError(field, min === max ? `must be ${max} ${what}` : min === 0 ? `must be at most ${max} ${what}` : `must be ${min} to ${max} ${what}`);
  }
  return value;
}

/**
 * One line of text, as RFC 5733's postalLineType / optPostalLineType (XML Schema normalizedString
 * with minLength 1 / 0 and maxLength 255): trimmed, no control characters, `min`-`max` characters;
 * a blank one (isBlank) is "" (refused as required when `min` > 0), one made only of invisible
 * characters is refused (checkNotInvisible).
 */
export function checkLine(field: string, value: string, min: number, max: number): string {
  if (value.length > 4 * max) checkLength(field, value, min, max);
  const v = checkNotInvisible(field, checkCharacters(field, value, true)).trim();
  if (min > 0 && v === '') throw new ValidationError(field, 'is required');
  return checkLength(field, v, min, max);
}
