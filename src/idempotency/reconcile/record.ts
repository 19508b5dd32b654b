import type { CommandLog } from '../../commandlog/command-log.js';
import type { CommandName } from '../../core/commands.js';
import { GatewayError } from '../../core/errors.js';
import type { CallContext } from '../../core/model/index.js';
import type { IdempotencyRecord, PrismaClient } from '../../db/generated/client.js';
import type { Logger } from '../../logger.js';
import type { RegistryPort } from '../../core/port.js';
import type { Router } from '../../routing/router.js';
import type { StoredRequest } from '../lease.js';
import { OPERATIONS } from './index.js';
import type { Verdict } from './types.js';
import type { SecretDigests } from '../secrets.js';

/** What reconciliation reads and writes through. */
export interface ReconcileDeps {
  prisma: PrismaClient;
  router?: Router;
  commandLog?: CommandLog;
  registrars?: ReadonlyArray<{ id: string }>;
  logger?: Logger;
  /** Registry clocks may lag the gateway's by this much (ms). */
  skewMs: number;
  /** How the record's secret arguments were digested, to compare them with the registry's values. */
  secrets: SecretDigests;
}

/**
 * Runs the operation's reconcile function for a record whose outcome is unknown, with what it may
 * read: the stored request, the backend, the command log. Any failure to read makes it unknown.
 * `unlogged`: the lost command is not expected in the command log (a bulk item's first run keeps
 * its entries for the statement that writes its record, so a key without a record has, as a rule,
 * none of them written: a late answer written by the command log itself is the exception), so an
 * applied verdict's clTRID is `reconciled:<key>` without a look at the command log.
 */
export async function reconcileRecord(rec: IdempotencyRecord, call: CallContext | undefined, deps: ReconcileDeps, unlogged = false): Promise<Verdict> {
  const spec = OPERATIONS[rec.operation];
  const request = rec.request as unknown as StoredRequest | null;
  if (!spec) return { status: 'unknown', how: `no reconciliation for ${rec.operation}` };
  if (!request) return { status: 'unknown', how: 'the record keeps no request to reconcile' };
  const { router, commandLog } = deps;
  const since = new Date(rec.createdAt.getTime() - deps.skewMs);
  try {
    const port = rec.backend && router ? router.named(rec.backend) : null;
    // Its reads are logged under the operation of the request reconciling (a retry, a bulk job's mutation), else the record's.
    const readsAs: CallContext = { registrarId: rec.registrarId, ...call, idempotencyKey: rec.idempotencyKey, operation: call?.operation ?? rec.operation };
    const verdict = await spec.reconcile({
      args: request.args,
      noted: request.noted ?? {},
      since,
      port,
      call: readsAs,
      upstreamId: port && port.hasAccount(rec.registrarId) ? port.upstreamId(rec.registrarId) : null,
      sentTrid: async () => (spec.command && commandLog && !unlogged ? commandLog.lastSent(rec.registrarId, rec.idempotencyKey, spec.command) : null),
      appliedByAnotherRequest: async (objectName) =>
        spec.command && commandLog ? commandLog.appliedElsewhere(rec.registrarId, rec.idempotencyKey, spec.command, objectName, since) : false,
      prisma: deps.prisma,
      router: router!,
      registrarId: rec.registrarId,
      registrars: deps.registrars ?? [],
      secrets: deps.secrets,
    });
    if (verdict.status === 'unknown' || !port?.queuesRequests || !spec.command || !commandLog || unlogged) return verdict;
    return await stillQueued(rec, spec.command, verdict, port, readsAs, commandLog);
  } catch (err) {
    if (err instanceof GatewayError) return { status: 'unknown', how: `could not read the registry's state: ${err.code}` };
    deps.logger?.error({ err, operation: rec.operation }, 'idempotency: reconciliation failed');
    return { status: 'unknown', how: 'reconciliation failed' };
  }
}

/**
 * A verdict at a registry that queues requests (RegistryPort.queuesRequests: Joker), checked
 * against the registry's own list of requests when the key's last command got no answer or was
 * answered 1001 with the id of the request the registry queued: looked up by the clTRID it was
 * sent with (RegistryPort.queuedRequest). The registry's state alone misleads both ways there: a
 * request still waiting shows nothing yet (sending it again would make a second request, which
 * then fails or applies twice), and its reads show a waiting request as a pending status
 * (pendingDelete, a pending transfer) that the reconcile functions take as applied.
 *
 * - Applied with 1001 (the state shows the pending status): the answer the request would have had,
 *   1001 with the queued requests' ids as server transaction id and `awaitsCompletion`, so that a
 *   replay resolves to the registry's final answer (1000, or its refusal as the key's error) once
 *   the result is stored as a poll message (src/idempotency/pending.ts), as without a crash.
 * - Not applied: sent again when the registry lists no such request (it never accepted one) or
 *   refused it (nothing of it was applied); unknown (nothing sent; a later retry reconciles again)
 *   while it waits; once completed, an update (an end state, which sending again cannot overdo) is
 *   sent again, when the state shows only part of it (a crash between its requests) or someone
 *   changed it since; any other command that the state does not show stays unknown.
 * - Applied with 1000: stands.
 */
async function stillQueued(rec: IdempotencyRecord, command: CommandName, verdict: Verdict, port: RegistryPort, call: CallContext, commandLog: CommandLog): Promise<Verdict> {
  const last = await commandLog.lastSentEntry(rec.registrarId, rec.idempotencyKey, command);
  if (!last || (last.resultCode !== null && last.resultCode !== 1001)) return verdict;
  if (verdict.status === 'applied' && verdict.result.code !== 1001) return verdict;
  const found = (await port.queuedRequest(call, last.clientTrid)).data;
  if (verdict.status === 'applied') {
    if (!found) return verdict;
    const result = { ...verdict.result, trid: { client: last.clientTrid, server: found.id }, awaitsCompletion: true };
    return { status: 'applied', result, how: `${verdict.how}; the registry's request ${found.id} (${found.status}) decides the final answer` };
  }
  if (!found) return { status: 'not-applied', how: `the registry lists no request sent as ${last.clientTrid}; ${verdict.how}` };
  const request = `${command} (${port.name} request ${found.id}, sent as ${last.clientTrid})`;
  switch (found.status) {
    case 'refused':
      return { status: 'not-applied', how: `the registry refused the queued ${request}; ${verdict.how}` };
    case 'pending':
      return { status: 'unknown', how: `the registry queued ${request} and has not processed it yet` };
    case 'completed':
      if (command.endsWith(':update')) return { status: 'not-applied', how: `the registry completed the queued ${request}, but ${verdict.how}: an update sets an end state, sent again` };
      return { status: 'unknown', how: `the registry completed the queued ${request}, but ${verdict.how}` };
  }
}
