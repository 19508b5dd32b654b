/**
 * The one check every argument of every field passes before its resolver (or its subscription's
 * stream) runs: queries, mutations, subscriptions and fields with arguments alike, on HTTP and
 * graphql-ws alike, since it is part of the schema. Each string is at most MAX_ARGUMENT_CHARS
 * and holds no character an EPP command or PostgreSQL cannot carry; each list has at most
 * MAX_LIST_ITEMS items and lists and objects nest at most MAX_ARGUMENT_DEPTH deep; no string is
 * made only of invisible characters (text.ts checkNotInvisible: U+200B, U+2060, U+00AD... with or
 * without spaces), in any argument, so none is stored or sent looking empty; each date falls in the UTC years 0001-9999. The kind-specific rules (names, addresses, DNSSEC, contacts, ids) run in
 * the resolvers after this, still before any upstream call or database write.
 */
import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { ValidationError, quoted } from '../core/errors.js';
import { FIRST_YEAR, LAST_YEAR, OutOfRangeDate, inStoredRange } from '../core/time.js';
import { MAX_ARGUMENT_CHARS, MAX_LIST_ITEMS, checkCharacters, checkNotInvisible, hasOnlyAllowedCharacters, startsInvisible } from './text.js';

/**
 * Argument values (lists and input objects) already checked. Variables are coerced once per
 * request and shared by every field that uses them, so 1,000 aliases of one field over one large
 * variable walk it once. Checked values are never changed afterwards (resolvers copy what they
 * normalise). Only an argument's own value is kept, not each object inside it: a bulk job's
 * 10,000 items are reached only through their list, and a WeakSet entry each cost more than
 * checking them.
 */
const checked = new WeakSet<object>();

function isInputObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

/**
 * How deep lists and input objects may nest in one argument value. The schema's own input types
 * nest at most 5 levels (createDomain's input.dnssec.dsData[i]); only federation's `_Any`
 * (`_entities(representations:)`) takes any JSON, and an entity representation is one object of
 * keys. A value nested deeper is refused before anything walks it further: one nested 5,000
 * levels deep overflowed the stack of the walk below (answered INTERNAL_SERVER_ERROR).
 */
export const MAX_ARGUMENT_DEPTH = 32;

/**
 * Checks one argument value (`path` is its name, "input.postalInfo[0].street[1]" below it).
 * Throws ValidationError naming the path; never quotes the value (it may be a secret).
 */
export function checkArgumentValue(path: string, value: unknown): void {
  check(value, path, null, 0);
}

/**
 * The path of a value below an argument, spelled only when an error names it: a bulk job's
 * 10,000 items would otherwise build 30,000 path strings that no error ever uses.
 */
interface Path {
  parent: Path | string;
  key: string | number;
}

function spell(at: Path | string): string {
  if (typeof at === 'string') return at;
  const parent = spell(at.parent);
  return typeof at.key === 'number' ? `${parent}[${at.key}]` : `${parent}.${at.key}`;
}

/** checkArgumentValue of `value` at `parent` (`key` below it; null: `parent` is the value's own path), `depth` lists and objects below the argument. */
function check(value: unknown, parent: Path | string, key: string | number | null, depth: number): void {
  if (typeof value === 'string') {
    if (value.length > MAX_ARGUMENT_CHARS) {
      throw new ValidationError(spell(key === null ? parent : { parent, key }), `is ${value.length} characters long; no argument may be longer than ${MAX_ARGUMENT_CHARS}`);
    }
    if (!hasOnlyAllowedCharacters(value)) checkCharacters(spell(key === null ? parent : { parent, key }), value);
    if (startsInvisible(value)) checkNotInvisible(spell(key === null ? parent : { parent, key }), value);
    return;
  }
  if (value === null || typeof value !== 'object' || (key === null && checked.has(value))) return;
  const at = key === null ? parent : { parent, key };
  const nested = Array.isArray(value) || isInputObject(value);
  if (nested && depth >= MAX_ARGUMENT_DEPTH) throw new ValidationError(spell(at), `is nested more than ${MAX_ARGUMENT_DEPTH} lists or objects deep; no argument of this schema nests more than a few`);
  if (Array.isArray(value)) {
    if (value.length > MAX_LIST_ITEMS) throw new ValidationError(spell(at), `has ${value.length} items; no list may have more than ${MAX_LIST_ITEMS}`);
    for (let i = 0; i < value.length; i++) check(value[i], at, i, depth + 1);
  } else if (isInputObject(value)) {
    for (const k in value) if (Object.prototype.hasOwnProperty.call(value, k)) check(value[k], at, k, depth + 1);
  } else {
    if (value instanceof Date) checkDateRange(at, value);
    return; // scalars parsed into objects (dates): their scalar already checked the rest
  }
  if (key === null) checked.add(value);
}

/**
 * A date argument (DateTimeISO: `currentExpiry`, the command log's `from`/`to`) must fall in the
 * UTC years 0001-9999 (src/core/time.ts inStoredRange): a registry cannot take another (xs:date
 * has no year 0000) and PostgreSQL refuses year 0. Throws ValidationError naming the path and
 * quoting the date as sent (OutOfRangeDate), before any upstream command or database statement.
 */
function checkDateRange(at: Path | string, d: Date): void {
  if (inStoredRange(d)) return;
  const shown = d instanceof OutOfRangeDate ? quoted(d.sent) : 'the date';
  const pad = (y: number) => String(y).padStart(4, '0');
  throw new ValidationError(spell(at), `${shown} is outside the years ${pad(FIRST_YEAR)} to ${pad(LAST_YEAR)} (UTC) that registries (xs:date, xs:dateTime) and the gateway's database take`);
}

/** Checks every argument a field was given (see checkArgumentValue). */
export function checkArguments(args: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(args)) checkArgumentValue(name, value);
}

function guarded<S, C, A>(resolve: GraphQLFieldResolver<S, C, A>): GraphQLFieldResolver<S, C, A> {
  return (source, args, context, info) => {
    checkArguments(args as Record<string, unknown>);
    return resolve(source, args, context, info);
  };
}

/**
 * Puts checkArguments in front of the resolver and the subscribe function of every field that
 * takes arguments, in every object type of `schema` (introspection types excepted). Changes the
 * schema in place and returns it.
 */
export function guardArguments(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      field.resolve = guarded(field.resolve ?? defaultFieldResolver);
      if (field.subscribe) field.subscribe = guarded(field.subscribe);
    }
  }
  return schema;
}
