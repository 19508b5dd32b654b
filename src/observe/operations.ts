/**
 * Every GraphQL operation observed once, over HTTP and graphql-ws alike (as envelop's plugins
 * wrap execute and subscribe for any transport): counted and timed (rgw_graphql_operations_total,
 * rgw_graphql_operation_duration_seconds, with the transport as a label) and, when tracing is on
 * (src/observe/tracing.ts), traced: one span per operation and, under it, one span per upstream
 * command it caused (the backends' command events, one per attempt).
 *
 * An operation is settled once: a query or mutation when its answer is ready, a subscription
 * when it is set up (its stream started) or refused, any of them when it is refused before it
 * runs (limits, rate, parse, validation). Its outcome is the first error's `extensions.code`, or
 * "ok". HTTP reaches this through `apolloPlugin()` (and `httpMiddleware()` when tracing),
 * graphql-ws through `begin`, `within` and `Operation.end` (src/http/websocket.ts).
 *
 * Spans (names and attributes follow the OpenTelemetry GraphQL and error conventions):
 * - operation: "<type> <name>" (or "GraphQL Operation" until it is parsed), kind SERVER, with
 *   graphql.operation.type, graphql.operation.name, rgw.transport, rgw.registrar, and error.type
 *   (the code) with status ERROR when it failed; an HTTP request's W3C `traceparent` is its parent.
 * - upstream command: the command ("domain:info"), kind CLIENT, with registry.backend,
 *   registry.command, registry.object, registry.result_code, registry.client_transaction_id,
 *   registry.server_transaction_id, error.type. Never the document, variables, upstream messages,
 *   auth info, passwords or keys: secrets travel in those, and none of them is recorded.
 * Commands the gateway sends on its own (the poller's rounds, reconciliation sweeps) belong to no
 * operation and are not traced.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Attributes, Span } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import type { OperationDefinitionNode } from 'graphql';
import type { CommandEvent } from '../commandlog/command-log.js';
import type { Metrics } from '../metrics.js';
import type { Tracing } from './tracing.js';

/** How an operation arrived: HTTP (Apollo) or graphql-ws; the `transport` label of the operation metrics. */
export type Transport = 'http' | 'ws';

/** What an answer's errors look like to the observer: only the code is read. */
type Errors = readonly { extensions?: Record<string, unknown> }[] | undefined;

const headerGetter = {
  keys: (h: IncomingHttpHeaders) => Object.keys(h),
  get: (h: IncomingHttpHeaders, key: string) => h[key],
};

/** The outcome label of an answer: its first error's code, "error" for one without a code, or "ok". */
export function outcomeOf(errors: Errors): string {
  if (!errors?.length) return 'ok';
  const code = errors[0]!.extensions?.code;
  return typeof code === 'string' ? code : 'error';
}

/** One operation, from its arrival to its settling. */
export class Operation {
  private readonly started = performance.now();
  private type = 'invalid';
  private ended = false;

  constructor(
    private readonly metrics: Metrics,
    private readonly transport: Transport,
    /** Present only while tracing, with the tracing it belongs to. */
    readonly span?: Span,
    private readonly tracing?: Tracing,
  ) {}

  /** The document is parsed and valid: `operation` names the span and the metrics' type. */
  resolved(operation: OperationDefinitionNode | null | undefined, registrarId?: string): void {
    if (!operation) return;
    this.type = operation.operation;
    const name = operation.name?.value;
    this.span?.updateName(name ? `${this.type} ${name}` : this.type);
    this.span?.setAttributes({ 'graphql.operation.type': this.type, ...(name ? { 'graphql.operation.name': name } : {}), ...(registrarId ? { 'rgw.registrar': registrarId } : {}) });
  }

  get settled(): boolean {
    return this.ended;
  }

  /** Settles the operation with its answer's errors (none: "ok"). Only the first call counts. */
  end(errors?: Errors): void {
    if (this.ended) return;
    this.ended = true;
    const outcome = outcomeOf(errors);
    this.metrics.operation(this.transport, this.type, outcome, (performance.now() - this.started) / 1000);
    this.endSpan(outcome);
  }

  /**
   * An HTTP request answered without reaching GraphQL (Apollo refused it before its pipeline, for
   * one: a CSRF-prevention 400): its span ends with the status, and it is not counted, as it is
   * not counted when tracing is off.
   */
  abandon(status: number): void {
    if (this.ended) return;
    this.ended = true;
    this.endSpan(status < 400 ? 'ok' : `HTTP_${status}`);
  }

  private endSpan(outcome: string): void {
    if (!this.span || !this.tracing) return;
    if (outcome !== 'ok') {
      this.span.setAttribute('error.type', outcome);
      this.span.setStatus({ code: this.tracing.api.SpanStatusCode.ERROR, message: outcome });
    }
    this.span.end();
  }
}

