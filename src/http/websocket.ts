import { GraphQLError, execute, getOperationAST, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { WebSocketServer } from 'ws';
import type { KeyRevocationWatch } from '../auth/revocation.js';
import { createContext, type GatewayContext, type Services } from '../context.js';
import type { OperationLimits } from '../limits/gate.js';
import type { MutationInputs } from '../limits/mutation-inputs.js';
import { declaredVariables, jsonLength, RetainedBytes } from '../limits/retained.js';
import { authenticate, connectionAuthorization, type Caller } from './authenticate.js';
import { DocumentCache } from './documents.js';
import { formatAll, type FormatError } from './errors.js';
import { requestSecrets } from './secrets.js';
import type { Operation, Operations } from '../observe/operations.js';
import { sharedSubscribe } from './shared-subscribe.js';
import { ConnectionSlots, TRY_AGAIN_LATER } from './ws-connections.js';
import { asDatabaseUnavailable, TRY_AGAIN_REASON } from './unavailable.js';
import { clientAddress, serveGraphqlWs } from './ws-server.js';

/**
 * What one connection carries: its caller (set at connection_init), how to stop watching its key,
 * its operations not settled yet, by subscription id, and what its open operations hold in memory
 * (limits.wsRetainedBytes).
 */
type ConnectionState = {
  caller?: Caller;
  unwatch?: () => void;
  operations?: Map<string, Operation>;
  retained?: RetainedBytes;
};

/** The longest operation id a graphql-ws client may use (graphql-ws's own client sends 36-character UUIDs). */
export const MAX_SUBSCRIPTION_ID = 128;

/** graphql-ws's close code for a message the server cannot take (its CloseCode.BadRequest). */
const BAD_REQUEST = 4400;

/**
 * The close reason of a subscribe message whose id is longer than MAX_SUBSCRIPTION_ID: it never
 * quotes the id (an open subscription keeps its id for as long as it runs, in graphql-ws's table
 * and each answer: ids of nearly 2 MB, a message's limit, held some 400 MiB per connection of 100;
 * and an answer echoing it was as big).
 */
export const SUBSCRIPTION_ID_TOO_LONG = `Bad request: a subscription id may be at most ${MAX_SUBSCRIPTION_ID} characters`;

/**
 * Why a subscribe message is refused before its document is read, or undefined: more than `max`
 * operations on the connection (TOO_MANY_SUBSCRIPTIONS; each holds a listener and its queue).
 * `subscriptions` is graphql-ws's table, this id included.
 */
function refusalOf(subscriptions: Record<string, unknown>, max: number): GraphQLError | undefined {
  if (Object.keys(subscriptions).length > max) {
    return new GraphQLError(`at most ${max} subscriptions per connection: complete one first, or open another connection`, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } });
  }
  return undefined;
}

/**
 * Drops what graphql-ws keeps of a connection_init's payload (ctx.connectionParams, held for the
 * connection's life; graphql-ws reads it no more after onConnect) once the gateway has read the
 * key from it: the connection then holds none of it, as one whose connection_init had no
 * payload, so a payload's unused fields (up to a message's 2 MB) are not retained per connection.
 */
export function forgetConnectionParams(ctx: { readonly connectionParams?: Readonly<Record<string, unknown>> }): void {
  delete (ctx as { connectionParams?: Readonly<Record<string, unknown>> }).connectionParams;
}

/** What a connection holds of its connection_init payload, as JSON characters (at most a little over `max`): limits.wsRetainedBytes counts it. */
export function connectionParamsBytes(ctx: { readonly connectionParams?: Readonly<Record<string, unknown>> }, max: number): number {
  return ctx.connectionParams === undefined ? 0 : jsonLength(ctx.connectionParams, max);
}

/** graphql-ws's close code for a connection_init it does not accept (its CloseCode.Forbidden). */
const FORBIDDEN = 4403;
/** The close reason of a connection_init without a valid API key (at most 123 bytes, RFC 6455 5.5). */
const NO_VALID_KEY = 'Forbidden: no valid API key; send connection_init with payload {"Authorization": "Bearer <key>"}';

