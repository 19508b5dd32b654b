/**
 * Submitting a bulk job: every item is checked (names, registries, capabilities, duplicates, what
 * its backend cannot send in the job's arguments) before anything is written or sent, then the job and all its items are written in one
 * transaction and the job is answered at once; the runner (src/bulk/runner.ts) does the rest.
 * The job's idempotency key works as a single mutation's does: the same key with the same
 * request answers the same job, with another request IDEMPOTENCY_KEY_REUSED.
 */
import { DatabaseUnavailableError, GatewayError, ObjectNotFoundError, quoted, RegistryNotConfiguredError, UnsupportedByBackendError, ValidationError } from '../core/errors.js';
import type { RegistryPort } from '../core/port.js';
import type { BulkJob } from '../db/generated/client.js';
import { isDatabaseUnavailable, isUniqueViolation } from '../db/errors.js';
import { DomainIndex } from '../domains/domain-index.js';
import { syncRegistryLists } from '../domains/registry-lists.js';
import type { Fingerprints } from '../idempotency/fingerprint.js';
import { IdempotencyKeyReusedError } from '../idempotency/errors.js';
import type { Logger } from '../logger.js';
import { callOf, type Actor, type OperationEnv } from '../operations/run.js';
import { liveCapabilities, localCapabilities, refuseLocally, type CapabilitySource } from '../operations/checks.js';
import { CapabilityNotKnownLocally } from '../core/capabilities.js';
import type { Router } from '../routing/router.js';
import { transferPeriodForms } from '../operations/transfer/transfer-domain.js';
import type { Period } from '../core/model/index.js';
import { checkPeriodUnit } from '../validation/values.js';
import { checkTransferPeriod } from '../operations/transfer/transfer-domain.js';
import { normalizeDomainNames } from '../validation/names.js';
import { itemArguments, itemErrorField, type BulkKind, type BulkParams } from './kinds.js';
import type { Sealer } from './seal.js';
import type { BulkLimits, BulkStore } from './store.js';

/** One domain of a request, checked: its name, and per-item arguments (a secret still in clear). */
export interface RequestItem {
  name: string;
  /** ISO 8601 (Date.toISOString): what the item stores, and what the job's fingerprint holds for a Date. */
  currentExpiry?: string | null;
  authInfo?: string | null;
}

/** A bulk mutation's job as submitted: its kind (BulkKind), the kind's job-wide parameters (period, name servers, contact, statuses) and its items (input order; `domains[i]` in errors). */
export interface BulkRequest<K extends BulkKind = BulkKind> {
  kind: K;
  params: BulkParams[K];
  /** null: every domain of the registrar (REPLACE_NAMESERVER, REPLACE_TECH_CONTACT). */
  items: RequestItem[] | null;
}

/** What submitting a job needs: the operations' environment (router, backends), the job store, the sealer of auth codes (an item's authInfo is stored sealed), the idempotency fingerprints, the logger and the bulk limits (bulk.maxItems, maxOpenJobs, maxPendingItems). */
export interface SubmitDeps {
  env: OperationEnv;
  store: BulkStore;
  sealer: Sealer;
  fingerprints: Fingerprints;
  logger: Logger;
  maxItems: number;
  /** The registrar's bulk limits, checked as the job is written (BulkLimitError, nothing written). */
  limits?: BulkLimits;
  /** Told when a job was written (the local runner starts at once). */
  onSubmitted?: (job: BulkJob) => void;
}

/**
 * Names as a request gives them, normalised, each at most once: the normalised names in the
 * request's order. Every error about one name is named by `nameField(i)` (`domains[3].name` for
 * a list of items, `domains[3]` for a list of names), a duplicate's too ("is listed twice (also
 * domains[0].name)"); the first name refused is the error. The field of an item is spelled only
 * for its error. The names are checked in slices that let other requests run between them
 * (normalizeDomainNames: 20,000 IDNs are seconds of IDNA checks); it resolves once all are.
 */
