import { AuthorizationError, ExpiryMismatchError, ValidationError } from '../../core/errors.js';
import type { Period } from '../../core/model/index.js';
import type { RegistryPort } from '../../core/port.js';
import type { Router } from '../../routing/router.js';
import { checkPeriodUnit } from '../../validation/values.js';
import { liveCapabilities, type CapabilitySource } from '../checks.js';
import { recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';

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
 * What renewDomain refuses before its key is read (src/operations/checks.ts): a name no registry
 * is configured for (UnknownTldError) or that cannot be registered where it routes (ValidationError
 * on input.name), a registrar without an account there (ForbiddenError), a period in a unit the
 * backend does not take or one the registry's own rule refuses (ValidationError naming
 * `periodField`). Sends nothing; answers the backend.
 */
export async function renewDomainChecks(router: Router, args: Pick<RenewDomainArgs, 'name' | 'period'>, caps: CapabilitySource, periodField = 'input.period'): Promise<RegistryPort> {
  const { name, period } = args;
  const backend = router.forRegistrable(name, 'input.name');
  checkPeriodUnit(periodField, period, (await caps(backend)).periodUnits, backend.name);
  backend.checkPeriod(name, period, periodField);
  return backend;
}

/**
 * Renews one domain. The current expiry date is always sent (EPP's curExpDate), so a resent
 * renewal cannot apply twice: when the caller gives none it is read first (one domain info) and
 * noted on the idempotency record before the renew is sent, for reconciliation to compare.
 * `periodField` names the period in a ValidationError (the registry refuses its unit, or the
 * period itself: RegistryPort.checkPeriod), before anything is sent; `expiryField` names the
 * current expiry in an ExpiryMismatchError (BAD_USER_INPUT: it is not the domain's expiry, on
 * every backend, see RegistryPort.renewDomain's PortableBackend; nothing renewed, nothing kept).
 * Throws what renewDomainChecks throws, AuthorizationError (AUTHORIZATION_ERROR: no currentExpiry
 * given and the registry's info shows another sponsor, so no expiry; nothing renewed or sent
 * beyond the info), ValidationError (no expiry to read), ExpiryMismatchError, RegistryError subclasses.
 */
export async function renewDomain(env: OperationEnv, actor: Actor, args: RenewDomainArgs, periodField = 'input.period', expiryField = 'input.currentExpiry'): Promise<OperationResult<RenewRecord>> {
  const { name, period } = args;
  const backend = await renewDomainChecks(env.router, args, liveCapabilities(actor), periodField);
  const { result, replayed } = await runOperation(env, actor, 'renewDomain', { name, period, currentExpiry: args.currentExpiry }, async (call, attempt) => {
    let currentExpiry = args.currentExpiry;
    if (!currentExpiry) {
      const info = await backend.infoDomain(call, name);
      currentExpiry = info.data.expiresAt ?? null;
      if (!currentExpiry) {
        // A registry shows another registrar's domain without its expiry (RFC 5731 section 3.1.2):
        // the renewal would be refused for that (2201), not for a missing date.
        const own = backend.upstreamId(actor.registrarId);
        if (info.data.sponsor && info.data.sponsor !== own) throw new AuthorizationError(`${name} is sponsored by another registrar: only its sponsor can renew it`, { backend: backend.name });
        throw new ValidationError(expiryField, 'the registry gave no expiry date; pass currentExpiry');
      }
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
