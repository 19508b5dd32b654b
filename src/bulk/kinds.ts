/**
 * What one item of each bulk kind does: the same operation a single mutation runs
 * (src/operations), with the item's own idempotency key. Name-server and tech-contact
 * replacement read the domain first and leave a domain without the old value alone (REPP's bulk
 * endpoints call such a domain "skipped"), so only domains that have it get an update.
 */
import { AuthorizationError, ObjectNotFoundError } from '../core/errors.js';
import { namingNotFound } from '../core/field-paths.js';
import type { DomainNameserver, Period } from '../core/model/index.js';
import { renewDomain } from '../operations/domain/renew-domain.js';
import { updateDomain } from '../operations/domain/update-domain.js';
import type { CommandArguments } from '../core/port.js';
import { callOf, type Actor, type OperationEnv, type TransactionRecord } from '../operations/run.js';
import { transferDomain } from '../operations/transfer/transfer-domain.js';

/** The kinds of bulk job (the GraphQL BulkJobKind enum), one per bulk mutation (BULK_OPERATIONS below). */
export const BULK_KINDS = ['RENEW', 'TRANSFER', 'REPLACE_NAMESERVER', 'REPLACE_TECH_CONTACT', 'UPDATE_STATUSES'] as const;
/** One of BULK_KINDS, as the `bulk_jobs.kind` column holds it. */
export type BulkKind = (typeof BULK_KINDS)[number];

/**
 * The mutation that submits each kind of job (resolvers/bulk/bulk.resolver.ts): the operation the
 * command log names for every command the job sends, its items' reads and changes and its native
 * chunks alike (README "Command log"), while each item's idempotency record keeps the operation
 * it runs (renewDomain, updateDomain, requestTransfer).
 */
export const BULK_OPERATIONS = {
  RENEW: 'bulkRenew',
  TRANSFER: 'bulkTransfer',
  REPLACE_NAMESERVER: 'bulkReplaceNameserver',
  REPLACE_TECH_CONTACT: 'bulkReplaceTechContact',
  UPDATE_STATUSES: 'bulkUpdateStatuses',
} as const satisfies Record<BulkKind, string>;

/** Parameters shared by every item of a job, by kind (stored as the job's `params`). */
export interface BulkParams {
  RENEW: { period: Period };
  TRANSFER: { period: Period | null };
  /** `everyDomain`: submitted without a list (every domain of the registrar's). */
  REPLACE_NAMESERVER: { from: string; to: DomainNameserver; everyDomain?: boolean };
  REPLACE_TECH_CONTACT: { from: string; to: string; everyDomain?: boolean };
  UPDATE_STATUSES: { add: string[]; remove: string[] };
}

/** Per-item arguments: a renewal's current expiry (ISO 8601), a transfer's auth code (opened from its seal). */
export interface ItemInput {
  currentExpiry?: string | null;
  authInfo?: string | null;
}

/** The arguments of each kind's bulk mutation besides its idempotencyKey (resolvers/bulk/bulk.resolver.ts): what an item error's field may point into. */
const ARGUMENTS: Record<BulkKind, ReadonlySet<string>> = {
  RENEW: new Set(['domains', 'period']),
  TRANSFER: new Set(['domains', 'period']),
  REPLACE_NAMESERVER: new Set(['from', 'to', 'domains']),
  REPLACE_TECH_CONTACT: new Set(['from', 'to', 'domains']),
  UPDATE_STATUSES: new Set(['domains', 'add', 'remove']),
};

/** The fields of one item of a list, as the operations name them for an item, and the kinds whose items have them: a bulkRenew item's `currentExpiry`, a bulkTransfer item's `authInfo`, any item's `name`. */
const ITEM_FIELDS: Partial<Record<string, ReadonlySet<BulkKind>>> = {
  name: new Set(BULK_KINDS),
  currentExpiry: new Set(['RENEW']),
  authInfo: new Set(['TRANSFER']),
};

/**
 * How the operation an item runs names its input (`input.add.statuses[1]`, `input.period.unit`,
 * `input.add.nameservers[0].ipv4`) -> the bulk mutation's own argument it came from: [the
 * operation's path, the argument, whether the rest of the path follows]. The first whose path
 * starts the field applies. An item's update carries the job's lists: `add` and `remove` as given;
 * the one name server or contact added is `to`, the one removed `from` (a name: no path follows).
 */
