/**
 * The client that idempotency leases write through (src/idempotency/lease.ts): their renewals
 * (heartbeats), notes and final writes.
 *
 * A lease is kept alive by writes that must land at least once per lease (`idempotency.leaseMs`),
 * or another instance declares its owner dead and reconciles the request behind its back. Through
 * the gateway's main pool such a write queues (pg.Pool serves in arrival order) behind whatever
 * the requests have queued: with 100 requests waiting on one key over two instances, the owner's
 * renewal waited 2.4-3.2 s behind some 40 queued statements for a pool of 10, longer than a
 * 1.5 s lease, and the live owner lost its key. On PostgreSQL a lease therefore writes through a
 * PrismaClient over a small pool of its own (LEASE_POOL_SIZE connections, opened on first use),
 * which only lease writes use: single-row updates by key, so it never has a queue of requests.
 * The embedded PGlite has one connection for everything and one process: its leases use the
 * main client.
 */
import type { PrismaClient } from './generated/client.js';

/** Connections of the lease pool (src/db/client.ts openPostgres), besides the main pool's. */
export const LEASE_POOL_SIZE = 2;

const leaseClients = new WeakMap<PrismaClient, PrismaClient>();

/** Leases on `prisma`'s database write through `lease` (a client over a pool of their own). */
export function useLeaseClient(prisma: PrismaClient, lease: PrismaClient): void {
  leaseClients.set(prisma, lease);
}

/** The client leases on `prisma`'s database write through: the one useLeaseClient gave, else `prisma` itself. */
export function leaseClientOf(prisma: PrismaClient): PrismaClient {
  return leaseClients.get(prisma) ?? prisma;
}
