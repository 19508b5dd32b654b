/**
 * Argument paths for errors about one argument (`extensions.field`), in the style of
 * BAD_USER_INPUT's (README "Errors"): `input.contacts[2]`, `input.add.statuses[0]`. Adapters see
 * the neutral model, whose lists keep the order and the indices of the GraphQL input they were
 * checked from (src/validation/inputs.ts), so a model index is the client's index.
 */
import type { DomainUpdateInput } from './model/index.js';

/** `${field}[i]` for the first item of `list` that `pred` holds for, or undefined when none does. */
export function itemPath<T>(field: string, list: readonly T[], pred: (x: T) => boolean): string | undefined {
  const i = list.findIndex(pred);
  return i < 0 ? undefined : `${field}[${i}]`;
}

/**
 * The path of the first item of a domain update's `add`, then `remove`, list `key` that `pred`
 * holds for (`input.add.statuses[1]`, `input.remove.contacts[0]`), or undefined when none does.
 */
export function changePath<K extends 'statuses' | 'contacts' | 'nameservers'>(u: DomainUpdateInput, key: K, pred: (x: DomainUpdateInput['add'][K][number]) => boolean): string | undefined {
  const p = pred as (x: unknown) => boolean;
  return itemPath(`input.add.${key}`, u.add[key] as unknown[], p) ?? itemPath(`input.remove.${key}`, u.remove[key] as unknown[], p);
}

/** The first path whose condition holds (`[[cond, path], ...]`), or undefined. */
export function firstPath(cases: ReadonlyArray<readonly [unknown, string]>): string | undefined {
  return cases.find(([cond]) => Boolean(cond))?.[1];
}
