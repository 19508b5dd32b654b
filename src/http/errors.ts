import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { GraphQLError, Kind, isEnumType, isInputObjectType, isInterfaceType, isObjectType, print } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { DomainReadError, GatewayError, MAX_QUOTE, quoted, quotedSpelling } from '../core/errors.js';
import { recodeTokenLimit, recodeValidationAborted } from '../limits/document.js';
import { argumentField } from './argument-field.js';
import { SECRET_NOT_SHOWN } from '../limits/variable-errors.js';
import { pathNamesSecret } from '../core/secret-names.js';
import { redactErrors, requestSecrets } from './secrets.js';
import type { Logger } from '../logger.js';
import { asDatabaseUnavailable, UnavailableLog } from './unavailable.js';

/**
 * Every error leaves with a stable extensions.code. Gateway errors carry the field at fault and,
 * for registry errors, the upstream code and message (and the domain, `domainName`, for a page's
 * domain that could not be read: DomainReadError); the database not answering is
 * SERVICE_UNAVAILABLE (src/http/unavailable.ts), with the detail only in the log (UnavailableLog);
 * anything else unexpected is masked as INTERNAL_SERVER_ERROR with the detail only in the log.
 * Messages are cut at MAX_MESSAGE characters, whatever produced them (graphql-js quotes literals
 * whole).
 */
