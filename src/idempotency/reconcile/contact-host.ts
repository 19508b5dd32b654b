/** Reconciliation of contact and host commands: EPP contact:info / host:info. */
import type { Contact, ContactCreateInput, ContactUpdateInput, Disclosure, Host, HostUpdateInput, PostalInfo } from '../../core/model/index.js';
import { asDate } from '../../core/time.js';
import type { SecretDigests } from '../secrets.js';
import { allIn, noneIn, orNull, port } from './read.js';
import { applied, atOrAfter, notApplied, reconciledTransaction, type ReconcileFn, type ReconcileInput, type Verdict } from './types.js';

const readContact = (input: ReconcileInput, id: string): Promise<Contact | null> => orNull(() => port(input).infoContact(input.call, id));
const readHost = (input: ReconcileInput, name: string): Promise<Host | null> => orNull(() => port(input).infoHost(input.call, name));

async function created(input: ReconcileInput, kind: 'contact' | 'host', id: string, o: Contact | Host | null): Promise<Verdict> {
  if (!o) return notApplied(`${kind}:info: no such ${kind}`);
  if (o.sponsor !== input.upstreamId) return notApplied(`${kind}:info: sponsored by ${o.sponsor}`);
  if (!atOrAfter(o.createdAt, input.since)) return notApplied(`${kind}:info: created before this request`);
  if (await input.appliedByAnotherRequest(id)) return notApplied('command log: created by another request');
  const how = `${kind}:info shows ${id} created by us at ${asDate(o.createdAt)?.toISOString()}`;
  return applied(await reconciledTransaction(input, 1000, how), how);
}

async function deleted(input: ReconcileInput, kind: 'contact' | 'host', o: Contact | Host | null): Promise<Verdict> {
  if (!o) {
    const how = `${kind}:info: the ${kind} no longer exists`;
    return applied(await reconciledTransaction(input, 1000, how), how);
  }
  if (o.statuses.includes('pendingDelete')) {
    const how = `${kind}:info shows pendingDelete`;
    return applied(await reconciledTransaction(input, 1001, how), how);
  }
  return notApplied(`${kind}:info: the ${kind} is not being deleted`);
}

async function updated(input: ReconcileInput, kind: 'contact' | 'host', missing: string[]): Promise<Verdict> {
  if (missing.length > 0) return notApplied(`${kind}:info: not yet as requested (${missing.join(', ')})`);
  const how = `${kind}:info shows the requested changes in place`;
  return applied(await reconciledTransaction(input, 1000, how), how);
}

/**
 * createContact: where the registrar chose the id, read it. Where the registry assigns ids (REPP:
 * a custom id becomes "<registrar code>:<ID>"), the lost answer held the id: the registrar's
 * contacts are searched for one with the request's name, e-mail and identity (and id, if one was
 * given) that no other request created. REPP shows no creation time, so a contact with exactly
 * this data made earlier counts as this one (the registrar then has it either way).
 */
export const createContact: ReconcileFn = async (input) => {
  const p = port(input);
  if (!(await p.capabilities(input.call)).contactIdsAssigned) return created(input, 'contact', input.args.id, await readContact(input, input.args.id));
  const want = input.args as ContactCreateInput;
  const suffix = want.id ? `:${want.id.toUpperCase()}` : null;
  for (let offset = 0; offset < 100_000; offset += 200) {
    const { data } = await p.listContacts(input.call, { limit: 200, offset });
    for (const c of data.contacts) {
      const same =
        (!suffix || c.id.toUpperCase().endsWith(suffix)) &&
        c.email.toLowerCase() === want.email.toLowerCase() &&
        c.postalInfo[0]?.name === want.postalInfo[0]?.name &&
        (!want.ident || c.ident?.code === want.ident.code);
      if (same && !(await input.appliedByAnotherRequest(c.id))) {
        const how = `the registry lists contact ${c.id} with the requested data`;
        return applied({ ...(await reconciledTransaction(input, 1000, how)), id: c.id }, how);
      }
    }
    if (data.contacts.length < 200) break;
  }
  return notApplied('contact list: no contact with the requested data');
};
/** createHost: the host exists, is sponsored by us (EPP clID), was created since the request and not by another request (RFC 5732 host:info). */
export const createHost: ReconcileFn = async (input) => created(input, 'host', input.args.name, await readHost(input, input.args.name));
/** deleteContact: applied when contact:info answers 2303 (1000) or shows pendingDelete (1001); not applied otherwise. */
export const deleteContact: ReconcileFn = async (input) => deleted(input, 'contact', await readContact(input, input.args.id));
/** deleteHost: applied when host:info answers 2303 (1000) or shows pendingDelete (1001); not applied otherwise. */
export const deleteHost: ReconcileFn = async (input) => deleted(input, 'host', await readHost(input, input.args.name));

