import { AuthorizationError, CommandSyntaxError, NotPendingTransferError, ObjectNotFoundError } from '../../core/errors.js';
import type { Domain, Transfer } from '../../core/model/index.js';
import type { ReconcileInput } from './types.js';

/** The object, or null when the registry says it does not exist (other errors propagate: outcome stays unknown). */
export async function orNull<T>(read: () => Promise<{ data: T }>): Promise<T | null> {
  try {
    return (await read()).data;
  } catch (e) {
    if (e instanceof ObjectNotFoundError) return null;
    throw e;
  }
}

/** The backend the request went to; throws a plain Error (a bug) for an operation recorded without one. */
export function port(input: ReconcileInput) {
  if (!input.port) throw new Error(`reconcile: no backend recorded for ${input.call.operation}`);
  return input.port;
}

/** The domain as domain:info answers it to us (RFC 5731 section 3.1.2), or null on 2303; other errors propagate. */
export const readDomain = (input: ReconcileInput, name: string): Promise<Domain | null> =>
  orNull(() => port(input).infoDomain(input.call, name));

/**
 * The domain's latest transfer as the registrar sees it, or null when there is none it may see
 * (no transfer history, not a party to it, no such domain).
 */
export async function readTransfer(input: ReconcileInput, name: string): Promise<Transfer | null> {
  try {
    return (await port(input).transferDomain(input.call, 'query', name)).data;
  } catch (e) {
    if (e instanceof ObjectNotFoundError || e instanceof NotPendingTransferError || e instanceof AuthorizationError) return null;
    // EPP 2002 "object has no transfer history" (the sandbox, Nomulus)
    if (e instanceof CommandSyntaxError) return null;
    throw e;
  }
}

/** a ⊆ b, case-insensitively. */
export const allIn = (a: readonly string[], b: readonly string[]) => {
  const set = new Set(b.map((x) => x.toLowerCase()));
  return a.every((x) => set.has(x.toLowerCase()));
};

/** a ∩ b = ∅, case-insensitively. */
export const noneIn = (a: readonly string[], b: readonly string[]) => {
  const set = new Set(b.map((x) => x.toLowerCase()));
  return a.every((x) => !set.has(x.toLowerCase()));
};
