import type { GatewayConfig } from '../config.types.js';
import { ConfigError } from '../config-error.js';
import { timerMs } from '../config-settings.js';
import { DEFAULT_MAX_ITEMS } from '../bulk/config.js';
import { maxJsonValues } from './json-shape.js';

/**
 * The operation limits in force, with their defaults filled in (config `limits`, README
 * "Limits"). Every one applies to GraphQL over HTTP and over graphql-ws alike.
 */
export interface Limits {
  /** Lexical tokens in one document; the parser stops at the first one beyond (graphql-js `maxTokens`). */
  maxTokens: number;
  /** Nesting of fields; each fragment spread counts as a level, introspection (`__schema`) does not. */
  maxDepth: number;
  /** Aliased fields in one operation (fragments counted where they are spread). */
  maxAliases: number;
  /** Directives in one operation (fragments counted where they are spread). */
  maxDirectives: number;
  /** Fields one operation expands to: each fragment counted where it is spread, a literal `first` multiplying its list. */
  maxFields: number;
  /**
   * Fields answering under one response name at one place of the answer (repeated fields,
   * aliases, fragments, and those of repeated parents: src/limits/document.ts sameNameExcess).
   * graphql-js compares each pair of them when it validates: 190 copies of a field took 151 ms
   * and a document within maxTokens ran out of its comparison budget; checked first, linearly.
   */
  maxSameNameFields: number;
  /**
   * Estimated cost of one operation (src/limits/cost.ts), checked with its variables before it
   * runs. The default admits what the API offers: a `domains(first: 500)` page reading each
   * domain's registrant, contacts, name servers and transfer (55,005); its registry work is
   * spread over the registrar's sessions within the request's fan-out budget (src/fanout/).
   */
  maxCost: number;
  /** Errors in one answer; beyond, one TOO_MANY_ERRORS entry says how many were left out. */
  maxErrors: number;
  /** Per API key: cost points (at least 1 per operation) spent per window; false turns it off. */
  rateLimit: { points: number; durationSec: number } | false;
  /**
   * Per WebSocket connection: messages (graphql-ws messages of any type, ping frames) it may send
   * per window of durationSec seconds; the first beyond closes it with 1008 (src/http/ws-server.ts).
   * More than maxSubscriptions, so a client may open all its subscriptions at once.
   */
  wsMessages: { messages: number; durationSec: number };
  /**
   * Per API key: graphql-ws connections it may hold open at once on this instance, counted from
   * its connection_ack to its close (src/http/websocket.ts); the connection_init beyond is refused
   * with close 1013 (Try Again Later). A client multiplexes up to maxSubscriptions operations on one
   * connection, and graphql-ws's client opens one per client object: an integration needs about one
   * per process, so 32 is room for 32 workers of one key behind a load balancer's one instance
   * (3,200 subscriptions), far beyond what a registrar's tools hold, and an idle connection with a
   * subscription costs some 60-90 KiB (bench:poll: 1,000 subscribers, +60-90 MiB of RSS).
   * Counted per instance, in memory: a count shared in Redis would be left holding the slots of an
   * instance that crashed (no close runs there) until something expired them; with N instances
   * behind a load balancer a key may hold up to N times this.
   */
  wsConnectionsPerKey: number;
  /**
   * Per remote address (the TCP peer's, `socket.remoteAddress`, or behind a proxy listed in config
   * trustProxy the client's from X-Forwarded-For; without it every client behind a reverse proxy
   * shares the proxy's address), graphql-ws
   * connections open at once on this instance, authenticated or not, counted from the upgrade to
   * the close (src/http/ws-server.ts); the upgrade beyond is answered HTTP 429 before it becomes
   * a WebSocket, so no key is looked up. 256: eight keys at their `wsConnectionsPerKey` behind one
   * office's or one cloud NAT's address, while one host cannot hold the process's sockets and
   * memory (some 20 MiB at 60-90 KiB each) from everyone else. Per instance, as wsConnectionsPerKey.
   */
  wsConnectionsPerAddress: number;
  /**
   * Per TCP peer address, connections open at once to the API's HTTP server, whatever they carry
   * (requests, idle keep-alive, WebSocket upgrades), counted from the connection to its close; one
   * beyond is answered 429 and closed before it is read (src/http/connection-cap.ts). A peer listed
   * in config trustProxy is not counted (its clients share its address). 1024: four times
   * wsConnectionsPerAddress, room for a NAT's clients' WebSockets and their HTTP requests beside,
   * while one host cannot take the process's file descriptors (one client held 19,700 of 20,000).
   */
  httpConnectionsPerAddress: number;
  /**
   * Milliseconds a client has to send a whole HTTP request, headers and body (Node's
   * `server.requestTimeout`, whose default is 300,000): a request still incomplete then is answered
   * 408 and its connection closed. 30,000 admits a 2 MB body at 70 KB/s. A WebSocket upgrade is
   * complete once its headers are in, so open connections are not affected.
   */
  requestTimeoutMs: number;
  /**
   * Milliseconds a client has to send a request's headers (Node's `server.headersTimeout`,
   * default 60,000); at most requestTimeoutMs.
   */
  headersTimeoutMs: number;
  /**
   * Per WebSocket connection, bytes its open operations (subscriptions for as long as they run,
   * queries and mutations until answered) may hold in memory: each one's parsed document
   * (src/limits/retained.ts: its text plus RETAINED_BYTES_PER_TOKEN per token, comments included)
   * and its variables (as JSON; those the operation does not declare are dropped before anything
   * keeps them). The subscribe beyond is refused with PAYLOAD_TOO_LARGE (src/http/websocket.ts).
   * Twice the 2 MB a message may be, so any one message is served on a connection with nothing else open.
   */
  wsRetainedBytes: number;
  /**
   * Per WebSocket connection, bytes of answers waiting to be sent (ws's `bufferedAmount`: written
   * to the socket, not yet taken by the operating system because the client does not read). An
   * answer about to be sent while more than this waits closes the connection with 1008 instead
   * (src/http/ws-server.ts); one answer of any size is still sent to a client that reads.
   */
  wsBufferedBytes: number;
  /**
   * JSON values (objects, arrays, strings, numbers, literals) one request body or graphql-ws
   * message may hold, counted before it is parsed (src/limits/json-shape.ts, which also refuses
   * nesting deeper than MAX_JSON_DEPTH). Not set itself: derived from bulk.maxItems, so that the
   * largest bulk job allowed always fits (maxJsonValues there).
   */
  maxJsonValues: number;
}

