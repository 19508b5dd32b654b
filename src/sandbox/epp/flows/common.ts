/** What every object flow gets, and the checks they share. */
import type { Profile } from '../greeting.js';
import { EppError, type EppResult } from '../result.js';
import type { Store } from '../store.js';
import { child, childText, type XmlEl } from '../xml.js';

/** The object commands a flow can implement (RFC 5730 sections 2.9.2 and 2.9.3). */
export type Verb = 'check' | 'info' | 'create' | 'update' | 'delete' | 'renew' | 'transfer';
/** The op attribute of <transfer> (RFC 5730 section 2.9.3.4; query: section 2.9.2.4). */
export type TransferOp = 'request' | 'approve' | 'reject' | 'cancel' | 'query';

/**
 * What a flow runs with: the store, the logged-in client id, the command's time (clock at dispatch),
 * the profile, the pending-transfer auto-approval period (ms) and the transaction ids (for paTRID).
 */
export interface FlowContext {
  store: Store;
  clientId: string;
  now: Date;
  profile: Profile;
  transferPeriodMs: number;
  trid: { client?: string; server: string };
}

/** An object command: the verb, transfer op, the object element (e.g. domain:create), extensions. */
export interface ObjectCommand {
  verb: Verb;
  op?: TransferOp;
  el: XmlEl;
  extensions: XmlEl[];
}

/** One object command: applies it to ctx.store and returns a 1xxx result, or throws EppError with an RFC 5730 section 3 code. */
export type Flow = (ctx: FlowContext, cmd: ObjectCommand) => EppResult;

/** Text of a required child element; throws EppError 2003 "Required parameter missing" when it is absent or empty. */
export function requireText(el: XmlEl | undefined, ns: string, name: string): string {
  const v = childText(el, ns, name);
  if (v === undefined || v === '') throw new EppError(2003, `Required element ${name} is missing`);
  return v;
}

/** EppError 2303 "Object does not exist" (RFC 5730 section 3) naming the object, in Nomulus' wording. */
export function notFound(kind: 'domain' | 'host' | 'contact', id: string): EppError {
  return new EppError(2303, `The ${kind} with given ID (${id}) doesn't exist.`);
}

/** Throws EppError 2201 "Authorization error" (RFC 5730 section 3) unless the logged-in client is `sponsor`. */
export function requireSponsor(ctx: FlowContext, sponsor: string): void {
  if (sponsor !== ctx.clientId) throw new EppError(2201, 'The specified resource belongs to another client.');
}

/** Rejects extensions the flow does not implement (2103). Undeclared ones were rejected earlier. */
export function allowExtensions(cmd: ObjectCommand, allowed: string[]): void {
  for (const e of cmd.extensions) {
    if (!allowed.includes(`${e.ns} ${e.name}`)) throw new EppError(2103, 'Specified extension is not implemented.');
  }
}

/** The command's <extension> child with this namespace and local name, or undefined. */
export function extension(cmd: ObjectCommand, ns: string, name: string): XmlEl | undefined {
  return cmd.extensions.find((e) => e.ns === ns && e.name === name);
}

/** Throws EppError 2304 "Object status prohibits operation" (RFC 5730 section 3) when any status is in `prohibited`. */
export function statusProhibits(statuses: Iterable<string>, prohibited: string[]): void {
  for (const s of statuses) {
    if (prohibited.includes(s)) throw new EppError(2304, 'Resource status prohibits this operation.');
  }
}

/** authInfo/pw text of an element with an authInfo child (undefined when absent). */
export function authPw(el: XmlEl, ns: string): { pw?: string; roid?: string; present: boolean } {
  const a = child(el, ns, 'authInfo');
  if (!a) return { present: false };
  const pw = child(a, ns, 'pw');
  if (!pw) throw new EppError(2102, 'Only password authInfo is supported.');
  return { pw: pw.text, roid: pw.attrs.roid, present: true };
}

/** Status values a client may add or remove, per object type. */
export const CLIENT_STATUSES = {
  domain: ['clientDeleteProhibited', 'clientHold', 'clientRenewProhibited', 'clientTransferProhibited', 'clientUpdateProhibited'],
  host: ['clientDeleteProhibited', 'clientUpdateProhibited'],
  contact: ['clientDeleteProhibited', 'clientTransferProhibited', 'clientUpdateProhibited'],
} as const;

/** Applies add/rem status lists with Nomulus' checks (2004 not settable, 2306 add and remove). */
export function statusChanges(kind: keyof typeof CLIENT_STATUSES, add: XmlEl[], rem: XmlEl[]): { add: string[]; rem: string[] } {
  const allowed: readonly string[] = CLIENT_STATUSES[kind];
  const a = add.map((s) => s.attrs.s ?? '');
  const r = rem.map((s) => s.attrs.s ?? '');
  for (const s of [...a, ...r]) {
    if (!allowed.includes(s)) throw new EppError(2004, 'The specified status value cannot be set by clients.');
  }
  if (a.some((s) => r.includes(s))) throw new EppError(2306, 'Cannot add and remove the same value.');
  return { add: a, rem: r };
}

/** Update prohibited unless the update removes clientUpdateProhibited (RFC 5731 section 3.2.5). */
export function checkUpdateAllowed(statuses: Set<string>, removing: string[], pendingDelete: boolean): void {
  if (pendingDelete || statuses.has('serverUpdateProhibited')) {
    throw new EppError(2304, 'Resource status prohibits this operation.');
  }
  if (statuses.has('clientUpdateProhibited') && !removing.includes('clientUpdateProhibited')) {
    throw new EppError(2304, 'This resource has clientUpdateProhibited on it, and the update does not clear that status.');
  }
}

/** Checked names, capped per command. */
export function checkNames(el: XmlEl, ns: string, name: string): string[] {
  const names = el.children.filter((c) => c.ns === ns && c.name === name).map((c) => c.text);
  if (names.length === 0) throw new EppError(2003, `At least one ${name} is required`);
  if (names.length > 50) throw new EppError(2306, 'Too many resource checks requested in one check command.');
  return names;
}

/** The period units domain commands accept, in both profiles: years only, as Nomulus (RFC 5731 also allows m). */
export const PERIOD_UNITS: readonly string[] = ['y'];

/** A period in years: unit y (2306 otherwise), 1 by default. */
export function periodYears(el: XmlEl, ns: string): number {
  const p = child(el, ns, 'period');
  if (!p) return 1;
  if (!PERIOD_UNITS.includes(p.attrs.unit ?? '')) throw new EppError(2306, 'Periods for domain registrations must be specified in years.');
  const n = Number(p.text);
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new EppError(2004, 'Period must be between 1 and 99.');
  return n;
}
