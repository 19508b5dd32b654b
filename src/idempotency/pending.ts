/**
 * Mutations the registry only queued (answered 1001 with the id of its queued request, e.g. a
 * Joker Proc-ID as the server transaction id) resolve when the registry's result arrives as a
 * poll message (pendingActionResult, upstream id = that request id): a retry with the same key
 * then replays the final answer (1000, or the refusal as the key's error); before, the pending one.
 * Resolved when the record is replayed, from the stored poll messages, so the order in which the
 * mutation's record and the poll message were written does not matter.
 */
import type { IdempotencyRecord, Prisma, PrismaClient } from '../db/generated/client.js';
import { namingAuthInfo, registryErrorFor } from '../core/errors.js';

/** The result code of a refused queued action whose result gives none (RFC 5730 2308). */
const REFUSED_WITHOUT_CODE = 2308;

interface StoredAnswer {
  code?: number;
  message?: string | null;
}

/** A key's error as its record keeps it (IdempotencyRecord.error): code, message and the error's details. */
export interface StoredError {
  code: string;
  message: string;
  details: Record<string, unknown> & { upstreamCode?: number | null; field?: string; retryable?: boolean };
}

/**
 * The record as it should be replayed now: itself, or resolved (and written) once its result is
 * stored. `released`: the registry's result refused the key's one queued request with "command
 * failed" (2400 and above, retryable: Joker's NACK whose `Error` lines say it was not processed,
 * such as the sandbox's `not processed: the sandbox stopped before its turn`), so nothing was
 * applied and the key must be free to be sent again, as a 2400 answered at once leaves no record
 * (README, Idempotency contract): the record is returned unchanged (still pending) and not
 * written, and the caller deletes it (IdempotencyService.runOwned, then runs the key as new; a
 * bulk item, src/bulk/awaiting.ts, with its return to PENDING in the same transaction). A refusal
 * of one of several requests (an update Joker took as several) stays the key's final error: the
 * others may have been applied.
 */
export async function resolvePending(prisma: PrismaClient, rec: IdempotencyRecord): Promise<IdempotencyRecord & { released?: StoredError }> {
  const answer = rec.response as StoredAnswer | null;
  if (rec.state !== 'SUCCEEDED' || answer?.code !== 1001 || !rec.serverTrid || !rec.backend) return rec;
  const ids = rec.serverTrid.split(',').filter(Boolean);
  const results = await prisma.pollMessage.findMany({ where: { registrarId: rec.registrarId, backend: rec.backend, upstreamId: { in: ids } } });
  const outcomes = results.map((m) => m.payload as { pendingActionResult?: boolean | null; resultCode?: number | null; expiresAt?: string | null; transfer?: object | null } | null);
  if (results.length < ids.length || outcomes.some((o) => o?.pendingActionResult == null)) return rec; // not all arrived yet
  const failed = results.find((_, i) => outcomes[i]!.pendingActionResult === false);
  let data: Prisma.IdempotencyRecordUpdateInput;
  if (failed) {
    // A refused result is the registry's final answer: one without an error code is a definite
    // refusal, 2308 (RFC 5730 "Data management policy violation"), never 2400 "Command failed",
    // which would have it sent again (src/backends/joker/driver/result-text.ts NACK_WITHOUT_CODE).
    const code = (failed.payload as { resultCode?: number | null }).resultCode ?? REFUSED_WITHOUT_CODE;
    // A transfer request's 2202 is about the auth code it carried, as when the registry refuses it at once (src/backends/portable.ts).
    const refused = registryErrorFor(code >= 2000 ? code : REFUSED_WITHOUT_CODE, failed.message, rec.backend);
    const e = rec.operation === 'requestTransfer' ? namingAuthInfo(refused) : refused;
    const error = JSON.parse(JSON.stringify({ code: e.code, message: e.message, details: e.details })) as StoredError;
    if (e.details.retryable === true && ids.length === 1) return { ...rec, released: error };
    data = { state: 'FAILED', error: error as unknown as Prisma.InputJsonValue };
  } else {
    // The registry's own new expiry (Joker's Expiration-Date in the completion) replaces the one
    // the gateway computed when the command was only queued; so does the transfer as the result
    // gives it (a transfer-in's: approved, its new expiry) the pending one the request answered, or
    // a replay would say `pending` beside the final 1000.
    const expiresAt = outcomes.map((o) => o?.expiresAt).find(Boolean);
    const transfer = outcomes.map((o) => o?.transfer).find(Boolean);
    const response = { ...(rec.response as object), code: 1000, message: results.at(-1)!.message };
    if (expiresAt && 'expiresAt' in response) response.expiresAt = expiresAt;
    if (transfer && 'transfer' in response) response.transfer = transfer;
    data = { response: response as Prisma.InputJsonValue };
  }
  // Only a record still pending is resolved (another replay may have resolved it first).
  await prisma.idempotencyRecord.updateMany({ where: { id: rec.id, state: 'SUCCEEDED', serverTrid: rec.serverTrid }, data: data as Prisma.IdempotencyRecordUpdateManyMutationInput });
  return { ...rec, ...(data as Partial<IdempotencyRecord>) };
}
