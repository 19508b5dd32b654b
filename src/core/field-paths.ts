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

/** Where `token` last stands in `text` on its own (no name character before it, none after it, nor a dot and another label), or -1. */
function lastToken(text: string, token: string): number {
  for (let at = text.lastIndexOf(token); at >= 0; at = at === 0 ? -1 : text.lastIndexOf(token, at - 1)) {
    const before = text[at - 1];
    const after = text[at + token.length];
    const afterNext = text[at + token.length + 1];
    const startOk = before === undefined || !(NAME_CHAR.test(before.toLowerCase()) || before === '.');
    const endOk = after === undefined || !(NAME_CHAR.test(after.toLowerCase()) || (after === '.' && afterNext !== undefined && /[a-z0-9]/i.test(afterNext)));
    if (startOk && endOk) return at;
  }
  return -1;
}

/**
 * The path of the candidate `text` names (namingNotFound): in three rounds, the first that finds
 * one decides; within a round, the candidate named last in the text (a registry's own words come
 * before the object they are about: "Resource linked to this domain does not exist: host
 * ns9.example.net.", "The domain with given ID (x.example) doesn't exist.", so a contact whose id
 * is `domain` or `host` is not taken for it), the first of equals:
 * 1. the whole name or handle in its own letter case (contact ids are case-sensitive, RFC 5730
 *    clIDType: `JD1234` is not `jd1234`);
 * 2. the whole name in any letter case (host and domain names are not case-sensitive);
 * 3. a name longer than MAX_QUOTE by the first MAX_QUOTE characters a message quotes of it
 *    (clipEchoes), only when no other candidate of another name begins the same: two such names
 *    cannot be told apart by their quotes, and a wrong field is worse than none.
 */
function namedIn(text: string, candidates: ReadonlyArray<readonly [string, string]>): string | undefined {
  const lower = text.toLowerCase();
  const rounds: Array<(name: string) => number> = [
    (name) => lastToken(text, name),
    (name) => lastToken(lower, name.toLowerCase()),
    (name) => {
      if (name.length <= MAX_QUOTE) return -1;
      const prefix = name.toLowerCase().slice(0, MAX_QUOTE);
      if (candidates.some(([, other]) => other.toLowerCase() !== name.toLowerCase() && other.toLowerCase().startsWith(prefix))) return -1;
      return lastToken(lower, prefix);
    },
  ];
  for (const at of rounds) {
    let best: { path: string; at: number } | undefined;
    for (const [path, name] of candidates) {
      const i = name ? at(name) : -1;
      if (i >= 0 && (!best || i > best.at)) best = { path, at: i };
    }
    if (best) return best.path;
  }
  return undefined;
}

/**
 * Names the argument a registry's "object does not exist" refusal is about (2303,
 * ObjectNotFoundError, RFC 5730 section 3: a host or contact a command links, or the object the
 * command is on): the one of `candidates` (`[path, name or handle]`) the refusal's text (its
 * message and the registry's own words) names as a whole token (namedIn: never one standing inside
 * a longer handle or name, `C1` in `C12`, `ns1.x.test` in `ns1.x.test.example`; the letter case
 * kept first; the one named last; a long name by its quoted prefix only when no other shares it);
 * when none is named, `subject`, if given: the path of the one object a command is on, which its
 * 2303 can only be about (a renewal's domain, a host update's host; a host create's superordinate
 * domain, which its name names). Sets `details.field` on `e` itself, so that the error an
 * idempotency record keeps says it too; any other error, one that names a field already, or one
 * naming none of the candidates without a `subject`, is returned as it is.
 */
export function namingNotFound(e: unknown, candidates: Iterable<readonly [path: string, name: string]>, subject?: string): unknown {
  if (!(e instanceof ObjectNotFoundError) || e.details.field) return e;
  const field = namedIn(`${e.message}\n${e.details.upstreamMessage ?? ''}`, [...candidates]) ?? subject;
  if (field) Object.assign(e.details, { field });
  return e;
}

/** The hosts and contacts a domain update adds (`input.add.nameservers[i]` first, then `input.add.contacts[i]`), as namingNotFound's candidates. */
export function* addedObjects(u: Pick<DomainUpdateInput, 'add'>): Generator<readonly [string, string]> {
  for (const [i, n] of u.add.nameservers.entries()) yield [`input.add.nameservers[${i}]`, n.name];
  for (const [i, c] of u.add.contacts.entries()) yield [`input.add.contacts[${i}]`, c.id];
}

/**
 * namingNotFound's candidates of a domain update (RFC 5731 section 3.2.5): the hosts and contacts
 * it adds (addedObjects), the new registrant (`input.registrant`, RFC 5731 domain:chg), the hosts
 * and contacts it removes (`input.remove.nameservers[i]`, `input.remove.contacts[i]`: one the
 * domain does not hold), then the domain itself (`input.name`: the registry holds no such domain).
 */
export function* updatedObjects(u: Pick<DomainUpdateInput, 'name' | 'add' | 'registrant'> & { remove?: Pick<DomainUpdateInput['remove'], 'nameservers' | 'contacts'> }): Generator<readonly [string, string]> {
  yield* addedObjects(u);
  if (u.registrant) yield ['input.registrant', u.registrant];
  for (const [i, n] of (u.remove?.nameservers ?? []).entries()) yield [`input.remove.nameservers[${i}]`, n.name];
  for (const [i, c] of (u.remove?.contacts ?? []).entries()) yield [`input.remove.contacts[${i}]`, c.id];
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
