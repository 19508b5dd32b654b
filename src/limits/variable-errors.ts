/**
 * A clear error for variables that do not fit the operation (GraphQL spec §6.1.2
 * CoerceVariableValues), in the form of the gateway's own bad-input errors: BAD_USER_INPUT with
 * `extensions.field` naming the argument the bad value reaches (`domains[1].currentExpiry`, not
 * the variable's own path), a message quoting at most a short prefix of the value (quoted()),
 * and no value at all under a secret's name (src/core/secret-names.ts), at any use of the variable.
 *
 * graphql-js's own message ("Variable "$items" got invalid value … at "items[1]…"; …") quotes the
 * whole value, once or twice, before the place it is about: a long value pushed the place out of
 * the 512 characters an error keeps, and a secret of the wrong type (an auth code sent as a
 * number) was echoed. It is worked out again here from graphql-js's coerceInputValue, whose
 * onError gives the path, the value and the reason apart; only on the error path (the cost check
 * met an error coercing the variables), so a valid request pays nothing for it.
 */
import { GraphQLError, Kind, coerceInputValue, isInputType, isNonNullType, print, typeFromAST, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { inspect } from 'graphql/jsutils/inspect.js';
import { quoted, quotedSpelling } from '../core/errors.js';
import { pathNamesSecret, SECRET_NAMES } from '../core/secret-names.js';
import { smallJson } from './small-json.js';

/** The message of a bad value under a secret's name: nothing of the value. */
export const SECRET_NOT_SHOWN = 'is not a valid value of its type (a secret: not shown)';

/**
 * The longest reason kept from graphql-js or a scalar, after the value was replaced in it by its
 * short quote: room for the longest the schema's own give (a bad date's, with its examples, some
 * 220 characters), under the 500 at which any message is cut.
 */
const MAX_REASON = 320;

/**
 * Every place `$name` is used below `selectionSets`, as argument paths (`domains`, `input.name`,
 * `authInfo`), in document order: the first is where the variable is first used.
 */
function argumentPathsOf(selectionSets: readonly SelectionSetNode[], name: string): string[] {
  const out: string[] = [];
  const inValue = (v: ValueNode, path: string): void => {
    if (v.kind === Kind.VARIABLE) {
      if (v.name.value === name) out.push(path);
    } else if (v.kind === Kind.LIST) {
      for (let i = 0; i < v.values.length; i++) inValue(v.values[i], `${path}[${i}]`);
    } else if (v.kind === Kind.OBJECT) {
      for (const f of v.fields) inValue(f.value, `${path}.${f.name.value}`);
    }
  };
  // An explicit stack, not recursion: the selection sets are as deep as the document allows.
  // Popped in reverse so that selections are met in document order.
  const sets = [...selectionSets].reverse();
  while (sets.length > 0) {
    const selections = sets.pop()!.selections;
    const inner: SelectionSetNode[] = [];
    for (const s of selections) {
      for (const d of s.directives ?? []) for (const a of d.arguments ?? []) inValue(a.value, a.name.value);
      if (s.kind === Kind.FIELD) for (const a of s.arguments ?? []) inValue(a.value, a.name.value);
      if (s.kind !== Kind.FRAGMENT_SPREAD && s.selectionSet) inner.push(s.selectionSet);
    }
    sets.push(...inner.reverse());
  }
  return out;
}

/** `reason` with every spelling of `value` in it (graphql-js's inspect(), JSON, plain) replaced by its short quote, and cut. */
function scrub(reason: string, value: unknown): string {
  // A value too big to write out (src/limits/small-json.ts) is spelt in a reason only by
  // graphql-js's inspect(), which stops at two levels and ten items.
  const small = smallJson(value, MAX_SPELT_NODES);
  const json = small ?? inspect(value);
  const shown = typeof value === 'string' ? quoted(value) : quotedSpelling(json);
  const spellings = new Set<string>([inspect(value), json]);
  if (typeof value === 'string') spellings.add(value);
  else if (value !== null && value !== undefined && small !== null) spellings.add(String(value));
  let out = reason;
  // Only spellings longer than the short quote need replacing (a value of MAX_QUOTE characters or less
  // is shown whole anyway); a shorter one would match inside the reason's own words (the value
  // "e" in "Value "e" does not exist") and inside quotes already put in. The longest first, so
  // that the quoted form goes before the bare one inside it.
  for (const s of [...spellings].filter((x) => x.length > shown.length).sort((a, b) => b.length - a.length)) out = out.split(s).join(shown);
  // A short string the reason spells bare (a scalar's own message: "invalid date-time-string next
  // june.") is quoted where it stands as a whole (between spaces or punctuation), never inside a
  // word; a reason that already quotes it (graphql-js: 'Value "e" does not exist') is left alone.
  if (typeof value === 'string' && value.length > 0 && !out.includes(shown)) {
    out = out.replace(new RegExp(`(?<=^|\\s)${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[\\s.,;:!?)])`, 'g'), shown);
  }
  return out.length <= MAX_REASON ? out : `${out.slice(0, MAX_REASON - 1)}…`;
}

/** Values (objects, arrays, leaves) a wrong value may have for scrub() to write it out whole. */
const MAX_SPELT_NODES = 1000;

const badInput = (field: string, reason: string) =>
  new GraphQLError(`${field}: ${reason}`, { extensions: { code: 'BAD_USER_INPUT', field, http: { status: 400 } } });

/**
 * The first variable of `operation` that `variables` does not fit, as a BAD_USER_INPUT error
 * (above), or null when they all fit (the caller's error was about something else). Variables
 * whose type the schema does not know are left to validation, which refuses them first.
 * `extensions.field` is where the variable is first used in the operation (its own name, `$a`,
 * when only a fragment uses it); nothing of the value is shown when any use of it, in the
 * operation or in a fragment of `document`, is under a secret's name (`domain(name: $a)` and
 * `transfer(authInfo: $a)`).
 */
export function variableError(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined, document?: DocumentNode): GraphQLError | null {
  const given = variables ?? {};
  const fragments = (document?.definitions ?? []).flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [d.selectionSet] : []));
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    const type = typeFromAST(schema, def.type);
    if (!type || !isInputType(type)) continue;
    const uses = argumentPathsOf([operation.selectionSet], name);
    const at = uses[0] ?? `$${name}`;
    const secretUse = [...uses, ...argumentPathsOf(fragments, name)].some(pathNamesSecret);
    if (!Object.prototype.hasOwnProperty.call(given, name)) {
      if (isNonNullType(type) && !def.defaultValue) return badInput(at, `is required: the variable $${name} (${String(type)}) was not given`);
      continue;
    }
    const value = given[name];
    if (value === null && isNonNullType(type)) return badInput(at, `must not be null (the variable $${name} is ${String(type)})`);
    let first: { path: ReadonlyArray<string | number>; invalid: unknown; reason: string } | undefined;
    coerceInputValue(value, type, (path, invalid, error) => {
      first ??= { path, invalid, reason: error.message };
    });
    if (!first) continue;
    // An input object's missing or unknown field is reported at the object, its name in the reason.
    // An unknown field's name is the client's, any length: shown, in the path and the reason, as
    // its first MAX_QUOTE characters at most.
    const inObject = /^Field "([_A-Za-z][_0-9A-Za-z]*)" (?:of required type|is not defined by type)/.exec(first.reason)?.[1];
    const shownName = inObject === undefined ? undefined : quotedSpelling(inObject);
    if (inObject !== undefined && shownName !== inObject) first.reason = first.reason.replace(`"${inObject}"`, `"${shownName}"`);
    const field = at + [...first.path, ...(shownName ? [shownName] : [])].map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');
    // Under a secret's name nothing of the value or of a reason that may spell it is shown: the
    // name may be the argument the variable feeds here or at any other use (`requestTransfer(authInfo: $a)`,
    // `input.authInfo`) as well as a field inside the value.
    if (secretUse || first.path.some((k) => typeof k === 'string' && SECRET_NAMES.has(k))) return badInput(field, SECRET_NOT_SHOWN);
    return badInput(field, scrub(first.reason, first.invalid));
  }
  return null;
}

