/**
 * Availability of many names across registries (the `checkDomains` query, and any bulk caller):
 * the names are grouped by the backend their TLD routes to, each group is split into check
 * commands of at most that backend's `limits.checkNames` (EPP: 50 by default, config
 * `checkLimit`; REPP: 1, it has no check command), and every command is sent at once, scheduled
 * over the backend's sessions by the call's scheduler (src/fanout/scheduler.ts).
 *
 * A name that can never be registered where it routes (Router.unregistrable: more than one label
 * below the zone, "sub.example.example") answers `available: false` with reason
 * `not registrable: ...` and is not sent: an EPP registry refuses the whole command for it.
 *
 * A command the registry refuses as a whole (a definite refusal, splitRefusal) is split to find
 * the names at fault, so that only they carry the error: a refusal naming exactly one of its names
 * fails that name and the others are checked again; one naming none is checked again in two
 * halves, and so on down to single names. A chunk of n names with b names at fault costs at most
 * 2·b·⌈log2 n⌉ more commands, each scheduled like the first ones (the request's fan-out budget).
 * A failure that is not the registry's refusal of these names (splitRefusal: no answer, 2400, a
 * session or login failure, a rate limit) is not split: it marks the command's names with that
 * error, as before. A command refused for its size (Nomulus' 2306 over 50 names, with a
 * `checkLimit` set above it) is split too, and its halves answer.
 *
 * Splitting is bounded per checkDomains (one call of checkDomainNames): the extra commands it may
 * send are `limits.checkSplitCommands` (default 12, DEFAULT_CHECK_SPLIT_COMMANDS) for each command
 * it sends first, counting at least MIN_SPLIT_COMMANDS_OF commands (so that a request of one
 * command can still narrow down a few names), pooled over all of them. Without a bound a registry
 * that refuses every check command as a whole (a zone it does not serve, an account-wide policy)
 * cost 2n - 1 commands per command of n names: 9,900 for 5,000 names at 50 a command; with it, at
 * most 100 + 1,200 (one command of 50: 1 + 48, not 99). Once
 * the pool cannot pay for the next split, the names of a refused command not yet narrowed down
 * carry that command's error, marked with the limit (details.limit `limits.checkSplitCommands`,
 * details.max the pool): they were not found at fault, only not told apart.
 */
import { GatewayError, RegistryError, UpstreamFailureError } from '../core/errors.js';
import type { CallContext, CheckResult } from '../core/model/index.js';
import type { RegistryPort } from '../core/port.js';
import type { Router } from '../routing/router.js';
import { chunk } from './chunk.js';

/**
 * Default `limits.checkSplitCommands`: extra check commands a checkDomains may spend splitting
 * refused commands, per check command it sends first (pooled). 12 = 2·⌈log2 50⌉: enough to narrow
 * one name at fault down in every command of 50 (EPP's default check limit), wherever it is.
 */
export const DEFAULT_CHECK_SPLIT_COMMANDS = 12;

/**
 * The pool counts at least this many commands sent first: 4 x 12 = 48 extra commands narrow down
 * up to 4 names at fault in one command of 50 (2·b·⌈log2 50⌉ = 12·b).
 */
const MIN_SPLIT_COMMANDS_OF = 4;

/** The setting that bounds splitting, as a refusal beyond it names it (ErrorDetails.limit). */
const SPLIT_LIMIT = 'limits.checkSplitCommands';

/** Extra commands a checkDomainNames call may still send to split refused commands, and its whole pool. */
interface SplitBudget {
  left: number;
  readonly max: number;
}

/** One name's answer, with the registry (backend name) that gave it. */
export type NameCheck = CheckResult & { registry: string };

/**
 * Whether the registry's failure of a check command is a refusal of what the command carried
 * (some of its names), worth splitting: a definite (not retryable) refusal with an EPP result code
 * about a value sent (RFC 5730 section 3): 2001 command syntax, 2004 parameter value range, 2005
 * parameter value syntax, or 2300-2399 (2306 parameter value policy, 2307 object service, 2308
 * data management policy). Not: 2000 (unknown command), 2002 (command use: the session's login),
 * 2003, 2100-2199 (unimplemented, billing), 2200-2299 (authentication, authorization: the
 * account's, not a name's), 2400 and above (the registry failed, the session closes), nor any
 * failure without the registry's answer (no answer, rate limit).
 */
export function splitRefusal(err: unknown): boolean {
  if (!(err instanceof RegistryError) || err.details.retryable) return false;
  const code = err.details.upstreamCode;
  return code !== undefined && ([2001, 2004, 2005].includes(code) || (code >= 2300 && code < 2400));
}

const nameChar = (c: string | undefined) => c !== undefined && /[a-z0-9-]/.test(c);

/** Whether `text` holds `name` at `at` as a whole name ("a.example" not inside "ba.example" or "a.example.net"). */
function wholeAt(text: string, name: string, at: number): boolean {
  const before = text[at - 1];
  const after = text[at + name.length];
  if (nameChar(before) || before === '.' || nameChar(after)) return false;
  return !(after === '.' && nameChar(text[at + name.length + 1]));
}