const FROM_OPERATION: Record<BulkKind, ReadonlyArray<readonly [string, string, boolean]>> = {
  RENEW: [['input.name', 'name', false], ['input.currentExpiry', 'currentExpiry', false], ['input.period', 'period', true]],
  TRANSFER: [['input.name', 'name', false], ['domainName', 'name', false], ['input.authInfo', 'authInfo', false], ['input.period', 'period', true]],
  REPLACE_NAMESERVER: [['input.name', 'name', false], ['input.add.nameservers[0]', 'to', true], ['input.add.nameservers', 'to', false], ['input.remove.nameservers', 'from', false]],
  REPLACE_TECH_CONTACT: [['input.name', 'name', false], ['input.add.contacts', 'to', false], ['input.remove.contacts', 'from', false]],
  UPDATE_STATUSES: [['input.name', 'name', false], ['input.add.statuses', 'add', true], ['input.remove.statuses', 'remove', true]],
};

/** Whether `path` is `prefix` or a path under it (`prefix.x`, `prefix[1]`). */
const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);

/**
 * Where an error met while running an item points in the job's request, as a path into the bulk
 * mutation's own arguments (README "Bulk mutations", an item's `error.field`): an item's own field
 * (`currentExpiry`, `authInfo`, `name`) at the item's place in `domains` (`domains[3].currentExpiry`;
 * `domains[3]` where the list is of names; `position` is BulkItem.position, the 0-based place in
 * the list given); a job-wide argument as the mutation spells it (`period`, `period.unit`,
 * `to.ipv4`, `from`, `add[1]`, `remove[0]`), the operation's own input path translated
 * (FROM_OPERATION: `input.add.statuses[1]` is `add[1]`). Null when the error names no field (a
 * registry's refusal of the change itself) or one that is no argument of the mutation, and for an
 * item-level field of a job submitted without a list (nothing to point at).
 */
export function itemErrorField(kind: BulkKind, position: number, field: string | undefined, listed: boolean): string | null {
  if (!field) return null;
  const rule = FROM_OPERATION[kind].find(([path]) => under(field, path));
  const path = rule ? `${rule[1]}${rule[2] ? field.slice(rule[0].length) : ''}` : field;
  if (ITEM_FIELDS[path]?.has(kind)) {
    if (!listed) return null;
    return kind === 'RENEW' || kind === 'TRANSFER' ? `domains[${position}].${path}` : `domains[${position}]`;
  }
  const head = /^[A-Za-z]*/.exec(path)![0];
  return head !== 'domains' && ARGUMENTS[kind].has(head) ? path : null;
}

/** What a finished item keeps: the operation's record, or `skipped` when the domain did not need the change. */
export type ItemRecord = (TransactionRecord & Record<string, unknown>) | { skipped: string };

const EMPTY = { statuses: [], contacts: [], nameservers: [] };

/**
 * The arguments of the command an item of a `kind` job sends for the domain `name`, in the widest
 * form the job's parameters (`params`, BulkParams) and the item's own `input` give it, for the
 * backend's argument rules (RegistryPort.refuseArguments) at submission (src/bulk/submit.ts):
 * - TRANSFER: the request with the item's auth code (`domain:transfer:request`);
 * - REPLACE_NAMESERVER: an update adding `to` (with its addresses) and removing `from`; the item
 *   adds `to` only where the domain lacks it, and removes `from` as the domain holds it (runItem):
 *   what the domain holds is the registry's to tell when the item runs;
 * - REPLACE_TECH_CONTACT: an update adding tech contact `to` and removing tech contact `from`;
 * - UPDATE_STATUSES: the update adding `add` and removing `remove`, as every item sends it;
 * - RENEW: null (a renewal's command has no argument rules; its period is checked apart,
 *   RegistryPort.checkPeriod).
 * Pure: reads and sends nothing.
 */
