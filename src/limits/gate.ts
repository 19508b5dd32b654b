/**
 * Every limit on an operation, in one place for both transports (the way envelop's plugins cover
 * execute and subscribe once): the parse options and validation rules that bound the document,
 * the cost check and the per-key rate limit. HTTP reaches them through `apolloPlugin()` and
 * Apollo's parseOptions/validationRules; graphql-ws through the same `parseOptions`,
 * `validationRules`, `arrive` and `admit` (src/http/websocket.ts).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type ParseOptions, type ValidationRule } from 'graphql';
import { ROW, checkCost } from './cost.js';
import { documentRules, parseOptions } from './document.js';
import { subscriptionOverHttp } from './errors.js';
import type { Limits } from './limits.js';
import type { KeyRateLimiter } from './rate-limit.js';
import { smallJson } from './small-json.js';

/** Context fields the HTTP plugin needs: the API key that sent the request. */
export interface KeyedContext {
  keyId: string;
}

/** Costs kept per operation node, by its variables (JSON; "" without any): at most this many variable sets per operation, */
const COSTS_PER_OPERATION = 64;
/** and only for variables up to this many characters of JSON. */
const MAX_VARIABLES_KEY = 1024;

/**
 * The limits of one schema (above): parse options, validation rules, the cost check (refused
 * before running: QUERY_TOO_COMPLEX with `limit`, `max` and the dearest `field`) and the per-key rate limit (RATE_LIMITED, HTTP 429).
 */
export class OperationLimits {
  readonly parseOptions: ParseOptions;
  readonly validationRules: readonly ValidationRule[];
  /**
   * Costs already worked out. Apollo's document store and the graphql-ws document cache hand out
   * one DocumentNode per distinct document, so a document sent again is not walked again: its
   * cost depends only on it and its variables. Held weakly: gone with the document.
   */
  private readonly costs = new WeakMap<OperationDefinitionNode, Map<string, number>>();

  constructor(
    private readonly schema: GraphQLSchema,
    readonly limits: Limits,
    private readonly rateLimiter: KeyRateLimiter,
  ) {
    this.parseOptions = parseOptions(limits);
    this.validationRules = documentRules(limits);
  }

  /** An operation arrived from `keyId`, not yet parsed: spends 1 point, or throws RATE_LIMITED. */
  arrive(keyId: string): Promise<void> {
    return this.rateLimiter.spend(keyId, 1);
  }

  /**
   * A parsed, valid operation with its variables: throws QUERY_TOO_COMPLEX when it costs more
   * than limits.maxCost, RATE_LIMITED when the key has not its cost left (less the point spent
   * on arrival). Nothing has run yet either way.
   */
  async admit(keyId: string, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): Promise<number> {
    const cost = this.costOf(document, operation, variables);
    await this.rateLimiter.spend(keyId, cost - 1);
    return cost;
  }

  /**
   * Pays for `rows` rows a subscription read from the store for its client (a pollMessages replay
   * from `after`, or a gap it reads again): ROW points each, as the query pays for the rows of a
   * page (src/limits/cost.ts), from the key's budget, in spends of at most the window's points.
   * A spend the key has no points left for waits for the window's end (retryAfter) and is made
   * again, so the stream goes on in order once the key has points, nothing lost; it returns at
   * once when `signal` aborts (the client completed or left). Before, a replay cost its
   * subscription's 5 points whatever it read: one key's 3,000 subscriptions replaying 38 messages
   * each, every 3 s, held another registrar's `{ viewer { id } }` up to 2.5 s (a subscriptions trial).
   */
  async payRows(keyId: string, rows: number, signal: AbortSignal): Promise<void> {
    const perSpend = Math.max(1, Math.floor((this.limits.rateLimit ? this.limits.rateLimit.points : Infinity) / ROW));
    for (let left = rows; left > 0 && !signal.aborted; ) {
      const n = Math.min(left, perSpend);
      try {
        await this.rateLimiter.spend(keyId, n * ROW);
        left -= n;
      } catch (err) {
        const retryAfter = err instanceof GraphQLError && err.extensions.code === 'RATE_LIMITED' ? Number(err.extensions.retryAfter) : NaN;
        if (!Number.isFinite(retryAfter)) throw err;
        await abortableSleep(retryAfter * 1000, signal);
      }
    }
  }

  /** checkCost, remembered per operation and variables (a refusal is not remembered: it throws). */
  private costOf(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): number {
    // Variables of more than MAX_VARIABLES_KEY values are longer than that in JSON: such variables
    // (a bulk job's 10,000 items, 700 KB; or any nested deeper than JSON.stringify can recurse)
    // are not written out only to be found too long to keep (src/limits/small-json.ts).
    const key = variables && Object.keys(variables).length > 0 ? smallJson(variables, MAX_VARIABLES_KEY) : '';
    if (key === null) return checkCost(this.schema, document, operation, variables, this.limits.maxCost, this.limits.maxFields);
    let known = this.costs.get(operation);
    const hit = known?.get(key);
    if (hit !== undefined) return hit;
    const cost = checkCost(this.schema, document, operation, variables, this.limits.maxCost, this.limits.maxFields);
    if (key.length > MAX_VARIABLES_KEY) return cost;
    if (!known) this.costs.set(operation, (known = new Map()));
    if (known.size >= COSTS_PER_OPERATION) known.delete(known.keys().next().value!);
    known.set(key, cost);
    return cost;
  }

  /**
   * The same limits for Apollo Server (HTTP): `arrive` is called by the context function, once
   * the key is known. A subscription is refused here too (BAD_REQUEST, 400): HTTP does not serve
   * them (graphql-ws does, on the same path), whatever the Accept header asks for.
   */
  apolloPlugin<T extends KeyedContext>(): ApolloServerPlugin<T> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async ({ contextValue, document, operation, request }) => {
          if (operation?.operation === 'subscription') throw subscriptionOverHttp();
          if (operation) await this.admit(contextValue.keyId, document, operation, request.variables);
        },
      }),
    };
  }

  close(): Promise<void> {
    return this.rateLimiter.close();
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (the timer then cleared). */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
