import type { Period, Transfer, TransferOp } from '../../core/model/index.js';
import { DomainIndex } from '../../domains/domain-index.js';
import { checkPeriodUnit } from '../../validation/values.js';
import { callOf, recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';

/** Normalised arguments of a transfer command (RFC 5731 section 3.2.4). */
export interface TransferDomainArgs {
  name: string;
  /** Required for `request` (the code the current sponsor gave). */
  authInfo: string | null;
  period: Period | null;
}

export interface TransferRecord extends TransactionRecord {
  transfer: Transfer;
}

/**
 * Requests, approves, rejects or cancels a domain transfer (operation `<op>Transfer`); a completed
 * transfer moves the domain between the gateway registrars' domain indexes. `periodField` names the
 * period in a ValidationError. Throws ValidationError, RegistryError subclasses.
 */
export async function transferDomain(
  env: OperationEnv,
  actor: Actor,
  op: TransferOp,
  args: TransferDomainArgs,
  periodField = 'period',
): Promise<OperationResult<TransferRecord>> {
  const { name, authInfo, period } = args;
  const backend = env.router.forDomain(name, 'domainName');
  if (period) checkPeriodUnit(periodField, period, (await backend.capabilities(callOf(actor))).periodUnits);
  const { result, replayed } = await runOperation(env, actor, `${op}Transfer`, { name, authInfo, period }, async (call) => {
    const r = await backend.transferDomain(call, op, name, { authInfo, period });
    await new DomainIndex(env.prisma).followTransfer(r.data, backend, env.config.registrars.map((x) => x.id));
    return { ...recordOf(r), transfer: r.data };
  });
  return { registry: backend.name, result, replayed };
}