export async function checkItemNames(field: string, names: readonly string[], maxItems: number, nameField = (i: number) => `${field}[${i}].name`): Promise<string[]> {
  if (names.length === 0) throw new ValidationError(field, 'give at least one domain');
  if (names.length > maxItems) throw new ValidationError(field, `at most ${maxItems} domains in one job`);
  const seen = new Map<string, number>();
  return normalizeDomainNames(names, nameField, (name, i) => {
    const first = seen.get(name);
    if (first !== undefined) throw new ValidationError(nameField(i), `is listed twice (also ${nameField(first)})`);
    seen.set(name, i);
  });
}

/** How a request's errors name its i-th domain: the `name` of an item (bulkRenew, bulkTransfer), else the list's entry. */
export function itemField(kind: BulkKind, i: number): string {
  return kind === 'RENEW' || kind === 'TRANSFER' ? `domains[${i}].name` : `domains[${i}]`;
}

/**
 * Date -> its ISO form, remembering the last one converted: a job's items mostly share a few
 * expiry dates (a portfolio renewed before one price change), and each conversion costs a microsecond.
 */
export function isoDates(): (d: Date | null | undefined) => string | null {
  let time = NaN;
  let iso = '';
  return (d) => {
    if (!d) return null;
    const t = d.getTime();
    if (t !== time) {
      iso = d.toISOString();
      time = t;
    }
    return iso;
  };
}

/** One of the registrar's own domains for a job over every domain: its name and the registry the index records it at. */
interface IndexedItem extends RequestItem {
  recordedAt: string;
}

/** The registrar's domains (its registries' own lists where they have one, else the gateway's index), each with the registry the index records it at. */
async function allDomains(deps: SubmitDeps, actor: Actor): Promise<IndexedItem[]> {
  const { registrarId } = actor;
  const index = new DomainIndex(deps.env.prisma);
  await syncRegistryLists(index, deps.env.router.backends(), callOf(actor), deps.logger);
  const rows = await deps.env.prisma.domainIndex.findMany({ where: { registrarId }, orderBy: { name: 'asc' }, select: { name: true, backend: true } });
  if (rows.length === 0) throw new ValidationError('domains', 'the registrar has no domains; list the domains to change');
  if (rows.length > deps.maxItems) throw new ValidationError('domains', `the registrar has more than ${deps.maxItems} domains: list at most that many per job`);
  return rows.map((r) => ({ name: r.name, recordedAt: r.backend }));
}

/** An item routed to its backend; `refused`: why it cannot run there (a job over every domain only: see routeIndexed). */
type RoutedItem = RequestItem & { backend: string; refused?: GatewayError };

/**
 * A job over every domain's items, each to the registry the index records it at, where `domains`
 * reads it (src/loaders/loaders.ts), not to where its name would route now (the two differ only
 * after a config change moved its zone). A domain recorded at a registry the config no longer has
 * is `refused` (RegistryNotConfiguredError, UNKNOWN_TLD naming the registry): it becomes an item
 * FAILED as the job is written, nothing sent, and the job's other domains run (README "Bulk
 * mutations"); before, one such domain refused the whole job.
 */
function routeIndexed(router: Router, items: readonly IndexedItem[]): RoutedItem[] {
  return items.map((it) => ({ name: it.name, backend: it.recordedAt, ...(router.has(it.recordedAt) ? {} : { refused: new RegistryNotConfiguredError(it.recordedAt) }) }));
}

/**
 * A listed job's items, each with the backend its name routes to (UnknownTldError naming the
 * item, itemField), of every kind: a name that cannot be registered where it routes
 * (Router.forRegistrable: more than one label below its zone) is no domain to renew, change or
 * transfer, so it is BAD_USER_INPUT naming the item (`domains[i].name`, `domains[i]`) before
 * anything is written. Both depend only on the labels after a name's first (Router.forDomain tries
 * the longest suffix first, and a zone is such a suffix), so the router is asked once per suffix,
 * and the other names under it only the registry's own rule (Router.registrableAt: the .ee letter set).
 */