export function itemArguments(kind: BulkKind, params: unknown, name: string, input: ItemInput): CommandArguments | null {
  switch (kind) {
    case 'RENEW':
      return null;
    case 'TRANSFER':
      return { command: 'domain:transfer:request', input: { name, authInfo: input.authInfo ?? null } };
    case 'REPLACE_NAMESERVER': {
      const { from, to } = params as BulkParams['REPLACE_NAMESERVER'];
      return { command: 'domain:update', input: { name, add: { ...EMPTY, nameservers: [to] }, remove: { ...EMPTY, nameservers: [{ name: from, ipv4: [], ipv6: [] }] } } };
    }
    case 'REPLACE_TECH_CONTACT': {
      const { from, to } = params as BulkParams['REPLACE_TECH_CONTACT'];
      return { command: 'domain:update', input: { name, add: { ...EMPTY, contacts: [{ role: 'tech', id: to }] }, remove: { ...EMPTY, contacts: [{ role: 'tech', id: from }] } } };
    }
    case 'UPDATE_STATUSES': {
      const { add, remove } = params as BulkParams['UPDATE_STATUSES'];
      return { command: 'domain:update', input: { name, add: { ...EMPTY, statuses: add }, remove: { ...EMPTY, statuses: remove } } };
    }
  }
}

/**
 * Reads a domain a replacement is about to change. A registry shows another registrar's domain
 * without its name servers and contacts, which would read as "does not have `from`": such an item
 * fails as the update would (and as REPP's native path does, src/bulk/native-replace.ts), not skipped.
 * A name no registry can hold (an item of a job stored before submission refused them) fails as the
 * update would too (Router.forRegistrable, naming the item), without the read; a domain the registry
 * does not hold (2303, ObjectNotFoundError) names the item's domain (`input.name`, namingNotFound).
 */
async function readOwn(env: OperationEnv, actor: Actor, name: string) {
  const port = env.router.forRegistrable(name, 'name');
  // The read is of the item's domain alone: its 2303 is the item's `domains[i]` (itemErrorField), as an update's would be.
  const current = await port.infoDomain(callOf(actor), name).catch((e: unknown) => {
    throw namingNotFound(e, [], 'input.name');
  });
  if (current.data.sponsor !== port.upstreamId(actor.registrarId)) throw new AuthorizationError('the domain is sponsored by another registrar: the registry leaves it alone');
  return current;
}

/**
 * An update's record as the item keeps it: `skipped` when nothing was sent because the domain
 * already was as asked (TransactionRecord.unchanged: Joker's "nothing to change"), as a
 * replacement the domain does not need is skipped.
 */
function updated(r: TransactionRecord & { name: string }): ItemRecord {
  return r.unchanged ? { skipped: 'the domain already is as the job asks: nothing was sent' } : r;
}

/**
 * A replacement's item whose domain no longer has `from` but has `to`, when an earlier attempt of
 * the item may have sent the update (`sentSince`: RunItemOptions): that attempt's answer was lost
 * (the process stopped, or no answer came), so the domain may be as it is because of it. When the
 * registry last changed the domain (`updatedAt`, EPP upDate) at or after `sentSince`, the item is
 * reported as changed, reconciled as a renewal taken back in doubt is (IdempotencyService
 * runInDoubt: clTRID `reconciled:<key>`, "no answer was kept for this key; reconciled: ..."), not as
 * `skipped`, which says nothing was sent. A domain without `to`, never modified, or last modified
 * before `sentSince` was not changed by the job: skipped, as on a first attempt.
 */
function changedEarlier(actor: Actor, name: string, current: { updatedAt?: Date | null }, sentSince: Date | null | undefined, hasTo: boolean, how: string): ItemRecord | null {
  // No updatedAt: never modified (RFC 5731 section 3.1.2: upDate "MUST NOT be present if the object has never been modified").
  if (!sentSince || !hasTo || !current.updatedAt || current.updatedAt.getTime() < sentSince.getTime()) return null;
  return { trid: { client: `reconciled:${actor.idempotencyKey}`, server: null }, code: 1000, message: `no answer was kept for this key; reconciled: ${how}`, name };
}

