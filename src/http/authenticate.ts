import type { PrismaClient } from '../db/generated/client.js';
import { resolveApiKey } from '../auth/api-keys.js';

/** Resolve "Bearer <key>" to the registrar the key belongs to, or null. */
export async function authenticate(
  prisma: PrismaClient,
  header: string | undefined | null,
): Promise<{ id: string; name: string } | null> {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return null;
  const found = await resolveApiKey(prisma, m[1]!);
  return found ? { id: found.registrarId, name: found.registrarName } : null;
}