function route(router: Router, items: RequestItem[], kind: BulkKind): RoutedItem[] {
  const bySuffix = new Map<string, RegistryPort>();
  return items.map((it, i) => {
    const suffix = it.name.slice(it.name.indexOf('.') + 1);
    const routed = bySuffix.get(suffix);
    let backend: RegistryPort;
    if (routed) backend = router.registrableAt(it.name, routed, itemField(kind, i));
    else bySuffix.set(suffix, (backend = router.forRegistrable(it.name, itemField(kind, i))));
    return { name: it.name, currentExpiry: it.currentExpiry, authInfo: it.authInfo, backend: backend.name };
  });
}

/**
 * How a refusal about one registry names the job's domains it is about, so that they can be found
 * in a long mixed list: the first one (its place in the request's list and its name, quoted: at
 * most 32 characters) and how many more, `domains[2] "ee-name.ee" and 14 more`; for a job over the
 * registrar's own domains (no list) the name alone. `at`: their positions in `routed`, in order (at
 * least one).
 */
export function registryDomains(routed: readonly { name: string }[], at: readonly number[], listed: boolean): string {
  const first = at[0]!;
  const more = at.length > 1 ? ` and ${at.length - 1} more` : '';
  return `${listed ? `domains[${first}] ` : ''}${quoted(routed[first]!.name)}${more}`;
}

/** The positions in `routed` of each backend's items, in the order of each backend's first item (one pass: linear in the items). */
function byBackendOf(routed: readonly { backend: string }[]): Map<string, number[]> {
  const byBackend = new Map<string, number[]>();
  routed.forEach((r, i) => {
    const at = byBackend.get(r.backend);
    if (at) at.push(i);
    else byBackend.set(r.backend, [i]);
  });
  return byBackend;
}

/**
 * What a backend of the job cannot send in the command its items send, for the job's arguments
 * (RegistryPort.refuseArguments over itemArguments, src/bulk/kinds.ts: Joker's statuses other than
 * the transfer lock and name server addresses, a Joker transfer from an account without its
 * transferContact; REPP's statuses other than clientHold; HeadlessDomains' statuses other than
 * clientHold and clientTransferProhibited and glue), found before anything is written or sent
 * instead of failing every item of that backend when it runs. Asked once per backend (grouped in
 * one pass: bounded for bulk.maxItems items), with its first domain: the job's parameters are the
 * same for all its items, and the one per-item argument a rule reads, a transfer's auth code, is
 * non-blank for every item (the mutation checks it), so the first item's stands for all. The
 * rules of the commands a bulk job sends read nothing of the name but what routes it (Joker's
 * DNSSEC on .de has no bulk argument), but one: a replacement name server under a domain of the
 * job (REPP wants its addresses: checkSubordinateAddresses), asked again with that domain's item.
 *
 * A refusal refuses the whole submission, even when only some of the job's domains are at that
 * backend (README "Bulk mutations": bad input is refused before any write, never half-written):
 * the error keeps its code (UNSUPPORTED_BY_BACKEND, or BAD_USER_INPUT where the registry requires
 * a value), names the bulk mutation's own argument (`add[0]`, `remove[1]`, `to.ipv4`,
 * an item's `domains[3].authInfo`: itemErrorField; the backend's first domain, `domains[3].name`
 * or `domains[3]`, when the refusal names no argument) and the registry (extensions.registry, and
 * in the message with that backend's first domain and how many more: registryDomains). What
 * depends on a domain's state at the registry (the name servers it keeps) stays the item's to
 * meet when it runs. Throws ForbiddenError when the registrar has no account at a backend. Sends
 * and reads nothing.
 */
