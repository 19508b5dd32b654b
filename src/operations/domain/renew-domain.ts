import { ExpiryMismatchError, ValidationError } from '../../core/errors.js';
import type { Period } from '../../core/model/index.js';
import { checkPeriodUnit } from '../../validation/values.js';
import { callOf, recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';

/** Normalised arguments of a renewal (RFC 5731 section 3.2.3). */
export interface RenewDomainArgs {
  name: string;
  period: Period;
  /** The expiry the client believes current; read from the registry (domain info) when null. */
  currentExpiry: Date | null;
}

/** What a renewDomain stores for its idempotency key and answers: the name and the new expiry (domain:renData exDate, RFC 5731 section 3.2.3). */
export interface RenewRecord extends TransactionRecord {
  name: string;
  /** ISO 8601: the new expiry date the registry answered. */
  expiresAt: string;
}

/**
 * Renews one domain. The current expiry date is always sent (EPP's curExpDate), so a resent
 * renewal cannot apply twice: when the caller gives none it is read first (one domain info) and
 * noted on the idempotency record before the renew is sent, for reconciliation to compare.
 * `periodField` names the period in a ValidationError (the registry refuses its unit, or the
 * period itself: RegistryPort.checkPeriod), before anything is sent; `expiryField` names the
 * current expiry in an ExpiryMismatchError (BAD_USER_INPUT: it is not the domain's expiry, on
 * every backend, see RegistryPort.renewDomain's PortableBackend; nothing renewed, nothing kept).
 * Throws ValidationError (a name no registry can hold, Router.forRegistrable, on input.name; period
 * unit; no expiry to read), ExpiryMismatchError, RegistryError subclasses.
 */
export async function renewDomain(env: OperationEnv, actor: Actor, args: RenewDomainArgs, periodField = 'input.period', expiryField = 'input.currentExpiry'): Promise<OperationResult<RenewRecord>> {
  const { name, period } = args;
  const backend = env.router.forRegistrable(name, 'input.name');
  checkPeriodUnit(periodField, period, (await backend.capabilities(callOf(actor))).periodUnits, backend.name);
  backend.checkPeriod(name, period, periodField);
  const { result, replayed } = await runOperation(env, actor, 'renewDomain', { name, period, currentExpiry: args.currentExpiry }, async (call, attempt) => {
    let currentExpiry = args.currentExpiry;
    if (!currentExpiry) {
      currentExpiry = (await backend.infoDomain(call, name)).data.expiresAt ?? null;
      if (!currentExpiry) throw new ValidationError(expiryField, 'the registry gave no expiry date; pass currentExpiry');
      // What reconciliation compares the expiry with if the answer is lost (a given one is in the arguments).
      await attempt.note({ currentExpiry });
    }
    const r = await backend.renewDomain(call, { name, period, currentExpiry }).catch((e: unknown) => {
      throw e instanceof ExpiryMismatchError && e.details.field !== expiryField ? e.at(expiryField) : e;
    });
    return { ...recordOf(r), name, expiresAt: r.data.expiresAt.toISOString() };
  });
  return { registry: backend.name, result, replayed };
}
