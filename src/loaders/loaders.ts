import DataLoader from 'dataloader';
import { ObjectNotFoundError } from '../core/errors.js';
import type { CallContext, Contact, Domain, Host } from '../core/model/index.js';
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
 * One loader per object kind per request: repeated reads of the same object cost one upstream
 * command, and reads of many objects are grouped by backend and issued together, so they
 * spread over the backend's session pool instead of queueing one behind another.
 * A missing object resolves to null (GraphQL null), other errors reject that key only.
 */
function makeLoader<T>(
  router: Router,
  fetch: (backend: RegistryPort, name: string) => Promise<T>,
  maxBatchSize: number,
): DataLoader<ObjectKey, (T & { registry: string }) | null, string> {
  return new DataLoader<ObjectKey, (T & { registry: string }) | null, string>(
    async (keys) => {
      const byBackend = new Map<string, number[]>();
      keys.forEach((k, i) => byBackend.set(k.registry, [...(byBackend.get(k.registry) ?? []), i]));
      const out: Array<(T & { registry: string }) | null | Error> = new Array(keys.length);
      await Promise.all(
        [...byBackend].map(async ([registry, idxs]) => {
          const backend = router.named(registry);
          await Promise.all(
            idxs.map(async (i) => {
              try {
                out[i] = { ...(await fetch(backend, keys[i]!.name)), registry };
              } catch (err) {
                out[i] = err instanceof ObjectNotFoundError ? null : (err as Error);
              }
            }),
          );
        }),
      );
      return out;
    },
    { cacheKeyFn: keyOf, maxBatchSize },
  );
}

export function createLoaders(router: Router, call: CallContext, maxBatchSize = 100) {
  return {
    domain: makeLoader<Domain>(router, async (b, name) => (await b.infoDomain(call, name)).data, maxBatchSize),
    host: makeLoader<Host>(router, async (b, name) => (await b.infoHost(call, name)).data, maxBatchSize),
    contact: makeLoader<Contact>(router, async (b, id) => (await b.infoContact(call, id)).data, maxBatchSize),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