export function refuseBackendArguments(router: Router, registrarId: string, req: BulkRequest, routed: readonly (RequestItem & { backend: string })[], listed: boolean): void {
  if (req.kind === 'RENEW') return; // a renewal's command has no argument rules (itemArguments)
  // The one rule that reads the domain's name: a replacement name server under the domain itself
  // (REPP wants its addresses then). Only the item whose domain holds `to` can meet it.
  const to = req.kind === 'REPLACE_NAMESERVER' ? (req.params as { to?: { name?: string } }).to?.name : undefined;
  for (const [name, at] of byBackendOf(routed)) {
    const first = at[0]!;
    const parent = to ? at.find((i) => to === routed[i]!.name || to.endsWith(`.${routed[i]!.name}`)) : undefined;
    for (const i of parent !== undefined && parent !== first ? [first, parent] : [first]) {
      const args = itemArguments(req.kind, req.params, routed[i]!.name, routed[i]!);
      if (!args) continue;
      try {
        router.named(name).refuseArguments(registrarId, args);
      } catch (err) {
        throw asBulkArgument(err, req.kind, i, listed, name, i === first ? registryDomains(routed, at, listed) : registryDomains(routed, [i], listed));
      }
    }
  }
}

/**
 * A refusal by a backend's argument rules of the command built for the item at `position`, as the
 * bulk submission's error: the same code, `field` the bulk mutation's argument (itemErrorField over
 * the refusal's details.field; the item itself, or `domains` for a job over every domain, when it
 * names none), the registry and `which` of its domains in the message. Rebuilt from the refusal's
 * own parts (UnsupportedByBackendError.what, ValidationError.reason), never by cutting its
 * message: a refusal that already names domains, or whose text starts like a field, keeps its
 * meaning. Any other error is answered as it is.
 */
function asBulkArgument(err: unknown, kind: BulkKind, position: number, listed: boolean, backend: string, which: string): unknown {
  if (!(err instanceof GatewayError)) return err;
  const field = itemErrorField(kind, position, err.details.field, listed) ?? (listed ? itemField(kind, position) : 'domains');
  if (err instanceof UnsupportedByBackendError) return new UnsupportedByBackendError(err.details.backend ?? backend, err.what, field, which);
  if (err instanceof ValidationError) return new ValidationError(field, `${err.reason} at registry "${backend}" (${which})`, backend);
  return err;
}

/**
 * What each backend of the job must offer, checked once per backend (in the order of their first
 * domain in the list) before anything is written: the period's unit (capabilities.periodUnits), a
 * transfer's period, a renewal's period against the registry's own rule (RegistryPort.checkPeriod:
 * REPP 3, 6 or 9 months or whole years; Joker whole years outside its monthly TLDs; asked once per
 * TLD: the rules depend on nothing else), contact objects for a tech-contact replacement
 * (checkContactObjects, after the others). A period
 * refusal is BAD_USER_INPUT (UNSUPPORTED_BY_BACKEND for a transfer period) naming `period` and the
 * registry (extensions.registry), with the first domain of the list it applies to and how many
 * more (registryDomains); a listed domain at a registry without contact objects is named by its
 * place in the list (the first such one). `caps`: where each backend's capabilities are read
 * (src/operations/checks.ts), which also refuses a backend where the registrar has no account
 * (ForbiddenError).
 */
async function checkBackends(router: Router, caps: CapabilitySource, req: BulkRequest, routed: readonly { name: string; backend: string }[], listed: boolean): Promise<void> {
  const byBackend = byBackendOf(routed);
  const period = (req.params as { period?: { value: number; unit: 'y' | 'm' } | null }).period;
  for (const [name, at] of byBackend) {
    const backend = router.named(name);
    const c = await caps(backend);
    if (period) checkPeriodUnit('period', period, c.periodUnits, name, registryDomains(routed, at, listed));
    if (period && req.kind === 'TRANSFER') checkTransferPeriod('period', period, c, name, registryDomains(routed, at, listed));
    if (period && req.kind === 'RENEW') checkRenewPeriod(backend, period, routed, at, listed);
  }
  if (req.kind === 'REPLACE_TECH_CONTACT') await checkContactObjects(router, caps, byBackend, routed);
}

