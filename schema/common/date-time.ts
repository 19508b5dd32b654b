import { GraphQLError, GraphQLScalarType, Kind, type GraphQLSchema, type ValueNode } from 'graphql';
import { OutOfRangeDate, inStoredRange, parseCalendarDate } from '../../src/core/time.js';

/** Distinct date-time strings remembered per scalar (a bulk job's items mostly share a few expiries), */
const REMEMBERED = 256;
/** each at most this long ("2027-06-01T00:00:00.000+00:00" is 29; a fraction may have any number of digits). */
const REMEMBERED_CHARS = 40;

/**
 * Has the schema's `DateTimeISO` scalar (type-graphql's Date, graphql-scalars' parser) remember
 * the instant each date-time string it parsed from a variable stands for: the same string gives a
 * new Date of the same instant without its regular expressions being run again. A bulkRenew of
 * 10,000 items with one expiry date parsed 20,000 strings (the cost check coerces the variables,
 * then execution does), about 20 ms of CPU. Only strings that parsed are remembered, so an invalid
 * one fails with the scalar's own error every time, and only short ones (at most 256 strings of 40
 * characters are kept, so a client cannot make it hold much); Date values and literals in the
 * document go to the scalar as before. The SDL is unchanged. Changes the scalar in place; returns
 * the schema.
 */
export function rememberDateTimeParsing(schema: GraphQLSchema): GraphQLSchema {
  const scalar = schema.getType('DateTimeISO');
  if (!(scalar instanceof GraphQLScalarType)) return schema;
  const parse = scalar.parseValue.bind(scalar);
  const instants = new Map<string, number>();
  scalar.parseValue = (value: unknown) => {
    if (typeof value !== 'string' || value.length > REMEMBERED_CHARS) return parse(value);
    const known = instants.get(value);
    if (known !== undefined) return new Date(known);
    const date = parse(value) as Date;
    if (instants.size >= REMEMBERED) instants.clear();
    instants.set(value, date.getTime());
    return date;
  };
  return schema;
}

/**
 * `date` as parsed from `sent`, or, when it falls outside the UTC years 0001-9999 (src/core/time.ts
 * inStoredRange: `0000-01-01`, `0001-01-01T00:00:00+01:00`), an OutOfRangeDate keeping `sent`,
 * which the argument check (src/validation/guard.ts) refuses as BAD_USER_INPUT naming its field,
 * in a variable and in the document alike (a scalar's own error in the document would be
 * GRAPHQL_VALIDATION_FAILED).
 */
function ranged(date: Date, sent: string): Date {
  return inStoredRange(date) ? date : new OutOfRangeDate(date.getTime(), sent);
}

/** What an invalid date-time is told: the forms taken, each with an example. */
export const DATE_TIME_FORMS = 'give a date-time with its offset, such as 2028-12-02T10:15:30Z (only the currentExpiry of a renewal also takes a date alone: 2028-12-02)';

/** What a JSON value or a literal is, in words, never spelling it ("an object", "a list of 3 items"). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** The same for a literal in the document (graphql-js ValueNode kinds). */
function literalKind(ast: ValueNode): string {
  switch (ast.kind) {
    case Kind.LIST: return 'a list';
    case Kind.OBJECT: return 'an object';
    case Kind.INT: case Kind.FLOAT: return 'a number';
    case Kind.BOOLEAN: return 'a boolean';
    case Kind.NULL: return 'null';
    case Kind.ENUM: return 'an enum value';
    default: return 'not a string';
  }
}

/**
 * The error for a value that is no string at all (a number, a list, an object, however deeply
 * nested): what the scalar expects and what kind of value came, never the value itself.
 * graphql-scalars' own message spelt the value with JSON.stringify, which quoted a whole object
 * and, for one nested some 5,000 levels deep, threw RangeError ("Maximum call stack size
 * exceeded"), which graphql-js then put in the message.
 */
export function notADateTime(what: string, nodes?: ValueNode): GraphQLError {
  return new GraphQLError(`expected an ISO 8601 date-time string (RFC 3339), not ${what}: ${DATE_TIME_FORMS}`, nodes ? { nodes } : undefined);
}

/**
 * Has the schema's `DateTimeISO` scalar also take a calendar date alone, `2028-12-02` (RFC 3339
 * full-date), as 00:00 UTC of that day, marked (src/core/time.ts isCalendarDate) so that a field
 * that needs an instant (the command log's `from`/`to`) refuses it with its own error; a renewal's
 * currentExpiry is a date (EPP curExpDate, RFC 5731 section 3.2.3: only its date is sent and
 * compared), where a registrar's frontend holds a date. Every other string is parsed as before, and
 * a bad one fails with graphql-scalars' message followed by the forms taken (DATE_TIME_FORMS); a
 * value that is no string (a number, list or object, in a variable or the document) fails with
 * notADateTime, which names its kind and never spells it. The
 * type's name and description are unchanged. A date outside the years 0001-9999 (UTC) is handed
 * on marked (ranged) for the argument check to refuse. Changes the scalar in place; returns the schema.
 */
export function acceptCalendarDates(schema: GraphQLSchema): GraphQLSchema {
  const scalar = schema.getType('DateTimeISO');
  if (!(scalar instanceof GraphQLScalarType)) return schema;
  const parseValue = scalar.parseValue.bind(scalar);
  const parseLiteral = scalar.parseLiteral.bind(scalar);
  const explained = <T>(parse: () => T): T => {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof GraphQLError)) throw err;
      throw new GraphQLError(`${err.message.replace(/\.$/, '')}: ${DATE_TIME_FORMS}`, { nodes: err.nodes, extensions: err.extensions });
    }
  };
  scalar.parseValue = (value: unknown) => {
    if (value instanceof Date) return explained(() => parseValue(value));
    if (typeof value !== 'string') throw notADateTime(kindOf(value));
    return ranged(parseCalendarDate(value) || (explained(() => parseValue(value)) as Date), value);
  };
  scalar.parseLiteral = (ast: ValueNode, variables?: Record<string, unknown> | null) => {
    if (ast.kind === Kind.VARIABLE) return explained(() => parseLiteral(ast, variables));
    if (ast.kind !== Kind.STRING) throw notADateTime(literalKind(ast), ast);
    return ranged(parseCalendarDate(ast.value) || (explained(() => parseLiteral(ast, variables)) as Date), ast.value);
  };
  return schema;
}
