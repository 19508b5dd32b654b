import type { CommandName } from '../../core/commands.js';
import type { CallContext } from '../../core/model/index.js';
import type { RegistryPort } from '../../core/port.js';
import { asDate } from '../../core/time.js';
import type { PrismaClient } from '../../db/generated/client.js';
import type { Router } from '../../routing/router.js';
import type { StoredResult } from '../service.js';
import type { SecretDigests } from '../secrets.js';

/** What a reconciliation found out about a command whose answer was lost. */
export type Verdict =
  /** The command took effect: `result` is what the mutation stores and answers, as if the answer had arrived. */
  | { status: 'applied'; result: StoredResult; how: string }
  /** Certainly not applied: the command may be sent again. */
  | { status: 'not-applied'; how: string }
  /** The registry's state does not tell (or could not be read): nothing may be sent. */
  | { status: 'unknown'; how: string };

/** Everything one operation's reconcile function may look at. */
export interface ReconcileInput {
  /** The normalised arguments as stored on the record (secrets replaced by keyed digests: see `secrets`). */
  args: any;
  /** What the attempt noted right before sending (e.g. the renewal's curExpDate), if it got that far. */
  noted: Record<string, unknown>;
  /** Effects of this request cannot be older than this (record creation minus the allowed clock skew). */
  since: Date;
  /** The backend the request went to (null for gateway-local operations). */
  port: RegistryPort | null;
  /** For reads: registrar, idempotency key and operation, so they show in the command log under the key. */
  call: CallContext;
  /** The registrar's login at that backend (EPP clID): "ours". */
  upstreamId: string | null;
  /**
   * clTRID of the last command this key sent for the operation (from the command log), if known:
   * read when asked (one statement), which only an applied verdict does (reconciledTransaction).
   */
  sentTrid(): Promise<string | null>;
  /** Whether the command log shows this command applied for the same object under another key (or none) since `since`. */
  appliedByAnotherRequest(objectName: string): Promise<boolean>;
  prisma: PrismaClient;
  router: Router;
  registrarId: string;
  /** The gateway's registrars (for transfers between two of them). */
  registrars: ReadonlyArray<{ id: string }>;
  /** Tells whether a value read from the registry is the secret an argument's digest was made from. */
  secrets: Pick<SecretDigests, 'matches'>;
}

/** One mutation's reconciliation: reads the registry's state and says whether the lost command took effect; a read's error propagates (the outcome stays unknown). */
export type ReconcileFn = (input: ReconcileInput) => Promise<Verdict>;

/** One row of OPERATIONS: which command a mutation sends, to which backend, and how to reconcile it. */
export interface OperationSpec {
  /** The command that changes state (for the command log), e.g. "domain:create"; null when local. */
  command: CommandName | null;
  /** Backend name a request goes to, from its normalised arguments (null for gateway-local operations). */
  backendOf(args: any, router: Router): string | null;
  reconcile: ReconcileFn;
}

/** The command took effect: `result` is the stored answer (see reconciledTransaction), `how` what showed it. */
export const applied = (result: StoredResult, how: string): Verdict => ({ status: 'applied', result, how });
/** The command certainly did not take effect: it may be sent again; `how` says why. */
export const notApplied = (how: string): Verdict => ({ status: 'not-applied', how });
/** The registry's state does not tell: nothing may be sent (OUTCOME_UNKNOWN); `how` says why. */
export const unknown = (how: string): Verdict => ({ status: 'unknown', how });

/**
 * The transaction part of a reconciled result: the lost command's clTRID (from the command log,
 * else `reconciled:<idempotency key>`), no svTRID, `code` the EPP result code the command would
 * have had (1000, or 1001 for one the registry completes later), and a message saying that no
 * answer was kept for the key and how the outcome was found.
 */
export async function reconciledTransaction(input: ReconcileInput, code: number, how: string) {
  return {
    trid: { client: (await input.sentTrid()) ?? `reconciled:${input.call.idempotencyKey ?? ''}`, server: null },
    code,
    // The answer may have reached the command log and not the key's record (the process stopped
    // in between): what is certain is that none was kept for the key.
    message: `no answer was kept for this key; reconciled: ${how}`,
  };
}

/** `t` (a Date or ISO 8601 text, no zone = UTC, as asDate reads it) is at or after `since`; false when absent or unreadable. */
export function atOrAfter(t: Date | string | null | undefined, since: Date): boolean {
  const d = asDate(t);
  return d != null && d.getTime() >= since.getTime();
}