/**
 * A tech-contact replacement's listed domains at a registry without contact objects: the first
 * such domain is refused (BAD_USER_INPUT naming its place, `domains[i]`), in two passes so that the
 * document pre-pass (localCapabilities, which cannot read an EPP registry's greeting) and the
 * field's own run (`caps` live) refuse the same domain: first the registries whose kind fixes the
 * answer (HeadlessDomains: none; REPP, Joker: contacts), in list order, then those only the
 * registry's greeting tells (EPP: Nomulus has none), in list order. In one pass, an EPP domain
 * listed before a HeadlessDomains one stopped the pre-pass at the greeting, so the document's other
 * mutations ran before this one was refused.
 */
async function checkContactObjects(router: Router, caps: CapabilitySource, byBackend: Map<string, number[]>, routed: readonly { name: string }[]): Promise<void> {
  const refuse = (name: string, at: number[]) => {
    const i = at[0]!;
    return new ValidationError(itemField('REPLACE_TECH_CONTACT', i), `${routed[i]!.name} is at registry ${name}, which has no contact objects (no tech contact to replace): leave its domains out`);
  };
  const local = localCapabilities(caps.registrarId);
  const greeting: [string, number[]][] = [];
  for (const [name, at] of byBackend) {
    let contacts: boolean;
    try {
      contacts = (await local(router.named(name))).contacts;
    } catch (err) {
      if (!(err instanceof CapabilityNotKnownLocally)) throw err;
      greeting.push([name, at]);
      continue;
    }
    if (!contacts) throw refuse(name, at);
  }
  for (const [name, at] of greeting) if (!(await caps(router.named(name))).contacts) throw refuse(name, at);
}

/**
 * A renewal's period against the registry's own rule for each of its domains (positions `at` of
 * `routed`), asked once per TLD: BAD_USER_INPUT naming `period` and the registry, with the first
 * refused domain and how many more of the registry's are refused, instead of a job whose items
 * the registry refuses.
 */
function checkRenewPeriod(backend: RegistryPort, period: Period, routed: readonly { name: string }[], at: readonly number[], listed: boolean): void {
  // A name's rule depends only on the labels after its first (its TLD, or a monthly TLD such as com.ee).
  const bySuffix = new Map<string, boolean>();
  const refused = at.filter((i) => {
    const name = routed[i]!.name;
    const suffix = name.slice(name.indexOf('.') + 1);
    let no = bySuffix.get(suffix);
    if (no === undefined) bySuffix.set(suffix, (no = backend.periodRefusal(name, period) !== null));
    return no;
  });
  if (refused.length > 0) backend.checkPeriod(routed[refused[0]!]!.name, period, 'period', registryDomains(routed, refused, listed));
}

/**
 * What a bulk request with a list of domains (`req.items` not null) refuses before its key is read
 * or anything written: each name's routing (route: UnknownTldError, or ValidationError for a name
 * no registry can hold, naming the item), what each backend cannot send in the job's arguments
 * (refuseBackendArguments) and what each backend must offer (checkBackends), with
 * the capabilities from `caps` (src/operations/checks.ts). Nothing for a request over the
 * registrar's own domains (no list: those are read from the database and the registries). Sends
 * nothing.
 */
export async function bulkRequestChecks(router: Router, req: BulkRequest, caps: CapabilitySource): Promise<void> {
  if (req.items === null) return;
  const routed = route(router, req.items, req.kind);
  // Needs no capability: found even where a capability only the registry can tell stops the local checks (refuseLocally).
  refuseBackendArguments(router, caps.registrarId, req, routed, true);
  await checkBackends(router, caps, req, routed, true);
}

/**
 * Every domain of the registrar, for a tech-contact replacement: those at registries without
 * contact objects (Nomulus, HeadlessDomains) have no tech contact to replace, so they are left out
 * rather than refusing the job. Throws ValidationError when none is left.
 */