/**
 * A replacement's update of a domain just read (readOwn), which holds what the update removes
 * (`from`): when it also adds the job's `to` (`added`: that object's input path, else null), a
 * registry's "object does not exist" (2303, ObjectNotFoundError: a host or contact the registry
 * does not hold, RFC 5730 section 3) can only be about `to`, so the error names it there
 * (`input.add.contacts[0]`, which itemErrorField turns into the job's `to`), as other item errors
 * name their field. Any other error is thrown as it is.
 */
async function updateAdding(env: OperationEnv, actor: Actor, input: Parameters<typeof updateDomain>[2], added: string | null) {
  try {
    return (await updateDomain(env, actor, input)).result;
  } catch (e) {
    if (added && e instanceof ObjectNotFoundError && !e.details.field) throw new ObjectNotFoundError(e.message, { ...e.details, field: added });
    throw e;
  }
}

/** runItem's options. */
export interface RunItemOptions {
  /**
   * An earlier attempt of the item may have sent its command, from this time on (the job's
   * creation, less the registries' clock skew); absent or null on the item's first attempt.
   */
  sentSince?: Date | null;
}

/**
 * Runs one item of a `kind` job for `name` as `actor` (whose key is the item's), its commands
 * logged under the job's mutation (BULK_OPERATIONS) as background work (CallContext.background).
 * Throws what the operation throws.
 */
export async function runItem(env: OperationEnv, itemActor: Actor, kind: BulkKind, params: unknown, name: string, input: ItemInput, opts: RunItemOptions = {}): Promise<ItemRecord> {
  // Nobody waits on an item interactively: a query sent meanwhile gets the backend's next free connection first (CallContext.background).
  const actor: Actor = { ...itemActor, cause: BULK_OPERATIONS[kind], background: true };
  switch (kind) {
    case 'RENEW': {
      const { period } = params as BulkParams['RENEW'];
      const currentExpiry = input.currentExpiry ? new Date(input.currentExpiry) : null;
      return (await renewDomain(env, actor, { name, period, currentExpiry }, 'period', 'currentExpiry')).result;
    }
    case 'TRANSFER': {
      const { period } = params as BulkParams['TRANSFER'];
      return (await transferDomain(env, actor, 'request', { name, authInfo: input.authInfo ?? null, period })).result as unknown as ItemRecord;
    }
    case 'REPLACE_NAMESERVER': {
      const { from, to } = params as BulkParams['REPLACE_NAMESERVER'];
      const current = await readOwn(env, actor, name);
      const old = current.data.nameservers.find((ns) => ns.name === from);
      const hasTo = current.data.nameservers.some((ns) => ns.name === to.name);
      if (!old) return changedEarlier(actor, name, current.data, opts.sentSince, hasTo, `domain:info shows ${to.name} in place of ${from}`) ?? { skipped: `${from} is not a name server of the domain` };
      const add = hasTo ? [] : [to];
      return updated(await updateAdding(env, actor, { name, add: { ...EMPTY, nameservers: add }, remove: { ...EMPTY, nameservers: [old] } }, add.length > 0 ? 'input.add.nameservers[0]' : null));
    }
    case 'REPLACE_TECH_CONTACT': {
      const { from, to } = params as BulkParams['REPLACE_TECH_CONTACT'];
      const current = await readOwn(env, actor, name);
      const hasTo = current.data.contacts.some((c) => c.role === 'tech' && c.id === to);
      if (!current.data.contacts.some((c) => c.role === 'tech' && c.id === from)) {
        return changedEarlier(actor, name, current.data, opts.sentSince, hasTo, `domain:info shows the tech contact ${to} in place of ${from}`) ?? { skipped: `${from} is not a tech contact of the domain` };
      }
      const add = hasTo ? [] : [{ role: 'tech' as const, id: to }];
      return updated(await updateAdding(env, actor, { name, add: { ...EMPTY, contacts: add }, remove: { ...EMPTY, contacts: [{ role: 'tech', id: from }] } }, add.length > 0 ? 'input.add.contacts[0]' : null));
    }
    case 'UPDATE_STATUSES': {
      const { add, remove } = params as BulkParams['UPDATE_STATUSES'];
      return updated((await updateDomain(env, actor, { name, add: { ...EMPTY, statuses: add }, remove: { ...EMPTY, statuses: remove } })).result);
    }
  }
}