/** Every operation limit's default, used where the config's `limits` leaves one out (resolveLimits); each is described on Limits above. */
export const DEFAULT_LIMITS: Limits = {
  maxTokens: 2000,
  maxDepth: 12,
  maxAliases: 50,
  maxDirectives: 50,
  maxFields: 20_000,
  maxSameNameFields: 30,
  maxCost: 60_000,
  maxErrors: 50,
  // Two operations of the largest cost per window: an operation spends its cost in all (one point
  // on arrival, the rest once its cost is known), so a window smaller than maxCost could never
  // admit the dearest one.
  rateLimit: { points: 120_000, durationSec: 10 },
  // A sustained 100 a second with bursts of 1,000: a client's graphql-ws traffic is an init, a
  // subscribe and a complete per operation and a ping now and then; a flood of pings (each
  // answered, none counted by the key's rate limit) held /healthz for 2.4 s at the median.
  wsMessages: { messages: 1000, durationSec: 10 },
  wsConnectionsPerKey: 32,
  wsConnectionsPerAddress: 256,
  httpConnectionsPerAddress: 1024,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  wsRetainedBytes: 4 * 1024 * 1024,
  wsBufferedBytes: 8 * 1024 * 1024,
  maxJsonValues: maxJsonValues(DEFAULT_MAX_ITEMS),
};

/** The environment variables of the HTTP time limits (src/config.ts). */
const TIME_LIMIT_ENV = { requestTimeoutMs: 'HTTP_REQUEST_TIMEOUT_MS', headersTimeoutMs: 'HTTP_HEADERS_TIMEOUT_MS' } as const;