/** The one name of `part` the refusal's message names (as a whole name), or undefined when it names none or several. */
function namedIn(err: unknown, part: readonly string[]): string | undefined {
  const text = `${(err as Error).message} ${err instanceof GatewayError ? (err.details.upstreamMessage ?? '') : ''}`.toLowerCase();
  const hits = part.filter((n) => {
    for (let at = text.indexOf(n); at >= 0; at = text.indexOf(n, at + 1)) if (wholeAt(text, n, at)) return true;
    return false;
  });
  return hits.length === 1 ? hits[0] : undefined;
}

/**
 * The refusal `err` of a whole command, as the answer of its names that were not narrowed down
 * because the split budget ran out: the same error (class, message, upstream code), its details
 * naming the limit (limit, max), so the client can tell them from names found at fault.
 */
function unsplit(err: Error, budget: SplitBudget): Error {
  if (!(err instanceof GatewayError)) return err;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(err) as object) as GatewayError, err);
  Object.defineProperty(copy, 'details', { value: { ...err.details, limit: SPLIT_LIMIT, max: budget.max }, enumerable: true });
  return copy;
}

/**
 * Checks `part` (names of one backend, at most its checkNames) in one command and sets each
 * name's answer in `answers`; a refusal worth splitting (splitRefusal) is narrowed down to the
 * names at fault, which get the registry's error (its code as upstreamCode), while `budget` pays
 * for the extra commands (1 for the rest after a named name, 2 for two halves; when it cannot, the
 * part's names carry the refusal, see unsplit); any other failure becomes every name's answer.
 * Never rejects.
 */
async function checkPart(port: RegistryPort, call: CallContext, part: readonly string[], answers: Map<string, NameCheck | Error>, budget: SplitBudget): Promise<void> {
  try {
    const { data } = await port.checkDomains(call, [...part]);
    for (const c of data) answers.set(c.name.toLowerCase(), { ...c, registry: port.name });
  } catch (err) {
    if (part.length === 1 || !splitRefusal(err)) {
      for (const n of part) answers.set(n, err as Error);
      return;
    }
    const named = namedIn(err, part);
    const cost = named ? 1 : 2;
    if (budget.left < cost) {
      const carried = unsplit(err as Error, budget);
      for (const n of part) answers.set(n, n === named ? (err as Error) : carried);
      return;
    }
    budget.left -= cost;
    if (named) {
      answers.set(named, err as Error);
      return checkPart(port, call, part.filter((n) => n !== named), answers, budget);
    }
    const half = Math.ceil(part.length / 2);
    await Promise.all([checkPart(port, call, part.slice(0, half), answers, budget), checkPart(port, call, part.slice(half), answers, budget)]);
  }
}

/** How checkDomainNames splits refused commands. */
export interface CheckOptions {
  /**
   * Extra commands the call may send to split refused commands, per check command it sends first
   * (counting at least 4), pooled over the call (limits.checkSplitCommands; 0: no splitting).
   * Default DEFAULT_CHECK_SPLIT_COMMANDS.
   */
  splitCommands?: number;
}

/**
 * Checks `names` (A-labels, already validated) and answers in their order: each a NameCheck, or
 * the Error the registry gave for it (see the module's note on refused commands and on the split
 * budget, `opts.splitCommands`). A name given twice is checked once. Throws before sending
 * anything when a name routes nowhere (UNKNOWN_TLD naming `<field>[i]`) or the registrar has no
 * account at a registry.
 */
export async function checkDomainNames(router: Router, call: CallContext, names: readonly string[], field = 'names', opts: CheckOptions = {}): Promise<Array<NameCheck | Error>> {
  const groups = new Map<string, Set<string>>();
  const registryOf = names.map((n, i) => router.forDomain(n, `${field}[${i}]`).name);
  for (const registry of new Set(registryOf)) router.named(registry).upstreamId(call.registrarId); // FORBIDDEN before anything is sent
  const answers = new Map<string, NameCheck | Error>();
  names.forEach((n, i) => {
    const why = router.unregistrable(n, `${field}[${i}]`);
    if (why) answers.set(n, { name: n, available: false, reason: `not registrable: ${why}`, registry: registryOf[i]! });
    else groups.set(registryOf[i]!, (groups.get(registryOf[i]!) ?? new Set()).add(n));
  });
  const commands = [...groups].flatMap(([registry, list]) => chunk([...list], router.named(registry).limits.checkNames).map((part) => ({ registry, part })));
  const max = Math.max(commands.length, MIN_SPLIT_COMMANDS_OF) * (opts.splitCommands ?? DEFAULT_CHECK_SPLIT_COMMANDS);
  const budget: SplitBudget = { left: max, max };
  await Promise.all(commands.map(({ registry, part }) => checkPart(router.named(registry), call, part, answers, budget)));
  return names.map(
    (n, i) => answers.get(n) ?? new UpstreamFailureError(`the registry's check answer did not include names[${i}]`, { backend: registryOf[i] }),
  );
}
