import DataLoader from 'dataloader';
import { CommandSyntaxError, NotPendingTransferError, ObjectNotFoundError } from '../core/errors.js';
import type { CallContext, Contact, Domain, Host, Transfer } from '../core/model/index.js';
import type { RegistryPort } from '../core/port.js';
import type { Router } from '../routing/router.js';

/** A domain as the GraphQL layer passes it around: the neutral model plus where it lives. */
export type DomainNode = Domain & { registry: string };
export type HostNode = Host & { registry: string };
export type ContactNode = Contact & { registry: string };

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
 * that key only.
 */
function makeLoader<T>(router: Router, fetch: (backend: RegistryPort, name: string) => Promise<T | null>): DataLoader<ObjectKey, (T & { registry: string }) | null, string> {
  return new DataLoader<ObjectKey, (T & { registry: string }) | null, string>(
    (keys) =>
      Promise.all(
        keys.map(async (k) => {
          try {
            const value = await fetch(router.named(k.registry), k.name);
            return value === null ? null : { ...value, registry: k.registry };
          } catch (err) {
            return err instanceof ObjectNotFoundError ? null : (err as Error);
          }
        }),
      ),
    { cacheKeyFn: keyOf },
  );
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

export function createLoaders(router: Router, call: CallContext) {
  return {
    domain: makeLoader<Domain>(router, async (b, name) => (await b.infoDomain(call, name)).data),
    host: makeLoader<Host>(router, async (b, name) => (await b.infoHost(call, name)).data),
    contact: makeLoader<Contact>(router, async (b, id) => (await b.infoContact(call, id)).data),
    /** The latest transfer of a domain as the caller may see it without an auth code (null: none). */
    transfer: makeLoader<Transfer>(router, (b, name) => queryTransfer(b, call, name)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
