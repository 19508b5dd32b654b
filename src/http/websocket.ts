import { GraphQLError, getOperationAST, type DocumentNode, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { WebSocketServer } from 'ws';
import type { KeyRevocationWatch } from '../auth/revocation.js';
import { createContext, type GatewayContext, type Services } from '../context.js';
import type { OperationLimits } from '../limits/gate.js';
import { authenticate, type Caller } from './authenticate.js';
import { DocumentCache } from './documents.js';
import { formatAll, type FormatError } from './errors.js';
import { sharedSubscribe } from './shared-subscribe.js';

/** What one connection carries: its caller (set at connection_init) and how to stop watching its key. */
type ConnectionState = {
  caller?: Caller;
  unwatch?: () => void;
};

/**
 * graphql-ws on the same port and path as HTTP, with the same concerns as Apollo serves there:
 * the API key (from connection_init, or the upgrade request's Authorization header), the same
 * limits (`limits`: tokens, document rules, cost, rate), the same error format, and revocation
 * (a revoked key's connections close with 4403).
 */
export function useWebSocket(opts: {
  schema: GraphQLSchema;
  wsServer: WebSocketServer;
  services: Services;
  limits: OperationLimits;
  formatError: FormatError;
  revocations: KeyRevocationWatch;
}) {
  const { schema, services, limits, formatError, revocations } = opts;
  const documents = new DocumentCache(schema, limits.validationRules, limits.parseOptions);
  const format = (errors: readonly GraphQLError[]) => formatAll(formatError, errors, limits.limits.maxErrors);
  return useServer<Record<string, unknown>, ConnectionState>(
    {
      schema,
      subscribe: sharedSubscribe((context) => (context as GatewayContext).registrar.id),
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const header = (params.Authorization ?? params.authorization ?? ctx.extra.request.headers.authorization) as string | undefined;
        const caller = await authenticate(services.prisma, header);
        if (!caller) return false; // graphql-ws closes with 4403 Forbidden
        ctx.extra.caller = caller;
        ctx.extra.unwatch = revocations.watch(caller.keyId, () => ctx.extra.socket.close(4403, 'Forbidden: the API key was revoked'));
        return true;
      },
      onClose: (ctx) => ctx.extra.unwatch?.(),
      onSubscribe: async (ctx, _id, payload) => {
        // Each subscription holds a listener and its queue: a connection gets a bounded number.
        const max = services.config.limits.maxSubscriptions ?? 100;
        if (Object.keys(ctx.subscriptions).length > max) {
          return [new GraphQLError(`at most ${max} subscriptions per connection: complete one first, or open another connection`, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } })];
        }
        const keyId = ctx.extra.caller!.keyId;
        try {
          await limits.arrive(keyId);
          const document = documents.get(payload.query);
          if (Array.isArray(document)) return document as readonly GraphQLError[];
          const operation = getOperationAST(document as DocumentNode, payload.operationName);
          if (operation) await limits.admit(keyId, document as DocumentNode, operation, payload.variables ?? undefined);
          return { schema, document: document as DocumentNode, operationName: payload.operationName, variableValues: payload.variables };
        } catch (err) {
          if (err instanceof GraphQLError) return [err];
          throw err;
        }
      },
      context: (ctx) => createContext(services, ctx.extra.caller!.registrar),
      // The same error shapes (stable extensions.code), and as many at most, as over HTTP.
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: format(result.errors) } : undefined),
      onError: (_ctx, _id, _payload, errors) => format(errors),
    },
    opts.wsServer,
  );
}
