/**
 * What an owner of a record whose outcome is unknown does with the registry's state: ask the
 * operation's reconcile function for a verdict, settle an applied one as the answer, and tell the
 * command log what became of the key's commands that got no answer.
 */
import type { CallContext } from '../core/model/index.js';
import type { IdempotencyRecord } from '../db/generated/client.js';
import type { Lease } from './lease.js';
import { OPERATIONS, type Verdict } from './reconcile/index.js';
import { reconcileRecord, type ReconcileDeps } from './reconcile/record.js';
import type { StoredResult } from './service.js';

/** What a Reconciler reads and writes through: the same as reconcileRecord's. */
export type ReconcilerDeps = ReconcileDeps;

/** Reconciles records whose outcome is unknown, for a retry (IdempotencyService) and the sweep (sweepAbandoned). */
export class Reconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  /**
   * Applied, not applied or unknown, from the registry's state (reads go out as `call`, else as the
   * record's registrar). `unlogged`: the command log holds no entry of the lost command (see
   * reconcileRecord), so an applied verdict's clTRID is not looked up.
   */
  verdict(rec: IdempotencyRecord, call?: CallContext, unlogged = false): Promise<Verdict> {
    return reconcileRecord(rec, call, this.deps, unlogged);
  }

  /** Settles an applied verdict as the record's answer (SUCCEEDED) and returns that answer. */
  async answer(lease: Lease, rec: IdempotencyRecord, verdict: Verdict & { status: 'applied' }): Promise<StoredResult> {
    const result = JSON.parse(JSON.stringify(verdict.result)) as StoredResult;
    await this.mark(rec, true);
    await lease.succeed(result);
    this.deps.logger?.info({ operation: rec.operation, registrarId: rec.registrarId, how: verdict.how }, 'idempotency: reconciled as applied');
    return result;
  }

  /** Tells the command log what became of this key's commands that were sent and got no answer. */
  async mark(rec: IdempotencyRecord, applied: boolean): Promise<void> {
    const command = OPERATIONS[rec.operation]?.command;
    if (!command || !this.deps.commandLog) return;
    await this.deps.commandLog.markReconciled(rec.registrarId, rec.idempotencyKey, command, applied);
  }
}
