/**
 * What each command needs of a backend, in one table with one wording: asking a backend for what
 * it lacks answers UNSUPPORTED_BY_BACKEND ("backend "sandbox-nomulus" does not support contact
 * objects") before anything is sent.
 */
import type { Capabilities, Capability } from '../core/capabilities.js';
import type { CommandName } from '../core/commands.js';
import { UnsupportedByBackendError, ValidationError } from '../core/errors.js';
import type * as M from '../core/model/index.js';

/** A capability and the words that name it in the error; `field`, the argument that asked for it (extensions.field), where one did. */
export interface Need {
  capability: Capability;
  what: string;
  field?: string;
}

const CONTACTS: Need = { capability: 'contacts', what: 'contact objects' };
const DOMAIN_CONTACTS: Need = { capability: 'contacts', what: 'contacts (registrant/contacts on a domain)' };
const HOSTS: Need = { capability: 'hostObjects', what: 'host objects' };
const DNSSEC: Need = { capability: 'dnssec', what: 'DNSSEC (secDNS-1.1)' };
const DS_DATA: Need = { capability: 'dnssecDsData', what: 'DNSSEC DS data (this registry takes DNSKEY data)' };
const RESTORE: Need = { capability: 'restore', what: 'restore (rgp-1.0)' };
const TRANSFER_ACTIONS: Need = { capability: 'transferActions', what: 'approving, rejecting or cancelling transfers' };
const POLL: Need = { capability: 'poll', what: 'a poll queue' };
const BALANCE: Need = { capability: 'balance', what: 'balance' };
const LIST: Need = { capability: 'listDomains', what: 'listing domains from the registry' };
const BULK: Need = { capability: 'bulk', what: 'native bulk actions' };
const REGISTRANT_INFO: Need = { capability: 'registrantInfo', what: 'registrant metadata on the domain (registrantInfo)' };

/** Needs that hold for every use of a command. */
const BY_COMMAND: Partial<Record<CommandName, Need[]>> = {
  'domain:restore': [RESTORE],
  'domain:list': [LIST],
  'domain:transfer:approve': [TRANSFER_ACTIONS],
  'domain:transfer:reject': [TRANSFER_ACTIONS],
  'domain:transfer:cancel': [TRANSFER_ACTIONS],
  'contact:check': [CONTACTS],
  'contact:info': [CONTACTS],
  'contact:list': [CONTACTS, { capability: 'contactIdsAssigned', what: 'listing contacts from the registry' }],
  'contact:create': [CONTACTS],
  'contact:update': [CONTACTS],
  'contact:delete': [CONTACTS],
  'host:check': [HOSTS],
  'host:info': [HOSTS],
  'host:create': [HOSTS],
  'host:update': [HOSTS],
  'host:delete': [HOSTS],
  'poll:req': [POLL],
  'poll:ack': [POLL],
  'balance:info': [BALANCE],
  'bulk:transfer': [BULK],
  'bulk:tech-contacts': [BULK],
  'bulk:nameservers': [BULK],
  'bulk:renew': [BULK],
};

/** DNSSEC, and DS data where some is given (`dsField`: the argument that gives it, for the error). */
function dnssecNeeds(ds: number, keys: number, dsField: string): Need[] {
  return [...(ds + keys > 0 ? [DNSSEC] : []), ...(ds > 0 ? [{ ...DS_DATA, field: dsField }] : [])];
}

/** What a domain create needs, from its arguments. */
export function createNeeds(input: M.DomainCreateInput): Need[] {
  const hasContacts = Boolean(input.registrant) || input.contacts.length > 0;
  return [...(hasContacts ? [DOMAIN_CONTACTS] : []), ...(input.registrantInfo ? [{ ...REGISTRANT_INFO, field: 'input.registrantInfo' }] : []), ...dnssecNeeds(input.dnssec?.dsData.length ?? 0, input.dnssec?.keyData.length ?? 0, 'input.dnssec.dsData')];
}

/** What a domain update needs, from its arguments. */
export function updateNeeds(u: M.DomainUpdateInput): Need[] {
  const hasContacts = u.registrant != null || u.add.contacts.length + u.remove.contacts.length > 0; // "" (remove the registrant) too
  const d = u.dnssec;
  const ds = d ? d.addDsData.length + d.removeDsData.length : 0;
  const keys = d ? d.addKeyData.length + d.removeKeyData.length + (d.removeAll || (d.maxSigLife ?? null) !== null ? 1 : 0) : 0;
  return [...(hasContacts ? [DOMAIN_CONTACTS] : []), ...(u.registrantInfo ? [{ ...REGISTRANT_INFO, field: 'input.registrantInfo' }] : []), ...dnssecNeeds(ds, keys, d && d.addDsData.length > 0 ? 'input.add.dsData' : 'input.remove.dsData')];
}

/** What every use of `command` needs (e.g. contact:* needs `contacts`, domain:restore needs `restore`); [] when nothing. */
export function needsOf(command: CommandName): Need[] {
  return BY_COMMAND[command] ?? [];
}

/** The first need the capabilities do not meet, if any. */
export function unmet(needs: readonly Need[], caps: Capabilities): Need | undefined {
  return needs.find((n) => !caps[n.capability]);
}

/**
 * Refuses the first need `caps` do not meet: UnsupportedByBackendError naming `backend`, the need's
 * words and its field, the one error every port call gives for it (PortableBackend.run) and the
 * operations' checks give before the idempotency key is read (src/operations/checks.ts).
 */
export function requireMet(backend: string, needs: readonly Need[], caps: Capabilities): void {
  const missing = unmet(needs, caps);
  if (missing) throw new UnsupportedByBackendError(backend, missing.what, missing.field);
}

/**
 * What a contact create asks of a registry with contact objects, by how it keeps them: an id the
 * registrar chooses where the registry assigns none (EPP: ValidationError on input.id), the
 * contact's identity where the registry keeps one (REPP: ValidationError on input.ident) and none
 * where it does not (UnsupportedByBackendError on input.ident). Nothing where the registry has no
 * contact objects: that is the contacts need's refusal. Sends nothing.
 */
export function requireContactCreate(backend: string, input: Pick<M.ContactCreateInput, 'id' | 'ident'>, caps: Capabilities): void {
  if (!caps.contacts) return;
  if (!input.id && !caps.contactIdsAssigned) throw new ValidationError('input.id', `registry "${backend}" needs the registrar to choose the contact id`);
  if (!input.ident && caps.contactIdent) throw new ValidationError('input.ident', `registry "${backend}" needs the contact's identity (code, type, country)`);
  if (input.ident && !caps.contactIdent) throw new UnsupportedByBackendError(backend, 'contact identities (ident)', 'input.ident');
}
