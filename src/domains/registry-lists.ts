/**
 * The `domains` connection for registries that list a registrar's domains themselves (capability
 * listDomains: REPP): before a first page is read, the registrar's entries for such a registry are
 * made the registry's own list, so names registered or transferred in outside the gateway appear
 * and names transferred away go. Registries without a list (EPP) keep the gateway's own index.
 *
 * The list is read with details (REPP `details=true`): its pages carry the domains themselves, so
 * the domains that open the page (the `keep` first names) are handed to `prime` (the request's
 * domain loader) and cost no info request each; the others are not kept, so memory stays bounded
 * by the page, whatever the portfolio.
 */
import type { CallContext, Domain } from '../core/model/index.js';
import type { RegistryPort } from '../core/port.js';
import type { Logger } from '../logger.js';
import type { DomainIndex } from './domain-index.js';

/** Names per list request (the REPP document's default limit). */
const PAGE = 200;
/** Most names read from one registry for one registrar (a bound on the work of one query). */
const MAX_NAMES = 100_000;

/** What the page being read wants from the lists: the first `keep` domains by name, each handed to `prime` with its backend's name. */
export interface ListedDomains {
  /** How many of the first names (in index order) to hand to `prime`: the page size. */
  keep: number;
  prime: (registry: string, domain: Domain) => void;
}

/**
 * Replaces the registrar's index entries of each listDomains backend with the registry's list (200
 * names a request, at most 100,000). A list cut at that bound is not the whole list: its names are
 * added and no entry is removed (one beyond the bound is not gone), with a warning. Never throws
 * for a registry: a failed list is logged (warn) and the index kept.
 */
export async function syncRegistryLists(index: DomainIndex, backends: readonly RegistryPort[], call: CallContext, logger: Logger, listed?: ListedDomains): Promise<void> {
  await Promise.all(
    backends
      .filter((b) => b.hasAccount(call.registrarId))
      .map(async (b) => {
        try {
          if (!(await b.capabilities(call)).listDomains) return void markListed(b, call.registrarId);
          const since = new Date();
          const names: string[] = [];
          const first = new FirstNames<Domain>(listed?.keep ?? 0);
          let complete = false;
          for (let offset = 0; offset < MAX_NAMES; offset += PAGE) {
            const { data } = await b.listDomains(call, { limit: PAGE, offset, details: Boolean(listed) });
            names.push(...data.names);
            for (const d of data.domains ?? []) first.offer(d.name, d);
            if (data.names.length < PAGE || names.length >= data.total) {
              complete = true;
              break;
            }
          }
          if (!complete) logger.warn({ backend: b.name, names: names.length }, 'the registry domain list is longer than the gateway reads: entries beyond it are kept, not removed');
          await index.replaceBackend(call.registrarId, b.name, names, since, { removeUnlisted: complete });
          markListed(b, call.registrarId);
          for (const d of first.values()) listed!.prime(b.name, d);
        } catch (err) {
          // The list stays as it was; the page still answers from the index.
          logger.warn({ backend: b.name, err: (err as Error).message }, 'could not read the registry domain list');
        }
      }),
  );
}

/** The registrars whose list each backend (a port of this gateway) has been read for, by this process: syncRegistryLists marks them (a backend without lists too: nothing to read). */
const listed = new WeakMap<RegistryPort, Set<string>>();

function markListed(b: RegistryPort, registrarId: string): void {
  let ids = listed.get(b);
  if (!ids) listed.set(b, (ids = new Set()));
  ids.add(registrarId);
}

/**
 * Of `backends`, those where `registrarId` has an account and this process has not yet read (or
 * found nothing to read in) the registrar's list: a page after a cursor, which answers from the
 * index, reads those first (a fresh database or instance whose first page nobody asked for would
 * otherwise miss the names the registry lists). Its size is bounded by the backends configured.
 */
export function notYetListed(backends: readonly RegistryPort[], registrarId: string): RegistryPort[] {
  return backends.filter((b) => b.hasAccount(registrarId) && !listed.get(b)?.has(registrarId));
}

/** The `size` smallest names offered (the index's order: by name), with their values. */
class FirstNames<T> {
  private readonly kept = new Map<string, T>();
  private largest: string | undefined;
  constructor(private readonly size: number) {}

  offer(name: string, value: T): void {
    if (this.size <= 0) return;
    if (this.kept.size >= this.size && this.largest !== undefined && name >= this.largest) return;
    this.kept.set(name, value);
    if (this.kept.size > this.size && this.largest !== undefined) this.kept.delete(this.largest);
    this.largest = [...this.kept.keys()].reduce((a, b) => (a > b ? a : b));
  }

  values(): T[] {
    return [...this.kept.values()];
  }
}
