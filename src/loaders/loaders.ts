import DataLoader from 'dataloader';
import { CommandSyntaxError, NotPendingTransferError, ObjectNotFoundError, RegistryNotConfiguredError, UnsupportedByBackendError } from '../core/errors.js';
import type { AccountStatus, CallContext, Contact, Domain, Host, Transfer } from '../core/model/index.js';
import type { RegistryPort } from '../core/port.js';
import type { Router } from '../routing/router.js';
import { sponsoredByAnother } from '../domains/own-domains.js';
import { BatchOutages } from '../fanout/outages.js';

/** A domain as the GraphQL layer passes it around: the neutral model plus where it lives. */
export type DomainNode = Domain & { registry: string };
/** A host as the GraphQL layer passes it around: the neutral model plus the backend name it was read from. */
export type HostNode = Host & { registry: string };
/** A contact as the GraphQL layer passes it around: the neutral model plus the backend name it was read from. */
export type ContactNode = Contact & { registry: string };

/** What a loader is keyed by: the backend's name and the object's name (a domain or host in lower-case A-labels, or a contact id). */
export interface ObjectKey {
  registry: string;
  name: string;
}

const keyOf = (k: ObjectKey) => `${k.registry}\u0000${k.name}`;

/**
 * One loader per object kind per request, behind every field that reads an upstream object:
 * repeated reads of one object cost one upstream command however the query nests them (200
 * domains sharing 10 contacts: 10 contact infos), and the reads of a batch go out together. The
 * request's scheduler (CallContext.scheduler, src/fanout/scheduler.ts) lets at most the request's
 * fan-out budget of them run at one backend at once, so a batch of 500 is never refused by the
 * session pool's queue. A missing object resolves to null (GraphQL null); other errors reject
 * that key only. Once a read of the batch finds its registry unavailable (rate limit spent, not
 * reachable, login refused: src/fanout/outages.ts), the batch's reads at that registry not yet
 * sent reject with that same error instead of being sent.
 */
function makeLoader<T>(router: Router, call: CallContext, fetch: (backend: RegistryPort, name: string, call: CallContext) => Promise<T | null>): DataLoader<ObjectKey, (T & { registry: string }) | null, string> {
  return new DataLoader<ObjectKey, (T & { registry: string }) | null, string>(
    (keys) => {
      const batch = batchCall(call, true);
      return Promise.all(
        keys.map(async (k) => {
          // A registry the config no longer has can only come from what the gateway stored (the domain index).
          if (!router.has(k.registry)) return new RegistryNotConfiguredError(k.registry);
          try {
            const value = await fetch(router.named(k.registry), k.name, batch);
            return value === null ? null : { ...value, registry: k.registry };
          } catch (err) {
            return err instanceof ObjectNotFoundError ? null : (err as Error);
          }
        }),
      );
    },
    { cacheKeyFn: keyOf },
  );
}

/**
 * The context of one loader batch: a registry found unavailable by one of its reads is not asked
 * again by the others (BatchOutages); with `shareReads`, its reads may share a registry read
 * (CallContext.readBatch).
 */
function batchCall(call: CallContext, shareReads: boolean): CallContext {
  return { ...call, ...(shareReads ? { readBatch: {} } : {}), scheduler: new BatchOutages(call.scheduler) };
}

/**
 * The latest transfer of a domain, or null when it has had none. For a transfer query EPP
 * answers 2002 ("Object has no transfer history", Nomulus DomainTransferQueryFlow) when there is
 * nothing to report; some registries answer 2301 (not pending) or 2303 instead.
 */
export async function queryTransfer(backend: RegistryPort, call: CallContext, name: string, authInfo?: string | null): Promise<Transfer | null> {
  try {
    return (await backend.transferDomain(call, 'query', name, { authInfo })).data;
  } catch (err) {
    if (err instanceof NotPendingTransferError || err instanceof ObjectNotFoundError) return null;
    if (err instanceof CommandSyntaxError && err.details.upstreamCode === 2002) return null;
    throw err;
  }
}

/** Contacts per page of a registry's contact list (the REPP document's default `limit`). */
export const CONTACT_LIST_PAGE = 200;
/** Most pages of the contact list one batch reads (and keeps in the request's loader): 1,000 contacts. */
export const CONTACT_LIST_MAX_PAGES = 5;

