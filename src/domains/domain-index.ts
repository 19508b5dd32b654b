import type { Transfer } from '../core/model/index.js';
import type { RegistryPort } from '../core/port.js';
import type { PrismaClient } from '../db/generated/client.js';

/** The gateway registrar (among `registrarIds`) whose login at `backend` is `upstreamId`. */
export function gatewayRegistrar(backend: RegistryPort, registrarIds: readonly string[], upstreamId: string): string | undefined {
  return registrarIds.find((id) => {
    try {
      return backend.upstreamId(id) === upstreamId;
    } catch {
      return false; // no account at that backend
    }
  });
}

/**
 * The gateway's own index of each registrar's domains, for the `domains` connection: EPP has no
 * "list my domains" command, so the gateway remembers what it created or transferred in.
 * Cursors are opaque base64 of the domain name; the order is by name.
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

  async remove(registrarId: string, name: string): Promise<void> {
    await this.prisma.domainIndex.deleteMany({ where: { registrarId, name } });
  }

  async page(registrarId: string, first: number, after: string | null) {
    const afterName = after ? Buffer.from(after, 'base64url').toString('utf8') : undefined;
    const rows = await this.prisma.domainIndex.findMany({
      where: { registrarId, ...(afterName ? { name: { gt: afterName } } : {}) },
      orderBy: { name: 'asc' },
      take: first + 1,
    });
    return {
      hasNextPage: rows.length > first,
      items: rows.slice(0, first).map((r) => ({ name: r.name, backend: r.backend, cursor: Buffer.from(r.name).toString('base64url') })),
    };
  }
}
