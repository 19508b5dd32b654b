/**
 * Argument paths for errors about one argument (`extensions.field`), in the style of
 * BAD_USER_INPUT's (README "Errors"): `input.contacts[2]`, `input.add.statuses[0]`. Adapters see
 * the neutral model, whose lists keep the order and the indices of the GraphQL input they were
 * checked from (src/validation/inputs.ts), so a model index is the client's index.
 */
import { MAX_QUOTE, ObjectNotFoundError } from './errors.js';
import type { DomainCreateInput, DomainUpdateInput } from './model/index.js';

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

/** Characters that continue a name or handle (a name's dots only when another label follows). */
const NAME_CHAR = /[a-z0-9_-]/;

/** Whether `token` stands in `text` on its own: no name character before it, none after it (nor a dot and another label). */
function hasToken(text: string, token: string): boolean {
  for (let at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + 1)) {
    const before = text[at - 1];
    const after = text[at + token.length];
    const afterNext = text[at + token.length + 1];
    const startOk = before === undefined || !(NAME_CHAR.test(before) || before === '.');
    const endOk = after === undefined || !(NAME_CHAR.test(after) || (after === '.' && afterNext !== undefined && /[a-z0-9]/.test(afterNext)));
    if (startOk && endOk) return true;
  }
  return false;
}

/**
 * Names the argument a registry's "object does not exist" refusal is about (2303,
 * ObjectNotFoundError, RFC 5730 section 3: a host or contact a command links, or the object the
 * command is on): the first of `candidates` (`[path, name or handle]`, in the order to prefer)
 * whose name the refusal's text (its message and the registry's own words) holds as a whole token,
 * case-insensitively, never one standing inside a longer handle or name (`C1` in `C12`,
 * `ns1.x.test` in `ns1.x.test.example`); a name longer than MAX_QUOTE as its first MAX_QUOTE
 * characters, as messages quote it (clipEchoes); when none is named, `subject`, if given: the path
 * of the one object a command is on, which its 2303 can only be about (a renewal's domain, a host
 * update's host; a host create's superordinate domain, which its name names). Sets `details.field`
 * on `e` itself, so that the error an idempotency record keeps says it too; any other error, one
 * that names a field already, or one naming none of the candidates without a `subject`, is
 * returned as it is.
 */
export function namingNotFound(e: unknown, candidates: Iterable<readonly [path: string, name: string]>, subject?: string): unknown {
  if (!(e instanceof ObjectNotFoundError) || e.details.field) return e;
  const text = `${e.message}\n${e.details.upstreamMessage ?? ''}`.toLowerCase();
  for (const [path, name] of candidates) {
    if (name && hasToken(text, name.toLowerCase().slice(0, MAX_QUOTE))) {
      Object.assign(e.details, { field: path });
      return e;
    }
  }
  if (subject) Object.assign(e.details, { field: subject });
  return e;
}

/** The hosts and contacts a domain update adds (`input.add.nameservers[i]` first, then `input.add.contacts[i]`), as namingNotFound's candidates. */
export function* addedObjects(u: Pick<DomainUpdateInput, 'add'>): Generator<readonly [string, string]> {
  for (const [i, n] of u.add.nameservers.entries()) yield [`input.add.nameservers[${i}]`, n.name];
  for (const [i, c] of u.add.contacts.entries()) yield [`input.add.contacts[${i}]`, c.id];
}

/**
 * namingNotFound's candidates of a domain update (RFC 5731 section 3.2.5): the hosts and contacts
 * it adds (addedObjects), then the domain itself (`input.name`: the registry holds no such domain).
 */
export function* updatedObjects(u: Pick<DomainUpdateInput, 'name' | 'add'>): Generator<readonly [string, string]> {
  yield* addedObjects(u);
  yield ['input.name', u.name];
}

/**
 * namingNotFound's candidates of a domain create (RFC 5731 section 3.2.1): the objects it links,
 * `input.registrant`, `input.contacts[i]`, `input.nameservers[i]`.
 */
export function* linkedObjects(c: Pick<DomainCreateInput, 'registrant' | 'contacts' | 'nameservers'>): Generator<readonly [string, string]> {
  if (c.registrant) yield ['input.registrant', c.registrant];
  for (const [i, x] of c.contacts.entries()) yield [`input.contacts[${i}]`, x.id];
  for (const [i, n] of c.nameservers.entries()) yield [`input.nameservers[${i}]`, n.name];
}
