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
import { inTurns } from '../core/turns.js';
import type { ListParses } from '../validation/list-parses.js';
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

/** How checkDomainNames splits refused commands, and where it keeps its routing. */
export interface CheckOptions {
  /**
   * Extra commands the call may send to split refused commands, per check command it sends first
   * (counting at least 4), pooled over the call (limits.checkSplitCommands; 0: no splitting).
   * Default DEFAULT_CHECK_SPLIT_COMMANDS.
   */
  splitCommands?: number;
  /**
   * The request's list parses (src/validation/list-parses.ts; GatewayContext.lists): given, the
   * routing of a list (CheckRouting) is made once per request and `field` however many fields
   * check the same names (50 aliases over one variable route its 5,000 names once). Only for
   * calls of one registrar (a request's): the routing checks its accounts.
   */
  lists?: ListParses;
}

/**
 * Where each name of a list goes, made before anything is sent: `registryOf[i]` is the backend
 * `names[i]` routes to; `notRegistrable` the answers of the names no registry can hold (sent
 * nothing); `groups` the other names, each once, by backend (backends and names in their first
 * order in the list). Shared between the fields of a request (CheckOptions.lists): never changed.
 */
export interface CheckRouting {
  readonly registryOf: readonly string[];
  readonly notRegistrable: ReadonlyMap<string, NameCheck>;
  readonly groups: ReadonlyMap<string, readonly string[]>;
}

/**
 * The routing of `names` (CheckRouting), in slices (src/core/turns.ts: about SLICE_MS, 3 ms, of
 * CPU each, later slices waiting their turn in the process's FIFO). Rejects with UnknownTldError
 * naming `<field>[i]` for the first name by index that routes nowhere, else with the refusal
 * (FORBIDDEN) of the first registry, in the list's order, at which the registrar has no account.
 */
export async function routeCheckNames(router: Router, call: CallContext, names: readonly string[], field = 'names'): Promise<CheckRouting> {
  const registryOf = new Array<string>(names.length);
  const notRegistrable = new Map<string, NameCheck>();
  const groups = new Map<string, Set<string>>();
  await inTurns(names, (n, i) => {
    const backend = router.forDomain(n, `${field}[${i}]`);
    registryOf[i] = backend.name;
    const why = router.unregistrableAt(n, backend);
    if (why) notRegistrable.set(n, { name: n, available: false, reason: `not registrable: ${why}`, registry: backend.name });
    else {
      let group = groups.get(backend.name);
      if (!group) groups.set(backend.name, (group = new Set()));
      group.add(n);
    }
  });
  for (const registry of new Set(registryOf)) router.named(registry).upstreamId(call.registrarId); // FORBIDDEN before anything is sent
  return { registryOf, notRegistrable, groups: new Map([...groups].map(([registry, list]) => [registry, [...list]])) };
}

/**
 * Checks `names` (A-labels, already validated) and answers in their order: each a NameCheck, or
 * the Error the registry gave for it (see the module's note on refused commands and on the split
 * budget, `opts.splitCommands`). A name given twice is checked once. Throws before sending
 * anything when a name routes nowhere (UNKNOWN_TLD naming `<field>[i]`) or the registrar has no
 * account at a registry.
 *
 * Its loops over the names (routing, answering) run in slices of about SLICE_MS (3 ms) of CPU,
 * each later slice waiting its turn in the process's FIFO of turns (src/core/turns.ts), so that
 * a request of many names, or many fields of them, never holds the process for longer than a
 * slice while other requests wait. With `opts.lists` a list is routed once per request.
 */
export async function checkDomainNames(router: Router, call: CallContext, names: readonly string[], field = 'names', opts: CheckOptions = {}): Promise<Array<NameCheck | Error>> {
  const route = () => routeCheckNames(router, call, names, field);
  const { registryOf, notRegistrable, groups } = await (opts.lists ? opts.lists.once(`checkDomains routing ${field}[i]`, names, route) : route());
  const commands = [...groups].flatMap(([registry, list]) => chunk([...list], router.named(registry).limits.checkNames).map((part) => ({ registry, part })));
  const max = Math.max(commands.length, MIN_SPLIT_COMMANDS_OF) * (opts.splitCommands ?? DEFAULT_CHECK_SPLIT_COMMANDS);
  const budget: SplitBudget = { left: max, max };
  const answers = new Map<string, NameCheck | Error>();
  await Promise.all(commands.map(({ registry, part }) => checkPart(router.named(registry), call, part, answers, budget)));
  const out = new Array<NameCheck | Error>(names.length);
  await inTurns(names, (n, i) => {
    out[i] = answers.get(n) ?? notRegistrable.get(n) ?? new UpstreamFailureError(`the registry's check answer did not include names[${i}]`, { backend: registryOf[i] });
  });
  return out;
}
