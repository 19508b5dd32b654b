import type { CommandLog } from '../../commandlog/command-log.js';
import { GatewayError } from '../../core/errors.js';
import type { CallContext } from '../../core/model/index.js';
import type { IdempotencyRecord, PrismaClient } from '../../db/generated/client.js';
import type { Logger } from '../../logger.js';
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
    return await spec.reconcile({
      args: request.args,
      noted: request.noted ?? {},
      since,
      port,
      // Its reads are logged under the operation of the request reconciling (a retry, a bulk job's mutation), else the record's.
      call: { registrarId: rec.registrarId, ...call, idempotencyKey: rec.idempotencyKey, operation: call?.operation ?? rec.operation },
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
  } catch (err) {
    if (err instanceof GatewayError) return { status: 'unknown', how: `could not read the registry's state: ${err.code}` };
    deps.logger?.error({ err, operation: rec.operation }, 'idempotency: reconciliation failed');
    return { status: 'unknown', how: 'reconciliation failed' };
  }
}
