/**
 * The checks an operation makes before its idempotency key is read (routing, the registrar's
 * account, what the backend offers), written once per operation as a function of where it reads a
 * backend's capabilities, so that the same checks serve two callers:
 *
 * - the operation itself, with the live capabilities (RegistryPort.capabilities: an EPP registry's
 *   come from its greeting, so this may log in), or, where it read none before its key so far
 *   (deleteDomain, restoreDomain, the host operations, a transfer without a period), with what is
 *   known locally (refuseLocally), leaving the rest to the port as before;
 * - the pre-pass of a mutation document (src/limits/mutation-inputs.ts), with what is known
 *   locally only: a refusal that needs no round trip is found before any field of the document
 *   runs, with the error the field gives.
 *
 * Besides capabilities, a check may ask the backend's argument rules (requireArguments,
 * RegistryPort.refuseArguments), which need neither the registry nor a capability.
 */
import { needsOf, requireMet } from '../backends/requirements.js';
import { CapabilityNotKnownLocally, locallyKnown, type Capabilities } from '../core/capabilities.js';
import type { CommandName } from '../core/commands.js';
import type { CommandArguments, RegistryPort } from '../core/port.js';
import { callOf, type Actor } from './run.js';

/**
 * Where a check reads a backend's capabilities (its account checked first: ForbiddenError when the
 * registrar has none there), for the account of `registrarId`. localCapabilities' may throw
 * CapabilityNotKnownLocally when a flag only the registry can tell is read.
 */
export type CapabilitySource = ((backend: RegistryPort) => Capabilities | Promise<Capabilities>) & { readonly registrarId: string };

/** The live capabilities of the actor's account (RegistryPort.capabilities; may ask the registry), read under the actor's cause. */
export function liveCapabilities(actor: Pick<Actor, 'registrarId' | 'cause'>): CapabilitySource {
  const call = callOf(actor);
  return Object.assign((backend: RegistryPort) => backend.capabilities(call), { registrarId: actor.registrarId });
}

/** What is known of the registrar's account's capabilities without a round trip (RegistryPort.knownCapabilities, locallyKnown). */
export function localCapabilities(registrarId: string): CapabilitySource {
  return Object.assign((backend: RegistryPort) => locallyKnown(backend.knownCapabilities(registrarId)), { registrarId });
}

/**
 * Runs `checks` with localCapabilities(registrarId): throws the refusal they find (the very error
 * they throw with the live capabilities: what they read is what those would answer); resolves
 * when they pass, and also when one reads what only the registry can tell
 * (CapabilityNotKnownLocally), since from there on the live checks decide. Reads, writes and sends
 * nothing.
 */
export async function refuseLocally(registrarId: string, checks: (caps: CapabilitySource) => unknown): Promise<void> {
  try {
    await checks(localCapabilities(registrarId));
  } catch (err) {
    if (!(err instanceof CapabilityNotKnownLocally)) throw err;
  }
}

/**
 * Refuses a `command` the routed `backend` lacks, by its needs (src/backends/requirements.ts
 * needsOf: restore, host objects, transfer actions) against the capabilities `caps` reads
 * (ForbiddenError first when the registrar has no account there; UnsupportedByBackendError naming
 * the capability). Sends nothing; answers the backend.
 */
export async function requireCommand(backend: RegistryPort, command: CommandName, caps: CapabilitySource): Promise<RegistryPort> {
  requireMet(backend.name, needsOf(command), await caps(backend));
  return backend;
}

/**
 * Refuses what the routed `backend`'s kind and config cannot send in a command's arguments
 * (RegistryPort.refuseArguments: REPP's billing contacts, postal address, fax, an emptied phone or
 * registrant; Joker's statuses, emptied contact fields, name server addresses; HeadlessDomains'
 * statuses and glue), for the account `caps` reads for, with the error the command gives when it
 * is sent. Needs no capability and no round trip, so the pre-pass of a mutation document finds it
 * as the operation does. Sends nothing; answers the backend.
 */
export function requireArguments(backend: RegistryPort, args: CommandArguments, caps: CapabilitySource): RegistryPort {
  backend.refuseArguments(caps.registrarId, args);
  return backend;
}