/** Observes every operation (see above): begin() one as it arrives, bind()/within() to make its upstream commands its span's children. */
export class Operations {
  /** The operation the running code belongs to (only while tracing: nothing is tracked otherwise). */
  private readonly current: AsyncLocalStorage<Operation> | null;
  private readonly byContext = new WeakMap<object, Operation>();

  constructor(
    private readonly metrics: Metrics,
    private readonly tracing: Tracing | null,
  ) {
    this.current = tracing ? new AsyncLocalStorage() : null;
  }

  /** An operation arrived (before it is parsed); `headers` of an HTTP request carry its trace parent. */
  begin(transport: Transport, headers?: IncomingHttpHeaders): Operation {
    if (!this.tracing) return new Operation(this.metrics, transport);
    const { api, propagator, tracer } = this.tracing;
    const parent = headers ? propagator.extract(api.ROOT_CONTEXT, headers, headerGetter) : api.ROOT_CONTEXT;
    const span = tracer.startSpan('GraphQL Operation', { kind: api.SpanKind.SERVER, attributes: { 'rgw.transport': transport } }, parent);
    return new Operation(this.metrics, transport, span, this.tracing);
  }

  /** Binds an operation to the context value it executes with (graphql-ws), for `within`. */
  bind(contextValue: object, operation: Operation): void {
    this.byContext.set(contextValue, operation);
  }

  /** Runs `fn` as part of the operation bound to `contextValue`, so its upstream commands are its children. */
  within<T>(contextValue: unknown, fn: () => T): T {
    const operation = typeof contextValue === 'object' && contextValue !== null ? this.byContext.get(contextValue) : undefined;
    return this.current && operation ? this.current.run(operation, fn) : fn();
  }

  /**
   * Express middleware in front of Apollo (only while tracing): the request becomes an operation
   * for everything Apollo does with it, the parent of its commands' spans.
   */
  httpMiddleware(): ((req: Request, res: Response, next: NextFunction) => void) | null {
    const current = this.current;
    if (!current) return null;
    return (req, res, next) => {
      const operation = this.begin('http', req.headers);
      res.once('close', () => operation.abandon(res.statusCode));
      current.run(operation, next);
    };
  }

  /**
   * An HTTP request the gateway refused before Apollo saw it (no valid API key: checked before the
   * body is read): counted, and traced, as `type="invalid"` with `code` as its outcome, as
   * contextCreationDidFail counts a refusal in Apollo's context.
   */
  refusedHttp(code: string, headers: IncomingHttpHeaders): void {
    this.begin('http', headers).end([{ extensions: { code } }]);
  }

  /** Counts, times and (while tracing) ends the span of every operation Apollo Server answers over HTTP. */
  apolloPlugin<T extends { registrar?: { id: string } }>(): ApolloServerPlugin<T> {
    return {
      // The context function refused the request (UNAUTHENTICATED, RATE_LIMITED): no pipeline follows.
      // An error without a code (the key could not be read: the database is away) is answered as
      // INTERNAL_SERVER_ERROR (src/http/errors.ts) and counted so, not as "error".
      contextCreationDidFail: async ({ error }) => {
        const coded = typeof (error as { extensions?: Record<string, unknown> }).extensions?.code === 'string';
        (this.current?.getStore() ?? this.begin('http')).end([coded ? (error as { extensions?: Record<string, unknown> }) : { extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
      },
      requestDidStart: async () => {
        const operation = this.current?.getStore() ?? this.begin('http');
        return {
          didResolveOperation: async ({ operation: node, contextValue }) => operation.resolved(node, contextValue.registrar?.id),
          willSendResponse: async ({ response, errors }) => {
            const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
            operation.end(body?.errors ?? errors); // the answer's errors, as formatError coded them
          },
        };
      },
    };
  }

  /** An upstream command finished (the backends' onCommand): a child span of the operation that sent it. */
  command = (e: CommandEvent): void => {
    const operation = this.current?.getStore();
    if (!this.tracing || !operation?.span || operation.settled) return;
    const end = Date.now();
    const attributes: Attributes = {
      'registry.backend': e.backend,
      'registry.command': e.command,
      'registry.client_transaction_id': e.clTRID,
      ...(e.objectName ? { 'registry.object': e.objectName.slice(0, 255) } : {}),
      ...(typeof e.code === 'number' ? { 'registry.result_code': e.code } : {}),
      ...(e.svTRID ? { 'registry.server_transaction_id': e.svTRID } : {}),
      ...(e.errorCode ? { 'error.type': e.errorCode } : {}),
    };
    const { api, tracer } = this.tracing;
    const span = tracer.startSpan(e.command, { kind: api.SpanKind.CLIENT, startTime: end - e.durationMs, attributes }, api.trace.setSpan(api.ROOT_CONTEXT, operation.span));
    if (e.errorCode) span.setStatus({ code: api.SpanStatusCode.ERROR, message: e.errorCode });
    span.end(end);
  };
}
