/**
 * A contact's postal information (RFC 5733 sections 2.3-2.4, <contact:postalInfo> of section 3.2.1): `int` US-ASCII only, `loc` any script;
 * name and city 1-255 characters, at most 3 street lines, `cc` ISO 3166-1 alpha-2 (checkPostal).
 * `org`, `sp`, `pc`: null when there is none; "" only in an update's postal info, where it clears
 * the value (sent as the empty element, RFC 5733 section 3.2.5).
 */
export interface PostalInfo {
  type: 'int' | 'loc';
  name: string;
  org?: string | null;
  street: string[];
  city: string;
  sp?: string | null;
  pc?: string | null;
  cc: string;
}

/** Whether `text` may stand in an "int" postal info: printable US-ASCII only (RFC 5733 section 2.3.2). */
export function isIntPostalText(text: string): boolean {
  return !/[^\x20-\x7e]/.test(text);
}

/**
 * The form of a postal info a registry keeps without one (REPP, Joker DMAPI: one untyped address),
 * as read back: "int" when each of its texts may stand in one (isIntPostalText), else "loc", so
 * that what is read can be sent back in an update as it is.
 */
export function postalTypeOf(info: Omit<PostalInfo, 'type'>): PostalInfo['type'] {
  const texts = [info.name, info.org, info.city, info.sp, info.pc, info.cc, ...info.street];
  return texts.every((t) => t == null || isIntPostalText(t)) ? 'int' : 'loc';
}

/** `info` with the type postalTypeOf gives it. */
export function withPostalType(info: Omit<PostalInfo, 'type'>): PostalInfo {
  return { type: postalTypeOf(info), ...info };
}

/** A contact element whose disclosure the registrant chooses (RFC 5733 section 2.9). */
export type DisclosureField = 'name:int' | 'name:loc' | 'org:int' | 'org:loc' | 'addr:int' | 'addr:loc' | 'voice' | 'fax' | 'email';

/**
 * The registrant's disclosure preference: `flag` false asks the registry not to disclose the
 * listed elements (where its policy would), true asks it to disclose them (where it would not).
 */
export interface Disclosure {
  flag: boolean;
  fields: DisclosureField[];
}

/** A contact's identity at a registry that keeps one (REPP ident): a personal or registry code, or a birthday, and its country. */
export interface ContactIdent {
  code: string;
  /** priv: a personal code; org: a company registry code; birthday: yyyy-mm-dd. */
  type: 'priv' | 'org' | 'birthday';
  /** ISO 3166-1 alpha-2. */
  countryCode: string;
}

/**
 * A contact as the registry's info answers it (RFC 5733 section 3.1.2 <contact:infData>): voice and
 * fax in E.164 "+CC.NUMBER" form, dates as UTC instants, `authInfo` only for the sponsor.
 */
export interface Contact {
  id: string;
  roid?: string | null;
  statuses: string[];
  postalInfo: PostalInfo[];
  voice?: string | null;
  fax?: string | null;
  email: string;
  sponsor: string;
  createdBy?: string | null;
  createdAt?: Date | null;
  updatedBy?: string | null;
  updatedAt?: Date | null;
  transferredAt?: Date | null;
  authInfo?: string | null;
  /** The disclosure preference, when one was set. */
  disclosure?: Disclosure | null;
  /** The registry's identity of the person or company (REPP); null where the registry keeps none. */
  ident?: ContactIdent | null;
}

/** A checked <contact:create> (RFC 5733 section 3.2.1), as toContactCreate (src/validation/contact.ts) returns it. */
export interface ContactCreateInput {
  /** The id to create; null where the registry assigns one (capability contactIdsAssigned). */
  id: string | null;
  postalInfo: PostalInfo[];
  voice?: string | null;
  fax?: string | null;
  email: string;
  authInfo: string;
  disclosure?: Disclosure | null;
  /** Required where the registry keeps an identity (capability contactIdent). */
  ident?: ContactIdent | null;
}

/**
 * A checked <contact:update> (RFC 5733 section 3.2.5): statuses to add and remove (client statuses
 * only), and each non-null field to change (chg), as toContactUpdate returns it. `voice` or `fax`
 * "": clear the number (the empty `<contact:voice/>` / `<contact:fax/>`); `email` is never "".
 */
export interface ContactUpdateInput {
  id: string;
  addStatuses: string[];
  removeStatuses: string[];
  postalInfo?: PostalInfo[] | null;
  voice?: string | null;
  fax?: string | null;
  email?: string | null;
  authInfo?: string | null;
  disclosure?: Disclosure | null;
}