/** The errors of an executed query or mutation; none for a subscription's stream (graphql-ws awaited the result). */
const errorsOf = (result: unknown) => (typeof result === 'object' && result !== null && !(Symbol.asyncIterator in result) ? (result as ExecutionResult).errors : undefined);

/**
 * graphql-ws on the same port and path as HTTP, with the same concerns as Apollo serves there:
 * the API key (from connection_init, or the upgrade request's Authorization header), the same
 * limits (`limits`: tokens, document rules, cost, rate), the same error format, revocation
 * (a revoked key's connections close with 4403), and the same counting and tracing of operations
 * (`operations`). A key holds at most `limits.wsConnectionsPerKey` connections open at once on
 * this instance: the connection_init beyond is refused with close 1013 (Try Again Later) and a
 * reason naming the limit. Socket and protocol errors go to the JSON logger (ws-server.ts).
 */
export function useWebSocket(opts: {
  schema: GraphQLSchema;
  wsServer: WebSocketServer;
  services: Services;
  limits: OperationLimits;
  /** Every root field of a mutation checked before any runs (src/limits/mutation-inputs.ts), as over HTTP. */
  mutationInputs: MutationInputs<GatewayContext>;
  formatError: FormatError;
  revocations: KeyRevocationWatch;
  operations: Operations;
  /** Config trustProxy: whose X-Forwarded-For names the client for the per-address connection limit (ws-server.ts clientAddress). */
  trustProxy?: readonly string[];
}) {
  const { schema, services, limits, mutationInputs, formatError, revocations, operations } = opts;
  const addressOf = clientAddress(opts.trustProxy);
  const documents = new DocumentCache(schema, limits.validationRules, limits.parseOptions);
  /** The errors as the client gets them: formatted, bounded, and without a value the operation used as a secret (secrets.ts). */
  const format = (errors: readonly GraphQLError[], request?: { document?: unknown; variables?: unknown }) =>
    formatAll(formatError, errors, limits.limits.maxErrors, request ? requestSecrets(request.document as DocumentNode | undefined, request.variables as Record<string, unknown> | undefined) : undefined);
  /** The parsed document of a payload, as far as it parsed (a cached parse, never a second one). */
  const documentOf = (query: string): DocumentNode | undefined => {
    const d = documents.get(query);
    return Array.isArray(d) ? undefined : (d as DocumentNode);
  };
  const shared = sharedSubscribe((context) => (context as GatewayContext).registrar.id);
  const perKey = new ConnectionSlots(limits.limits.wsConnectionsPerKey);
  const tooManyForKey = `too many WebSocket connections for this API key: at most ${perKey.max} open at once (limits.wsConnectionsPerKey)`;
  /** Settles the operation `id` of a connection (once; later errors of a running subscription are not counted again). */
  const settle = (state: ConnectionState, id: string, errors?: readonly GraphQLError[]): undefined => {
    state.operations?.get(id)?.end(errors);
    state.operations?.delete(id);
    return undefined;
  };
  /** Query and mutation answers whose errors onOperation formatted already. */
  const formatted = new WeakSet<object>();
  const served = serveGraphqlWs<ConnectionState>(
    {
      schema,
      execute: (args) => operations.within(args.contextValue, async () => (await mutationInputs.answer(args)) ?? execute(args)),
      subscribe: (args) => operations.within(args.contextValue, () => shared(args)),
      onConnect: async (ctx) => {
        // One string or nothing: an array (`{ Authorization: ["Bearer k1", "Bearer k2"] }`), a
        // number or an object is refused as a wrong key is, not read as its first or joined value.
        const authorization = connectionAuthorization(ctx.connectionParams ?? {}, ctx.extra.request);
        // graphql-ws keeps the payload (up to a message's 2 MB) as ctx.connectionParams for the
        // connection's whole life; the key, read above, is all the gateway uses of it.
        forgetConnectionParams(ctx);
        let caller: Caller | null;
        try {
          caller = await authenticate(services.apiKeys, authorization);
        } catch (err) {
          const down = asDatabaseUnavailable(err);
          if (!down) throw err; // logged, and the connection closed with 4500 (ws-server.ts)
          // The key could not be looked up: 1013 Try Again Later, which graphql-ws's client
          // retries (4500 it does not). The close frame goes first; graphql-ws's 4403 after
          // `false` then finds the socket closing and sends nothing.
          format([new GraphQLError(down.message, { originalError: down })]); // formatted for its log line only (UnavailableLog), as over HTTP
          ctx.extra.socket.close(TRY_AGAIN_LATER, TRY_AGAIN_REASON);
          return false;
        }
        if (!caller) {
          // 4403 as graphql-ws would close, with a reason that says what to send (its own is the bare
          // "Forbidden"); its close after `false` then finds the socket closing and sends nothing.
          ctx.extra.socket.close(FORBIDDEN, NO_VALID_KEY);
          return false;
        }
        const { socket } = ctx.extra;
        // Closed while its key was looked up: its close has run already (onClose included), so
        // nothing taken or watched for it now would ever be given back.
        if (socket.readyState !== socket.OPEN) return false;
        if (!perKey.hold(caller.keyId, socket)) {
          services.logger.warn({ remoteAddress: addressOf(ctx.extra.request), keyId: caller.keyId, limit: perKey.max }, 'WebSocket connection refused (1013): the key holds as many open connections as limits.wsConnectionsPerKey allows');
          socket.close(TRY_AGAIN_LATER, tooManyForKey);
          return false; // graphql-ws's own close (4403) finds the socket closing already
        }
        ctx.extra.caller = caller;
        ctx.extra.unwatch = revocations.watch(caller.keyId, () => ctx.extra.socket.close(4403, 'Forbidden: the API key was revoked'));
        return true;
      },
      onClose: (ctx) => ctx.extra.unwatch?.(),
      onSubscribe: async (ctx, id, payload) => {
        // An id over MAX_SUBSCRIPTION_ID is a malformed message, not an operation: the connection
        // closes with 4400 (as graphql-ws closes on any message it cannot take), and no answer
        // echoes the id. It leaves graphql-ws's table first, so nothing is sent for it (an error
        // is sent only for an id still in the table); this runs before any await, so no later
        // message on the connection is read before the close.
        if (id.length > MAX_SUBSCRIPTION_ID) {
          delete (ctx.subscriptions as Record<string, unknown>)[id];
          ctx.extra.socket.close(BAD_REQUEST, SUBSCRIPTION_ID_TOO_LONG);
          return [new GraphQLError(SUBSCRIPTION_ID_TOO_LONG, { extensions: { code: 'BAD_REQUEST' } })];
        }
        const operation = operations.begin('ws');
        (ctx.extra.operations ??= new Map()).set(id, operation);
        // Refusals are decided as the message arrives (graphql-ws has already entered its id in
        // ctx.subscriptions, so operations still starting count), and answered once it has paid.
        const refusal = refusalOf(ctx.subscriptions, services.config.limits.maxSubscriptions ?? 100);
        const caller = ctx.extra.caller!;
        try {
          // The point every operation spends on arrival, before anything else (as over HTTP, where
          // the context function spends it before Apollo reads the document): a refused subscribe
          // is paid for too, so a flood of them on one socket ends in RATE_LIMITED, as a flood of
          // refused HTTP requests does, instead of costing nothing.
          await limits.arrive(caller.keyId);
          if (refusal) return [refusal];
          const { result: document, bytes } = documents.entry(payload.query);
          if (Array.isArray(document)) return document as readonly GraphQLError[];
          const node = getOperationAST(document as DocumentNode, payload.operationName);
          operation.resolved(node, caller.registrar.id);
          if (!node) return [operationNotResolved(document as DocumentNode, payload.operationName)];
          // graphql-ws keeps this message for as long as the operation runs (hours, for a
          // subscription): only the variables the operation declares are kept (graphql-js reads
          // no other), and nothing of its extensions (which nothing here reads).
          const variables = node ? declaredVariables(node, payload.variables) : undefined;
          Object.assign(payload, { variables, extensions: undefined });
          if (node) {
            const retained = (ctx.extra.retained ??= new RetainedBytes(limits.limits.wsRetainedBytes, connectionParamsBytes(ctx, limits.limits.wsRetainedBytes)));
            retained.keepOnly(ctx.subscriptions);
            const tooMuch = retained.hold(id, document as DocumentNode, bytes, variables ? jsonLength(variables, retained.max) : 0);
            if (tooMuch) return [tooMuch];
            await limits.admit(caller.keyId, document as DocumentNode, node, variables);
          }
          const contextValue = createContext(services, caller.registrar);
          contextValue.payRows = (rows, signal) => limits.payRows(caller.keyId, rows, signal);
          operations.bind(contextValue, operation);
          return { schema, document: document as DocumentNode, operationName: payload.operationName, variableValues: variables, contextValue };
        } catch (err) {
          if (err instanceof GraphQLError) return [err];
          const down = asDatabaseUnavailable(err);
          if (down) return [new GraphQLError(down.message, { originalError: down })]; // SERVICE_UNAVAILABLE, formatted by onError
          settle(ctx.extra, id, [new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })]);
          throw err;
        }
      },
      // A query or mutation answered, or a subscription's stream started (its answers follow).
      // A query or mutation answered (its errors formatted here, as the client gets them), or a
      // subscription's stream started (its answers follow, formatted by onNext).
      onOperation: (ctx, id, _payload, args, result) => {
        const errors = errorsOf(result);
        if (!errors) return settle(ctx.extra, id);
        const answer = { ...(result as ExecutionResult), errors: format(errors, { document: args.document, variables: args.variableValues }) };
        formatted.add(answer);
        settle(ctx.extra, id, answer.errors);
        return answer;
      },
      onComplete: (ctx, id) => {
        ctx.extra.retained?.release(id);
        return settle(ctx.extra, id);
      },
      // The same error shapes (stable extensions.code), and as many at most, as over HTTP.
      onNext: (_ctx, _id, _payload, args, result) =>
        formatted.has(result) ? result : result.errors ? { ...result, errors: format(result.errors, { document: args.document, variables: args.variableValues }) } : undefined,
      onError: (ctx, id, payload, errors) => {
        ctx.extra.retained?.release(id);
        const answer = format(errors, { document: typeof payload.query === 'string' ? documentOf(payload.query) : undefined, variables: payload.variables });
        settle(ctx.extra, id, answer);
        return answer;
      },
    },
    opts.wsServer,
    services.logger,
    limits.limits,
    addressOf,
  );
  /** Bytes the parsed documents in the cache hold now (estimated: src/limits/retained.ts). */
  return { ...served, documentCacheBytes: () => documents.bytes };
}

/**
 * The error an operation that the document and `operationName` do not identify gets over HTTP:
 * graphql-js's message (`Unknown operation named "<name>".`, the name cut by the error formatter
 * to 32 characters; `Must provide operation name if query contains multiple operations.`; `Must
 * provide an operation.`) with Apollo Server's code OPERATION_RESOLUTION_FAILURE. graphql-ws would
 * otherwise answer its own "Unable to identify operation" with BAD_REQUEST, so the two transports
 * gave one mistake two codes.
 */
export function operationNotResolved(document: DocumentNode, operationName: string | null | undefined): GraphQLError {
  const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition').length;
  const message = operationName ? `Unknown operation named "${operationName}".` : operations === 0 ? 'Must provide an operation.' : 'Must provide operation name if query contains multiple operations.';
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } });
}
