/**
 * The one check every argument of every field passes before its resolver (or its subscription's
 * stream) runs: queries, mutations, subscriptions and fields with arguments alike, on HTTP and
 * graphql-ws alike, since it is part of the schema. Each string is at most MAX_ARGUMENT_CHARS
 * and holds no character an EPP command or PostgreSQL cannot carry; each list has at most
 * MAX_LIST_ITEMS items. The kind-specific rules (names, addresses, DNSSEC, contacts, ids) run in
 * the resolvers after this, still before any upstream call or database write.
 */
import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { ValidationError } from '../core/errors.js';
import { MAX_ARGUMENT_CHARS, MAX_LIST_ITEMS, checkCharacters } from './text.js';

/**
 * Lists and input objects already checked. Variables are coerced once per request and shared by
 * every field that uses them, so 1,000 aliases of one field over one large variable walk it once.
 * Checked values are never changed afterwards (resolvers copy what they normalise).
 */
const checked = new WeakSet<object>();

function isInputObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

/**
 * Checks one argument value (`path` is its name, "input.postalInfo[0].street[1]" below it).
 * Throws ValidationError naming the path; never quotes the value (it may be a secret).
 */
export function checkArgumentValue(path: string, value: unknown): void {
  if (typeof value === 'string') {
    if (value.length > MAX_ARGUMENT_CHARS) {
      throw new ValidationError(path, `is ${value.length} characters long; no argument may be longer than ${MAX_ARGUMENT_CHARS}`);
    }
    checkCharacters(path, value);
    return;
  }
  if (value === null || typeof value !== 'object' || checked.has(value)) return;
  if (Array.isArray(value)) {
    if (value.length > MAX_LIST_ITEMS) throw new ValidationError(path, `has ${value.length} items; no list may have more than ${MAX_LIST_ITEMS}`);
    value.forEach((item, i) => checkArgumentValue(`${path}[${i}]`, item));
  } else if (isInputObject(value)) {
    for (const [key, item] of Object.entries(value)) checkArgumentValue(`${path}.${key}`, item);
  } else {
    return; // scalars parsed into objects (dates): their scalar already checked them
  }
  checked.add(value);
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
