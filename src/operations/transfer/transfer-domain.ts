import type { Period, Transfer, TransferOp } from '../../core/model/index.js';
import { DomainIndex } from '../../domains/domain-index.js';
import { checkPeriodUnit } from '../../validation/values.js';
import type { Capabilities } from '../../core/capabilities.js';
import { UnsupportedByBackendError } from '../../core/errors.js';
import type { RegistryPort } from '../../core/port.js';
import type { Router } from '../../routing/router.js';
import { liveCapabilities, refuseLocally, requireArguments, type CapabilitySource } from '../checks.js';
import { namedDomainChecks } from '../domain/named-checks.js';
import { recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';

/** Normalised arguments of a transfer command (RFC 5731 section 3.2.4). */
export interface TransferDomainArgs {
  name: string;
  /** Required for `request` (the code the current sponsor gave). */
  authInfo: string | null;
  period: Period | null;
}

/**
 * The period a transfer request adds when it gives none: the registry's default, one year where
 * a period is sent at all (Nomulus adds one year and refuses any other period, 2306; REPP,
 * HeadlessDomains and Joker take no period on a transfer, so their adapters send none either way).
 */
export const TRANSFER_DEFAULT_PERIOD: Readonly<Period> = Object.freeze({ value: 1, unit: 'y' });

const isDefaultPeriod = (p: Period | null) => p === null || (p.value === TRANSFER_DEFAULT_PERIOD.value && p.unit === TRANSFER_DEFAULT_PERIOD.unit);

/**
 * A transfer's period as its idempotency key's fingerprint compares it: a request without one asks
 * for the default (TRANSFER_DEFAULT_PERIOD), so `period` left out and `{ value: 1, unit: YEARS }`
 * are one request; `sameAs`: the form releases before this one fingerprinted for either, the
 * period as given (null when left out), so that their records (kept up to idempotency.ttlHours,
 * or idempotency.awaitHours while the registry holds a queued transfer) still match a retry.
 * Only a `request` takes a period; the other operations' (always null) stay as they are.
 */
export function transferPeriodForms(op: TransferOp, period: Period | null): { period: Period | null; sameAs: Array<Period | null> } {
  if (op !== 'request' || !isDefaultPeriod(period)) return { period, sameAs: [] };
  return { period: { ...TRANSFER_DEFAULT_PERIOD }, sameAs: [null] };
}

/**
 * Refuses a transfer period the registry cannot apply, any period but the default one year (or 12
 * months): at a backend whose transfer requests carry none (capabilities.transferPeriod false:
 * REPP, HeadlessDomains, Joker), where it was dropped before, so that a client asking for 2 years
 * was told nothing and got what the registry adds; and at an EPP registry whose policy takes one
 * year only (transferPeriod 'one-year', EppBackendConfig.transferPeriods: Nomulus), which would
 * refuse the command (2306), for a bulk job once per domain. UnsupportedByBackendError naming
 * `field` and the backend (and `which` domains, for a bulk job), before anything is written or sent.
 */
export function checkTransferPeriod(field: string, period: Period | null, caps: Capabilities, backend: string, which?: string): void {
  // Twelve months are one year too, whichever unit the registry takes elsewhere.
  const oneYear = isDefaultPeriod(period) || (period?.unit === 'm' && period.value === 12);
  if (caps.transferPeriod === true || oneYear) return;
  const why = caps.transferPeriod === 'one-year' ? "its policy: a transfer adds one year; leave period out" : "its transfers take none: the registry's own rule applies; leave period out";
  throw new UnsupportedByBackendError(backend, `a transfer period other than one year (${why})`, field, which);
}

/** What a transfer operation stores for its idempotency key and answers: the transfer as the registry answered it (trnData, RFC 5731 section 3.2.4). */
export interface TransferRecord extends TransactionRecord {
  transfer: Transfer;
}

/**
 * What a transfer operation refuses before its key is read (src/operations/checks.ts): a name no
 * registry is configured for (UnknownTldError) or can hold (ValidationError on domainName), a
 * registrar without an account there (ForbiddenError), a period in a unit the backend does not
 * take (ValidationError naming `periodField`) or, for a request, one it cannot apply
 * (checkTransferPeriod), an operation the backend lacks (approving, rejecting or cancelling at
 * REPP, HeadlessDomains or Joker: UnsupportedByBackendError) and, for a request, what the
 * backend's kind and the account's config cannot send (requireArguments: a Joker account without
 * its transferContact). Sends nothing; answers the backend.
 */
export async function transferDomainChecks(router: Router, op: TransferOp, args: Pick<TransferDomainArgs, 'name' | 'period'> & { authInfo?: string | null }, caps: CapabilitySource, periodField = 'period'): Promise<RegistryPort> {
  const { name, period } = args;
  const backend = router.forRegistrable(name, 'domainName');
  if (period) {
    const c = await caps(backend);
    checkPeriodUnit(periodField, period, c.periodUnits, backend.name);
    if (op === 'request') checkTransferPeriod(periodField, period, c, backend.name);
  }
  const routed = await namedDomainChecks(router, name, 'domainName', `domain:transfer:${op}`, caps);
  return op === 'request' ? requireArguments(routed, { command: 'domain:transfer:request', input: { name, authInfo: args.authInfo ?? null } }, caps) : routed;
}

/**
 * Requests, approves, rejects or cancels a domain transfer (operation `<op>Transfer`); a completed
 * transfer moves the domain between the gateway registrars' domain indexes. `periodField` names the
 * period in a ValidationError. Refuses before anything is recorded or sent what
 * transferDomainChecks refuses: with the live capabilities when a period is given (its unit is
 * checked), else with what is known locally (the port checks the rest before sending, as before:
 * a replay needs no registry). Then RegistryError subclasses.
 */
export async function transferDomain(
  env: OperationEnv,
  actor: Actor,
  op: TransferOp,
  args: TransferDomainArgs,
  periodField = 'period',
): Promise<OperationResult<TransferRecord>> {
  const { name, authInfo, period } = args;
  // A name no registry could hold is no domain to transfer (BAD_USER_INPUT before anything is recorded or sent).
  if (period) await transferDomainChecks(env.router, op, args, liveCapabilities(actor), periodField);
  else await refuseLocally(actor.registrarId, (caps) => transferDomainChecks(env.router, op, args, caps, periodField));
  const backend = env.router.forRegistrable(name, 'domainName');
  // The key compares the request with its default applied; what is sent is the period as given.
  const forms = transferPeriodForms(op, period);
  const keyed = { name, authInfo, period: forms.period };
  const sameAs = forms.sameAs.map((p) => ({ ...keyed, period: p }));
  const { result, replayed } = await runOperation(env, actor, `${op}Transfer`, keyed, async (call) => {
    const r = await backend.transferDomain(call, op, name, { authInfo, period });
    await new DomainIndex(env.prisma).followTransfer(r.data, backend, env.config.registrars.map((x) => x.id));
    return { ...recordOf(r), transfer: r.data };
  }, sameAs);
  return { registry: backend.name, result, replayed };
}