export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** Characters of a message (and of a registry's message) an answer carries at most. */
export const MAX_MESSAGE = 500;

const cut = (s: string): string => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 1)}…` : s);

/** Characters of `extensions.field` an answer carries at most, as ValidationError cuts its own (core/errors.ts). */
const MAX_FIELD = 128;

/**
 * `extensions` with its field cut to MAX_FIELD: a field path is made of the names the client
 * wrote, and an unknown argument or input field name can be as long as the body (one of
 * 100,000 characters came back whole in `field`, while the message was cut).
 */
const cutField = <T extends Record<string, unknown>>(extensions: T): T =>
  typeof extensions.field === 'string' && extensions.field.length > MAX_FIELD ? { ...extensions, field: `${extensions.field.slice(0, MAX_FIELD - 1)}…` } : extensions;

/**
 * The formatter both transports use. `schema` lets a validation error about a missing required
 * argument or input field name it in `extensions.field` (argument-field.ts); without it, only
 * errors with a node inside an argument (a wrong value) get one.
 */
export function makeFormatError(logger: Logger, limits: { maxTokens?: number } = {}, schema?: GraphQLSchema): FormatError {
  const unavailable = new UnavailableLog(logger);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    let original = unwrapResolverError(error);
    // graphql-ws wraps an error thrown by a subscription's stream without a path, and Apollo wraps
    // parse and validation errors, which unwrapping leaves alone: look inside, so the innermost
    // error's code (or its masking) is what the client sees.
    if (original instanceof GraphQLError && original.originalError) original = original.originalError;
    // A statement that failed because the database did not answer (a resolver's read or write, a
    // subscription's stream) is SERVICE_UNAVAILABLE, not a bug.
    const down = original instanceof GraphQLError ? undefined : asDatabaseUnavailable(original);
    if (down) {
      unavailable.answered(down);
      original = down;
    }
    if (original instanceof GatewayError) {
      // A page's domain whose read failed unexpectedly: masked as INTERNAL_SERVER_ERROR (its own
      // message says only that), the detail in the log, as for any unexpected error.
      if (original instanceof DomainReadError && !(original.cause instanceof GatewayError)) logger.error({ err: original.cause, path: formatted.path }, 'unexpected error');
      const d = original.details;
      return {
        message: cut(original.message),
        locations: formatted.locations,
        path: formatted.path,
        extensions: {
          code: original.code,
          ...(d.field ? { field: d.field } : {}),
          ...(d.upstreamCode !== undefined ? { upstreamCode: d.upstreamCode, upstreamMessage: cut(d.upstreamMessage ?? '') } : {}),
          ...(d.backend ? { registry: d.backend } : {}),
          ...(d.retryable ? { retryable: true } : {}),
          ...(d.retryAfter !== undefined ? { retryAfter: d.retryAfter } : {}),
          ...(d.domainName ? { domainName: d.domainName } : {}),
          ...(d.partlyApplied?.length ? { partlyApplied: d.partlyApplied } : {}),
          ...(d.limit ? { limit: d.limit, max: d.max } : {}),
        },
      };
    }
    if (original instanceof GraphQLError && limits.maxTokens) original = recodeTokenLimit(original, { maxTokens: limits.maxTokens });
    if (original instanceof GraphQLError) original = recodeValidationAborted(original);
    const ownCode = original instanceof GraphQLError ? original.extensions.code : undefined;
    if (typeof ownCode === 'string' && original instanceof GraphQLError && original !== error) {
      // A code the gateway set on the inner error wins over the wrapper's (Apollo's GRAPHQL_VALIDATION_FAILED).
      const { http: _http, ...extensions } = original.extensions;
      return { message: cut(original.message), locations: formatted.locations, path: formatted.path, extensions: cutField({ ...extensions, code: ownCode }) };
    }
    const code = formatted.extensions?.code;
    if (original instanceof GraphQLError || (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR')) {
      const { http: _http, ...extensions } = formatted.extensions ?? {};
      // A validation error about an argument names it, as the gateway's own errors do (Apollo's and
      // graphql-ws's wrappers keep graphql-js's error, with its AST nodes, as `original`).
      const field = code === 'GRAPHQL_VALIDATION_FAILED' && original instanceof GraphQLError && extensions.field === undefined ? argumentField(original, schema) : undefined;
      const message = shortQuotes(secretFree(formatted.message, code, original, field ?? (typeof extensions.field === 'string' ? extensions.field : undefined)), code, original, schema);
      return { ...formatted, message: cut(message), extensions: cutField({ ...extensions, code: code ?? 'BAD_REQUEST', ...(field !== undefined ? { field } : {}) }) };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error');
    return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/**
 * `message` without a secret graphql-js wrote into it from the document: a literal of the wrong
 * type under a secret's name (`requestTransfer(authInfo: {a: "..."})`: "String cannot represent a
 * non string value: {a: "..."}") says only that, as a variable of the wrong type does
 * (src/limits/variable-errors.ts); a syntax error says which kind of token it found but not a
 * string's text (`found String "..."`), since the parser cannot tell an auth code from any other
 * string. Other messages are returned as they are, among them one about a secret field left out
 * (`Field "CreateDomainInput.authInfo" of required type "String!" was not provided.`): it quotes
 * no value, and its node is the object around the field, which holds no value of the secret.
 */
function secretFree(message: string, code: unknown, original: unknown, field: string | undefined): string {
  if (code === 'GRAPHQL_PARSE_FAILED') return message.replace(/found (String|BlockString) "[\s\S]*"(?=\.?$)/, 'found $1 (its text not shown)');
  if (code !== 'GRAPHQL_VALIDATION_FAILED' || field === undefined || !pathNamesSecret(field) || !(original instanceof GraphQLError)) return message;
  // Only an error about a value written in the document quotes it; one about a variable's type
  // ("Variable "$a" of type "Int!" used in position expecting ...") does not. A value other than an
  // object is the secret's own; an object may be the secret's value (printed into the message) or
  // the input around it (a field left out: printed nowhere, only its type's and field's names).
  const secret = (original.nodes ?? []).some((n) => {
    if (n.kind === Kind.VARIABLE || !VALUE_KINDS.has(n.kind)) return false;
    if (n.kind !== Kind.OBJECT) return true;
    return message.includes(print(n)) || n.fields.some((f) => f.value.kind !== Kind.VARIABLE && message.includes(print(f.value)));
  });
  return secret ? `${field}: ${SECRET_NOT_SHOWN}` : message;
}

/**
 * `message` (graphql-js's or Apollo's, about a document) with each thing of the client's it quotes
 * cut to what core/errors.ts quoted() / quotedSpelling() show (MAX_QUOTE characters): graphql-js
 * prints a literal whole (`Int cannot represent non-integer value: "<600 characters>"`, `Value
 * "<600 characters>" does not exist in "PeriodUnit" enum`), the parser a token whole (`Unexpected
 * Name "<...>"`), and graphql-js and Apollo quote an `operationName` that names no operation as
 * it was sent (`Unknown operation named "<...>".`), and a scalar spells a string bare (`DateTime
 * cannot represent an invalid date-time-string <...>`), so only the cut at MAX_MESSAGE bounded them.
 * A literal is found by the error's AST nodes; a name, a number token or a type reference as a
 * quoted run without spaces longer than MAX_QUOTE, unless it starts with a type `schema` has (the
 * schema's own coordinates, `"UpdateDomainInput.removeAllDnssec"`, and type references stay whole).
 */
function shortQuotes(message: string, code: unknown, original: unknown, schema: GraphQLSchema | undefined): string {
  const unknownOperation = /^Unknown operation named "([\s\S]*)"\.$/.exec(message);
  if (unknownOperation) return `Unknown operation named ${quoted(unknownOperation[1]!)}.`;
  if (code !== 'GRAPHQL_VALIDATION_FAILED' && code !== 'GRAPHQL_PARSE_FAILED') return message;
  let out = message;
  if (original instanceof GraphQLError) {
    for (const n of original.nodes ?? []) {
      if (n.kind === Kind.VARIABLE || !VALUE_KINDS.has(n.kind) || n.kind === Kind.OBJECT_FIELD) continue;
      const printed = print(n);
      if (printed.length <= MAX_QUOTE) continue;
      if (out.includes(printed)) out = out.split(printed).join(n.kind === Kind.STRING ? quoted(n.value) : quotedSpelling(printed));
      // A scalar's own message spells a string bare (`an invalid date-time-string <the string>`).
      if (n.kind === Kind.STRING && n.value.length > MAX_QUOTE && out.includes(n.value)) out = out.split(n.value).join(quoted(n.value));
    }
  }
  const schemaOwn = (inner: string) => {
    const m = /^\[*([_A-Za-z]\w*)(?:\.([_A-Za-z]\w*))?[\]!]*$/.exec(inner);
    const type = m ? schema?.getType(m[1]!) : undefined;
    if (!type || m![2] === undefined) return type !== undefined;
    const member = m![2];
    if (isEnumType(type)) return type.getValue(member) !== undefined;
    return (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) && member in type.getFields();
  };
  return out.replace(/"([^"\s]+)"/g, (whole, inner: string) => (inner.length > MAX_QUOTE && !schemaOwn(inner) ? quoted(inner) : whole));
}

/** AST kinds of values written in a document (graphql-js's ValueNode, but a variable). */
const VALUE_KINDS = new Set<string>([Kind.INT, Kind.FLOAT, Kind.STRING, Kind.BOOLEAN, Kind.NULL, Kind.ENUM, Kind.LIST, Kind.OBJECT, Kind.OBJECT_FIELD]);

/**
 * At most `max` errors in one answer: the first max - 1, then one TOO_MANY_ERRORS entry saying
 * how many were left out (a thousand failing aliases must not make a thousand-error answer).
 */
export function boundErrors(errors: readonly GraphQLFormattedError[], max: number): GraphQLFormattedError[] {
  if (errors.length <= max) return [...errors];
  const kept = errors.slice(0, Math.max(0, max - 1));
  const omitted = errors.length - kept.length;
  return [...kept, { message: `${omitted} more errors were left out of this answer`, extensions: { code: 'TOO_MANY_ERRORS', omitted } }];
}

/**
 * The answer's errors, formatted, bounded and without the request's secrets (`secrets`:
 * src/http/secrets.ts requestSecrets), for graphql-ws (Apollo does the same for HTTP through
 * formatError and boundErrorsPlugin).
 */
export function formatAll(format: FormatError, errors: readonly GraphQLError[], max: number, secrets?: ReadonlySet<string>): GraphQLError[] {
  // graphql-ws wants GraphQLError instances; formatted errors are plain objects of the same shape.
  const bounded = boundErrors(errors.map((e) => format(e.toJSON(), e)), max);
  return (secrets ? redactErrors(bounded, secrets) : bounded) as unknown as GraphQLError[];
}

/**
 * Apollo plugin bounding the number of errors of every HTTP answer and taking out of them every
 * value the request used as a secret (src/http/secrets.ts: its document as far as it parsed, and
 * its variables).
 */
export function boundErrorsPlugin<T extends object>(max: number): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, document, request }) {
          if (response.body.kind === 'single' && response.body.singleResult.errors) {
            const bounded = boundErrors(response.body.singleResult.errors, max);
            response.body.singleResult.errors = redactErrors(bounded, requestSecrets(document, request.variables));
          }
        },
      };
    },
  };
}