/**
 * The configured limits over the defaults; throws ConfigError on a value that is not a positive
 * integer, on requestTimeoutMs or headersTimeoutMs above MAX_TIMER_MS (timerMs: Node's HTTP server
 * reads them modulo 2^32 ms, so a larger one cut requests off at once), and on a rateLimit.points
 * below maxCost (naming both; an operation spends its cost in all).
 */
export function resolveLimits(config: Pick<GatewayConfig, 'limits' | 'bulk'>): Limits {
  const given = config.limits ?? {};
  const limits: Limits = { ...DEFAULT_LIMITS, maxJsonValues: maxJsonValues(config.bulk?.maxItems ?? DEFAULT_MAX_ITEMS) };
  for (const name of ['maxTokens', 'maxDepth', 'maxAliases', 'maxDirectives', 'maxFields', 'maxSameNameFields', 'maxCost', 'maxErrors', 'wsConnectionsPerKey', 'wsConnectionsPerAddress', 'httpConnectionsPerAddress', 'requestTimeoutMs', 'headersTimeoutMs', 'wsRetainedBytes', 'wsBufferedBytes'] as const) {
    const v = given[name];
    if (v === undefined) continue;
    if (name === 'requestTimeoutMs' || name === 'headersTimeoutMs') timerMs(v, `limits.${name} (${TIME_LIMIT_ENV[name]})`);
    else if (!Number.isInteger(v) || v < 1) throw new ConfigError(`config: limits.${name} must be a whole number, 1 or more`);
    limits[name] = v;
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError(`config: limits.headersTimeoutMs (HTTP_HEADERS_TIMEOUT_MS), ${limits.headersTimeoutMs} ms, must be at most limits.requestTimeoutMs (HTTP_REQUEST_TIMEOUT_MS), ${limits.requestTimeoutMs} ms: the headers are part of the request`);
  }
  const rl = given.rateLimit;
  if (rl === false) limits.rateLimit = false;
  else if (rl !== undefined) {
    // Either field may be left out: it keeps its default (as every setting does).
    const defaults = DEFAULT_LIMITS.rateLimit as { points: number; durationSec: number };
    const rate = rl !== null && typeof rl === 'object' ? { points: rl.points ?? defaults.points, durationSec: rl.durationSec ?? defaults.durationSec } : null;
    if (!rate || !Number.isInteger(rate.points) || rate.points < 1 || !Number.isInteger(rate.durationSec) || rate.durationSec < 1) {
      throw new ConfigError(`config: limits.rateLimit must be false or { "points": n, "durationSec": s } with whole numbers, 1 or more (either may be left out: default ${defaults.points} points per ${defaults.durationSec} s)`);
    }
    limits.rateLimit = rate;
  }
  // An operation spends its cost in all, 1 point on arrival and the rest once its cost is known
  // (src/limits/gate.ts arrive, admit): a window of fewer than maxCost points never admits the
  // dearest operation maxCost allows.
  if (limits.rateLimit !== false && limits.rateLimit.points < limits.maxCost) {
    throw new ConfigError(
      `config: limits.rateLimit.points (${limits.rateLimit.points}) must be at least limits.maxCost (${limits.maxCost}${given.maxCost === undefined ? ', maxCost being its default' : ''}): an operation spends its cost in all (1 point on arrival, the rest once its cost is known), so the dearest operation limits.maxCost allows could never run; raise limits.rateLimit.points or lower limits.maxCost`,
    );
  }
  const ws = given.wsMessages;
  if (ws !== undefined) {
    if (ws === null || typeof ws !== 'object' || !Number.isInteger(ws.messages) || ws.messages < 1 || !Number.isInteger(ws.durationSec) || ws.durationSec < 1) {
      throw new ConfigError('config: limits.wsMessages must be { "messages": n, "durationSec": s } with whole numbers, 1 or more');
    }
    limits.wsMessages = { messages: ws.messages, durationSec: ws.durationSec };
  }
  const subscriptions = given.maxSubscriptions ?? 100;
  if (limits.wsMessages.messages <= subscriptions) {
    throw new ConfigError(`config: limits.wsMessages.messages (${limits.wsMessages.messages}) must be more than limits.maxSubscriptions (${subscriptions}): a client opening all its subscriptions at once would be closed`);
  }
  return limits;
}