/**
 * The contact loader. Where the registry's contact list carries the contacts (capability
 * contactList: REPP `details=true`), a batch of two or more contacts at that registry reads the
 * list, page by page while the pages left are fewer than the contacts still missing (and at most
 * CONTACT_LIST_MAX_PAGES), and primes every listed contact into the loader, so later batches of
 * the request (a domain's contacts after its registrant) cost nothing more: 200 domains sharing
 * 10 contacts cost one list request instead of 10 infos. Contacts the list did not have (another
 * registrar's, a list read that failed, a list too long to read whole) are read one info each, as
 * every contact is at other registries. A missing contact resolves to null; so does one another
 * registrar sponsors (own-domains.ts sponsoredByAnother: its name, address, e-mail and phone are
 * personal data its registrar holds; RFC 5733 section 3.1.2 lets a registry limit what a client
 * that is not the sponsor sees, REPP shows it to its sponsor only, and the Joker driver answers
 * another reseller's handle as null), on every backend, the EPP registry that answers it in full
 * (Nomulus) included. Other errors reject that key only.
 */
function makeContactLoader(router: Router, call: CallContext): DataLoader<ObjectKey, ContactNode | null, string> {
  const info = async (call: CallContext, k: ObjectKey): Promise<ContactNode | null | Error> => {
    try {
      const c = (await router.named(k.registry).infoContact(call, k.name)).data;
      // Another registrar's contact is null, as REPP (only its sponsor reads it) and Joker answer it.
      return sponsoredByAnother(router, call.registrarId, k.registry, c) ? null : { ...c, registry: k.registry };
    } catch (err) {
      return err instanceof ObjectNotFoundError ? null : (err as Error);
    }
  };
  const fromList = async (call: CallContext, registry: string, keys: readonly ObjectKey[]): Promise<Map<string, ContactNode>> => {
    const found = new Map<string, ContactNode>();
    const backend = router.named(registry);
    if (keys.length < 2 || !backend.hasAccount(call.registrarId)) return found;
    try {
      if (!(await backend.capabilities(call)).contactList) return found;
      const wanted = new Set(keys.map((k) => k.name));
      for (let page = 0; page < CONTACT_LIST_MAX_PAGES; page++) {
        const { data } = await backend.listContacts(call, { limit: CONTACT_LIST_PAGE, offset: page * CONTACT_LIST_PAGE });
        for (const c of data.contacts) {
          const node = { ...c, registry };
          found.set(c.id, node);
          loader.prime({ registry, name: c.id }, node);
        }
        const missing = [...wanted].filter((id) => !found.has(id)).length;
        const pagesLeft = Math.ceil(data.total / CONTACT_LIST_PAGE) - page - 1;
        if (missing === 0 || pagesLeft <= 0 || data.contacts.length === 0 || pagesLeft >= missing) break;
      }
    } catch {
      // The list could not be read: each contact is read by itself below.
    }
    return found;
  };
  const loader: DataLoader<ObjectKey, ContactNode | null, string> = new DataLoader<ObjectKey, ContactNode | null, string>(
    async (keys) => {
      const batch = batchCall(call, false);
      const byRegistry = new Map<string, ObjectKey[]>();
      for (const k of keys) byRegistry.set(k.registry, [...(byRegistry.get(k.registry) ?? []), k]);
      const listed = new Map<string, Map<string, ContactNode>>();
      await Promise.all([...byRegistry].map(async ([registry, ks]) => listed.set(registry, await fromList(batch, registry, ks))));
      return Promise.all(keys.map((k) => listed.get(k.registry)?.get(k.name) ?? info(batch, k)));
    },
    { cacheKeyFn: keyOf },
  );
  return loader;
}

/**
 * What each registry says about the viewer's account (HeadlessDomains GET /status), by backend
 * name: one upstream read per account per request, however many aliases ask for
 * `RegistryAccount.status`; null for a registry without such a command (UNSUPPORTED_BY_BACKEND);
 * another error rejects that account only.
 */
function makeAccountStatusLoader(router: Router, call: CallContext): DataLoader<string, AccountStatus | null> {
  return new DataLoader<string, AccountStatus | null>((registries) =>
    Promise.all(
      registries.map((registry) =>
        Promise.resolve().then(() => router.named(registry).accountStatus(call)).then(
          (r) => r.data,
          (err: unknown) => (err instanceof UnsupportedByBackendError ? null : (err as Error)),
        ),
      ),
    ),
  );
}

/**
 * The request's DataLoaders (see above), one per kind: domain, host and contact info, the latest
 * transfer, the account status (null where the backend has none). A missing object loads as null.
 */
export function createLoaders(router: Router, call: CallContext) {
  return {
    domain: makeLoader<Domain>(router, call, async (b, name, c) => (await b.infoDomain(c, name)).data),
    host: makeLoader<Host>(router, call, async (b, name, c) => (await b.infoHost(c, name)).data),
    contact: makeContactLoader(router, call),
    /** The latest transfer of a domain as the caller may see it without an auth code (null: none). */
    transfer: makeLoader<Transfer>(router, call, (b, name, c) => queryTransfer(b, c, name)),
    accountStatus: makeAccountStatusLoader(router, call),
  };
}

/** The loaders of one request (createLoaders). */
export type Loaders = ReturnType<typeof createLoaders>;