async function withContacts<T extends { backend: string }>(deps: SubmitDeps, actor: Actor, routed: T[]): Promise<T[]> {
  const has = new Map<string, boolean>();
  for (const name of new Set(routed.map((r) => r.backend))) has.set(name, (await deps.env.router.named(name).capabilities(callOf(actor))).contacts);
  const kept = routed.filter((r) => has.get(r.backend));
  if (kept.length === 0) throw new ValidationError('domains', 'none of the registrar\'s domains is at a registry with contact objects');
  return kept;
}

/**
 * A tech-contact replacement's new contact (`to`) at the registries of the job, asked once per
 * registry before the job is written (RegistryPort.checkContacts: EPP contact:check, RFC 5733
 * section 3.1.1; REPP's and Joker's check likewise). Contacts are a registry's own, so a job over
 * several registries may name one that only some of them hold: the items at the others fail
 * (naming `to`) or are skipped, one by one. But a contact none of them holds (its id available to
 * create everywhere) leaves the job nothing it could do: it is refused with OBJECT_NOT_FOUND
 * naming `to` (and the registry, extensions.registry, when there is one), instead of a job whose
 * every item reads its domain and fails at the registry (2303). Whether this registrar may use a
 * contact that exists is the registry's to decide (a check says nothing of sponsorship). Other kinds: nothing.
 */
async function checkReplacementContact(deps: SubmitDeps, actor: Actor, req: BulkRequest, routed: readonly { backend: string }[]): Promise<void> {
  if (req.kind !== 'REPLACE_TECH_CONTACT') return;
  const { to } = req.params as BulkParams['REPLACE_TECH_CONTACT'];
  const call = callOf(actor);
  const names = [...new Set(routed.map((r) => r.backend))];
  if (names.length === 0) return;
  const checked = await Promise.all(names.map(async (name) => (await deps.env.router.named(name).checkContacts(call, [to])).data[0]));
  if (checked.some((c) => !c?.available)) return;
  const where = names.length === 1 ? `registry "${names[0]}"` : `any registry of the job's domains (${names.map((n) => `"${n}"`).join(', ')})`;
  throw new ObjectNotFoundError(`to: contact ${quoted(to)} does not exist at ${where}`, { field: 'to', ...(names.length === 1 ? { backend: names[0] } : {}) });
}

/**
 * What a job's fingerprint is taken over: its parameters with their defaults applied (a transfer's
 * `period` left out is the default one, src/operations/transfer/transfer-domain.ts, so
 * `bulkTransfer` without it and with `{ value: 1, unit: YEARS }` is one request; `bulkRenew`'s
 * period is defaulted by its resolver already) and its items; `sameAs`: the forms releases before
 * this one fingerprinted for the same request (a transfer's period as given), so that a job they
 * stored still answers the same request again. The job's stored `params` stay as given: its items
 * send what the request said.
 */
export function fingerprintForms(req: BulkRequest): { args: unknown; sameAs: unknown[] } {
  if (req.kind !== 'TRANSFER') return { args: { params: req.params, items: req.items }, sameAs: [] };
  const forms = transferPeriodForms('request', (req.params as BulkParams['TRANSFER']).period);
  const form = (period: Period | null) => ({ params: { ...req.params, period }, items: req.items });
  return { args: form(forms.period), sameAs: forms.sameAs.map(form) };
}

/**
 * Checks and writes a job, or answers the registrar's existing job under the same key and request.
 * Throws ValidationError (naming the field), UnsupportedByBackendError, IdempotencyKeyReusedError,
 * BulkLimitError (the registrar's open jobs or items not run yet at deps.limits; nothing written);
 * DatabaseUnavailableError (sent: false) when the database did not answer: a submission sends
 * nothing itself (the runner sends the items of a stored job), so the same key may be sent again.
 */
export async function submitBulkJob(deps: SubmitDeps, actor: Actor, req: BulkRequest): Promise<{ job: BulkJob; replayed: boolean }> {
  try {
    return await submitOrReplay(deps, actor, req);
  } catch (err) {
    throw isDatabaseUnavailable(err) ? new DatabaseUnavailableError(err, false) : err;
  }
}

