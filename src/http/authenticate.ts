import type { PrismaClient } from '../db/generated/client.js';
import { verifyApiKey } from '../auth/api-keys.js';

/** Resolve "Bearer <key>" to the registrar the key belongs to, or null. */
export async function authenticate(
  prisma: PrismaClient,
  header: string | undefined | null,
): Promise<{ id: string; name: string } | null> {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return null;
  const found = await verifyApiKey(prisma, m[1]!);
  if (!found) return null;
  const registrar = await prisma.registrar.findUnique({ where: { id: found.registrarId } });
  return registrar ? { id: registrar.id, name: registrar.name } : null;
}
