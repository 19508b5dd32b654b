import type { Transfer } from '../core/model/index.js';
import type { RegistryPort } from '../core/port.js';
import type { PrismaClient } from '../db/generated/client.js';

/** The gateway registrar (among `registrarIds`) whose login at `backend` is `upstreamId`. */
export function gatewayRegistrar(backend: RegistryPort, registrarIds: readonly string[], upstreamId: string): string | undefined {
  return registrarIds.find((id) => backend.hasAccount(id) && backend.upstreamId(id) === upstreamId);
}

/**
 * The gateway's own index of each registrar's domains, for the `domains` connection: EPP has no
 * "list my domains" command, so the gateway remembers what it created or transferred in.
 * The order is by name; src/domains/domain-page.ts reads it into pages.
 */
export class DomainIndex {
  constructor(private readonly prisma: PrismaClient) {}

  async add(registrarId: string, name: string, backend: string): Promise<void> {
    await this.prisma.domainIndex.upsert({
      where: { registrarId_name: { registrarId, name } },
      update: { backend },
      create: { registrarId, name, backend },
    });
  }

  /** A completed transfer moves the domain from the losing registrar's list to the gaining one's. */
  async followTransfer(t: Transfer, backend: RegistryPort, registrarIds: readonly string[]): Promise<void> {
    if (t.status !== 'clientApproved' && t.status !== 'serverApproved') return;
    const losing = gatewayRegistrar(backend, registrarIds, t.losingRegistrar);
    const gaining = gatewayRegistrar(backend, registrarIds, t.gainingRegistrar);
    if (losing) await this.remove(losing, t.name);
    if (gaining) await this.add(gaining, t.name, backend.name);
  }

  /**
   * Makes the registrar's entries at `backend` the registry's own list (a registry that lists a
   * registrar's domains: names created elsewhere appear, names transferred away go). Entries
   * written at or after `since` (a create or transfer racing the listing) are kept. With
   * `removeUnlisted: false` (`names` is only part of the registry's list) no entry is removed.
   */
  async replaceBackend(registrarId: string, backend: string, names: readonly string[], since: Date, opts: { removeUnlisted?: boolean } = {}): Promise<void> {
    const have = await this.prisma.domainIndex.findMany({ where: { registrarId, backend }, select: { name: true } });
    const listed = new Set(names);
    const gone = opts.removeUnlisted === false ? [] : have.map((h) => h.name).filter((n) => !listed.has(n));
    if (gone.length > 0) await this.prisma.domainIndex.deleteMany({ where: { registrarId, backend, name: { in: gone }, updatedAt: { lt: since } } });
    const known = new Set(have.map((h) => h.name));
    const fresh = names.filter((n) => !known.has(n));
    for (const name of fresh) await this.add(registrarId, name, backend);
  }

  async remove(registrarId: string, name: string): Promise<void> {
    await this.prisma.domainIndex.deleteMany({ where: { registrarId, name } });
  }

  /**
   * Up to `take` entries of the registrar's list after `afterName`, by name, and whether more
   * follow. Each carries its `updatedAt`, so that removing it later cannot remove a newer entry.
   */
  async rows(registrarId: string, take: number, afterName: string | undefined) {
    const rows = await this.prisma.domainIndex.findMany({
      where: { registrarId, ...(afterName !== undefined ? { name: { gt: afterName } } : {}) },
      orderBy: { name: 'asc' },
      take: take + 1,
      select: { name: true, backend: true, updatedAt: true },
    });
    return { items: rows.slice(0, take), hasMore: rows.length > take };
  }

  /** Whether the registrar's list has an entry named `name` or before it (the connection's hasPreviousPage). */
  async anyUpTo(registrarId: string, name: string): Promise<boolean> {
    return (await this.prisma.domainIndex.findFirst({ where: { registrarId, name: { lte: name } }, select: { name: true } })) !== null;
  }

  /**
   * Drops entries the registry no longer has for the registrar (domain info said 2303, or named
   * another sponsor: src/domains/own-domains.ts), each only if it was not
   * written again since it was read (a re-registration in between keeps its entry).
   */
  async removeStale(registrarId: string, rows: readonly { name: string; updatedAt: Date }[]): Promise<void> {
    if (rows.length === 0) return;
    await this.prisma.domainIndex.deleteMany({ where: { registrarId, OR: rows.map((r) => ({ name: r.name, updatedAt: r.updatedAt })) } });
  }
}