async function submitOrReplay(deps: SubmitDeps, actor: Actor, req: BulkRequest): Promise<{ job: BulkJob; replayed: boolean }> {
  // What is refused without a round trip is refused before the key is read, as a single mutation's
  // routing is (and as the pre-pass of a mutation document finds it, src/limits/mutation-inputs.ts).
  await refuseLocally(actor.registrarId, (caps) => bulkRequestChecks(deps.env.router, req, caps));
  const forms = fingerprintForms(req);
  const fingerprint = deps.fingerprints.of(`bulk:${req.kind}`, forms.args);
  const existing = await deps.store.findByKey(actor.registrarId, actor.idempotencyKey);
  if (existing) return replay(existing);
  // The key of a single mutation (or of a cancelBulkJob) is that request's: IdempotencyService.run refuses a job's key likewise.
  // This read answers early; the store's insert looks again under the key's lock (src/idempotency/key-lock.ts), so a single
  // mutation sent at the same moment with the key cannot slip in between.
  const single = await deps.env.prisma.idempotencyRecord.findUnique({ where: { registrarId_idempotencyKey: { registrarId: actor.registrarId, idempotencyKey: actor.idempotencyKey } }, select: { operation: true } });
  if (single) throw new IdempotencyKeyReusedError(single.operation);
  const all: RoutedItem[] = req.items ? route(deps.env.router, req.items, req.kind) : routeIndexed(deps.env.router, await allDomains(deps, actor));
  let routed = all.filter((r) => !r.refused);
  // Not one domain it could run: the job is refused as a whole, with the first one's reason.
  const firstRefused = all[0]?.refused;
  if (routed.length === 0 && firstRefused) throw firstRefused;
  if (req.items === null && req.kind === 'REPLACE_TECH_CONTACT') routed = await withContacts(deps, actor, routed);
  // A listed job's were refused before its key (bulkRequestChecks; asked again: once per backend); a job over every domain's are known now.
  refuseBackendArguments(deps.env.router, actor.registrarId, req, routed, req.items !== null);
  await checkBackends(deps.env.router, liveCapabilities(actor), req, routed, req.items !== null);
  await checkReplacementContact(deps, actor, req, routed);
  const kept = new Set(routed);
  // Items sharing an expiry share one input object (the store writes its JSON once).
  const expiries = new Map<string, { currentExpiry: string }>();
  const inputOf = (r: RequestItem): Record<string, unknown> | null => {
    if (r.authInfo) return { authInfo: deps.sealer.seal(r.authInfo) };
    if (!r.currentExpiry) return null;
    let input = expiries.get(r.currentExpiry);
    if (!input) expiries.set(r.currentExpiry, (input = { currentExpiry: r.currentExpiry }));
    return input;
  };
  try {
    const job = await deps.store.create({
      registrarId: actor.registrarId,
      idempotencyKey: actor.idempotencyKey,
      kind: req.kind,
      fingerprint,
      // A job over every domain says so: REPP's bulk tech-contact replacement has no domain list,
      // so only such a job may go through it (src/bulk/native.ts).
      params: req.items ? req.params : { ...req.params, everyDomain: true },
      // In the registrar's order (by name), the refused among them FAILED as written.
      items: all.filter((r) => r.refused || kept.has(r)).map((r) => ({ name: r.name, backend: r.backend, input: inputOf(r), ...(r.refused ? { failed: { code: r.refused.code, message: r.refused.message, upstreamCode: null } } : {}) })),
    }, deps.limits);
    deps.onSubmitted?.(job);
    return { job, replayed: false };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const raced = await deps.store.findByKey(actor.registrarId, actor.idempotencyKey);
    if (!raced) throw err;
    return replay(raced);
  }

  function replay(job: BulkJob) {
    if (job.kind !== req.kind || !deps.fingerprints.matches(job.fingerprint, `bulk:${req.kind}`, forms.args, forms.sameAs)) throw new IdempotencyKeyReusedError(`bulk ${job.kind}`);
    return { job, replayed: true };
  }
}
