/**
 * Availability of many names across registries (the `checkDomains` query, and any bulk caller):
 * the names are grouped by the backend their TLD routes to, each group is split into check
 * commands of at most that backend's `limits.checkNames` (EPP: 50 by default, config
 * `checkLimit`; REPP: 1, it has no check command), and every command is sent at once, scheduled
 * over the backend's sessions by the call's scheduler (src/fanout/scheduler.ts). A command the
 * registry refuses, or that gets no answer, marks only its own names with that error; the other
 * commands' names still answer.
 */
import { UpstreamFailureError } from '../core/errors.js';
import type { CallContext, CheckResult } from '../core/model/index.js';
import type { Router } from '../routing/router.js';
import { chunk } from './chunk.js';

/** One name's answer, with the registry (backend name) that gave it. */
export type NameCheck = CheckResult & { registry: string };

/**
 * Checks `names` (A-labels, already validated) and answers in their order: each a NameCheck, or
 * the Error of the command that carried it. A name given twice is checked once. Throws before
 * sending anything when a name routes nowhere (UNKNOWN_TLD naming `<field>[i]`) or the registrar
 * has no account at a registry.
 */
export async function checkDomainNames(router: Router, call: CallContext, names: readonly string[], field = 'names'): Promise<Array<NameCheck | Error>> {
  const groups = new Map<string, Set<string>>();
  const registryOf = names.map((n, i) => router.forDomain(n, `${field}[${i}]`).name);
  names.forEach((n, i) => groups.set(registryOf[i]!, (groups.get(registryOf[i]!) ?? new Set()).add(n)));
  for (const backend of groups.keys()) router.named(backend).upstreamId(call.registrarId); // FORBIDDEN before anything is sent
  const answers = new Map<string, NameCheck | Error>();
  const commands = [...groups].flatMap(([registry, list]) => chunk([...list], router.named(registry).limits.checkNames).map((part) => ({ registry, part })));
  await Promise.all(
    commands.map(async ({ registry, part }) => {
      try {
        const { data } = await router.named(registry).checkDomains(call, part);
        for (const c of data) answers.set(c.name.toLowerCase(), { ...c, registry });
      } catch (err) {
        for (const n of part) answers.set(n, err as Error);
      }
    }),
  );
  return names.map(
    (n, i) => answers.get(n) ?? new UpstreamFailureError(`the registry's check answer did not include names[${i}]`, { backend: registryOf[i] }),
  );
}