// An update's org, sp or pc of "" (cleared) is the none a read answers (null).
const postalKey = (p: PostalInfo) =>
  JSON.stringify([p.type, p.name, p.org || null, p.street, p.city, p.sp || null, p.pc || null, p.cc.toUpperCase()]);

const sameDisclosure = (want: Disclosure, got: Disclosure | null | undefined) =>
  !!got && got.flag === want.flag && got.fields.length === want.fields.length && allIn(want.fields, got.fields);

/** Which parts of a contact update's desired end state do not hold on `c`. */
export function contactUpdateMismatches(u: ContactUpdateInput, c: Contact, secrets: Pick<SecretDigests, 'matches'>): string[] {
  const out: string[] = [];
  if (!allIn(u.addStatuses, c.statuses)) out.push('added statuses');
  if (!noneIn(u.removeStatuses, c.statuses)) out.push('removed statuses');
  if (u.email && u.email.toLowerCase() !== c.email.toLowerCase()) out.push('email');
  // voice/fax "" asked to clear the number: it holds when the contact has none.
  if (u.voice != null && u.voice !== (c.voice ?? '')) out.push('voice');
  if (u.fax != null && u.fax !== (c.fax ?? '')) out.push('fax');
  if (u.postalInfo && !allIn(u.postalInfo.map(postalKey), c.postalInfo.map(postalKey))) out.push('postal info');
  if (u.authInfo && !secrets.matches(u.authInfo, c.authInfo)) out.push('auth info');
  if (u.disclosure && !sameDisclosure(u.disclosure, c.disclosure)) out.push('disclosure');
  return out;
}

/** updateContact: applied when contact:info shows every requested change (contactUpdateMismatches is empty); no such contact: not applied. */
export const updateContact: ReconcileFn = async (input) => {
  const u = input.args as ContactUpdateInput;
  const c = await readContact(input, u.id);
  if (!c) return notApplied('contact:info: no such contact');
  return updated(input, 'contact', contactUpdateMismatches(u, c, input.secrets));
};

/** Which parts of a host update's desired end state do not hold on `h`. */
export function hostUpdateMismatches(u: HostUpdateInput, h: Host): string[] {
  const out: string[] = [];
  if (!allIn(u.addStatuses, h.statuses)) out.push('added statuses');
  if (!noneIn(u.removeStatuses, h.statuses)) out.push('removed statuses');
  if (!allIn([...u.addIpv4, ...u.addIpv6], [...h.ipv4, ...h.ipv6])) out.push('added addresses');
  if (!noneIn([...u.removeIpv4, ...u.removeIpv6], [...h.ipv4, ...h.ipv6])) out.push('removed addresses');
  return out;
}

/** updateHost: the desired end state holds (under the new name when the host was renamed). */
export const updateHost: ReconcileFn = async (input) => {
  const u = input.args as HostUpdateInput;
  if (u.newName) {
    const renamed = await readHost(input, u.newName);
    if (!renamed || renamed.sponsor !== input.upstreamId || (await readHost(input, u.name))) {
      return notApplied(`host:info: ${u.name} has not become ${u.newName}`);
    }
    return updated(input, 'host', hostUpdateMismatches(u, renamed));
  }
  const h = await readHost(input, u.name);
  if (!h) return notApplied('host:info: no such host');
  return updated(input, 'host', hostUpdateMismatches(u, h));
};