/**
 * The error of an argument that a variable makes invalid although the variable fits its own
 * type: a nullable variable with a default (`query($n: Int = 5) { domains(first: $n) }`) may stand
 * where the argument is non-null (GraphQL spec §5.8.5, "Allowing optional variables when default
 * values exist"), and a null sent for it is refused only as the arguments are coerced (§6.4.1
 * CoerceArgumentValues; graphql-js getArgumentValues). `err`: what getArgumentValues threw ->
 * BAD_USER_INPUT naming the argument (`first`; its whole name, as the schema's own) at its place
 * in the document, quoting at most a short prefix of the argument's literal; null for any other
 * error.
 */
export function argumentError(err: unknown): GraphQLError | null {
  if (!(err instanceof GraphQLError)) return null;
  const node = err.nodes?.[0];
  const nullVariable = /^Argument "([_A-Za-z][_0-9A-Za-z]*)" of non-null type "([^"]+)" must not be null\.$/.exec(err.message);
  if (nullVariable) {
    const [, field, type] = nullVariable;
    const why = node?.kind === Kind.VARIABLE ? `must not be null (it is ${type}; the variable $${node.name.value} is null)` : `must not be null (it is ${type})`;
    return new GraphQLError(`${field}: ${why}`, { nodes: err.nodes, extensions: { code: 'BAD_USER_INPUT', field, http: { status: 400 } } });
  }
  const invalid = /^Argument "([_A-Za-z][_0-9A-Za-z]*)" has invalid value /.exec(err.message);
  if (invalid) {
    const field = invalid[1]!;
    const literal = node ? print(node) : '';
    return new GraphQLError(`${field}: a variable in its value is null where a value is required (${quotedSpelling(literal)})`, { nodes: err.nodes, extensions: { code: 'BAD_USER_INPUT', field, http: { status: 400 } } });
  }
  return null;
}
