/**
 * The `domains` connection for registries that list a registrar's domains themselves (capability
 * listDomains: REPP): before a first page is read, the registrar's entries for such a registry are
 * made the registry's own list, so names registered or transferred in outside the gateway appear
 * and names transferred away go. Registries without a list (EPP) keep the gateway's own index.
 */
import type { CallContext } from '../core/model/index.js';
import type { RegistryPort } from '../core/port.js';
import type { Logger } from '../logger.js';
import type { DomainIndex } from './domain-index.js';

/** Names per list request (the REPP document's default limit). */
const PAGE = 200;
/** Most names read from one registry for one registrar (a bound on the work of one query). */
const MAX_NAMES = 100_000;

export async function syncRegistryLists(index: DomainIndex, backends: readonly RegistryPort[], call: CallContext, logger: Logger): Promise<void> {
  await Promise.all(
    backends
      .filter((b) => b.hasAccount(call.registrarId))
      .map(async (b) => {
        try {
          if (!(await b.capabilities(call)).listDomains) return;
          const since = new Date();
          const names: string[] = [];
          for (let offset = 0; offset < MAX_NAMES; offset += PAGE) {
            const { data } = await b.listDomains(call, { limit: PAGE, offset });
            names.push(...data.names);
            if (data.names.length < PAGE || names.length >= data.total) break;
          }
          await index.replaceBackend(call.registrarId, b.name, names, since);
        } catch (err) {
          // The list stays as it was; the page still answers from the index.
          logger.warn({ backend: b.name, err: (err as Error).message }, 'could not read the registry domain list');
        }
      }),
  );
}
