/**
 * Recognising database errors raised through a Prisma driver adapter.
 *
 * With driver adapters, P2002 (unique constraint failed) carries the violated constraint under
 * `meta.driverAdapterError.cause.constraint`, not under `meta.target` as with the native engine.
 * The adapters disagree on its shape: pglite-prisma-adapter gives the columns
 * (`{ fields: ["registrar_id", "idempotency_key"] }`), @prisma/adapter-pg the constraint name
 * (`{ index: "idempotency_records_registrar_id_idempotency_key_key" }`, plus `table`).
 * Raw queries (P2010) carry the same payload.
 */

/** Which unique constraint a P2002 / P2010 (SQLSTATE 23505) names, as far as the driver adapter reports it. */
export interface UniqueViolationInfo {
  /** Column names, where the adapter reports them. */
  fields?: string[];
  /** Constraint (index) name, where the adapter reports it. */
  index?: string;
  table?: string;
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

/** The adapter's error payload (`{ kind, constraint?, originalCode?, ... }`) from any error shape. */
function adapterCause(err: unknown): Record<string, unknown> | undefined {
  const e = asRecord(err);
  if (!e) return undefined;
  const meta = asRecord(e.meta);
  const fromMeta = asRecord(asRecord(meta?.driverAdapterError)?.cause);
  if (fromMeta) return fromMeta;
  if (e.name === 'DriverAdapterError') return asRecord(e.cause);
  return undefined;
}

/**
 * The constraint name in PostgreSQL's message for SQLSTATE 23505 (`duplicate key value violates
 * unique constraint "<name>"`, src/backend/access/nbtree/nbtinsert.c), for an adapter that reports
 * only the columns (pglite-prisma-adapter keeps the message as `originalMessage`). Undefined when
 * the message has another form (a server with translated messages: lc_messages).
 */
function constraintInMessage(message: unknown): string | undefined {
  if (typeof message !== 'string') return undefined;
  return /^duplicate key value violates unique constraint "([^"]+)"/.exec(message)?.[1];
}

/**
 * The columns (or index name) of the unique constraint `err` violated, or null when `err` is not
 * a unique violation. Works for Prisma P2002 (adapter or native shape), a raw DriverAdapterError
 * and a pg/PGlite driver error (SQLSTATE 23505).
 */
export function uniqueViolation(err: unknown): UniqueViolationInfo | null {
  const e = asRecord(err);
  if (!e) return null;
  const cause = adapterCause(err);
  if (cause?.kind === 'UniqueConstraintViolation') {
    const c = asRecord(cause.constraint) ?? {};
    return {
      fields: Array.isArray(c.fields) ? (c.fields as string[]) : undefined,
      index: typeof c.index === 'string' ? c.index : constraintInMessage(cause.originalMessage),
      table: typeof cause.table === 'string' ? cause.table : undefined,
    };
  }
  if (e.code === 'P2002') {
    const target = asRecord(e.meta)?.target;
    if (Array.isArray(target)) return { fields: target as string[] };
    return typeof target === 'string' ? { index: target } : {};
  }
  if (e.code === '23505' || cause?.originalCode === '23505') {
    return typeof e.constraint === 'string' ? { index: e.constraint } : {};
  }
  return null;
}

/**
 * True when `err` is a unique-constraint violation. With `columns` (database column names, e.g.
 * ["registrar_id", "idempotency_key"]), only when the violated constraint is on exactly those
 * columns, in any order: compared directly where the adapter reports columns, otherwise by
 * Prisma's default constraint name `<table>_<col>_<col>_key` (pass a custom `map:` name as a string).
 */
export function isUniqueViolation(err: unknown, columns?: string[] | string): boolean {
  const v = uniqueViolation(err);
  if (!v) return false;
  if (columns === undefined) return true;
  if (typeof columns === 'string') return v.index === columns || (v.fields?.length === 1 && v.fields[0] === columns);
  if (v.fields) return v.fields.length === columns.length && columns.every((c) => v.fields!.includes(c));
  if (!v.index) return false;
  return permutations(columns).some((cols) => {
    const suffix = `_${cols.join('_')}_key`;
    return v.table ? v.index === `${v.table}${suffix}` : v.index!.endsWith(suffix);
  });
}

/** A unique constraint (or unique index) as the migrations create it. */
export interface UniqueConstraint {
  /** Its name in the database, e.g. "poll_messages_backend_account_id_upstream_id_key". */
  name: string;
  /** Its database columns, in any order, e.g. ["backend", "account_id", "upstream_id"]. */
  columns: string[];
}

/**
 * True only when `err` is a violation of `constraint` itself, not of another unique constraint of
 * the table (its primary key, a second unique index, one added later). Decided by the constraint
 * name wherever the error carries one (@prisma/adapter-pg, a pg / PGlite driver error, PostgreSQL's
 * message through pglite-prisma-adapter); otherwise by the columns the adapter reports. False when
 * the error names neither, so a caller that treats a match as benign never takes an unknown
 * violation for it.
 */
export function violatesUnique(err: unknown, constraint: UniqueConstraint): boolean {
  const v = uniqueViolation(err);
  if (!v) return false;
  if (v.index) return v.index === constraint.name;
  if (v.fields) return v.fields.length === constraint.columns.length && constraint.columns.every((c) => v.fields!.includes(c));
  return false;
}

/** All orders of a (short) column list: Prisma names a constraint in declaration order. */
function permutations(xs: string[]): string[][] {
  if (xs.length <= 1 || xs.length > 5) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/**
 * Driver adapter error kinds (@prisma/driver-adapter-utils `MappedError.kind`) that say the
 * database could not be reached or dropped the connection, as @prisma/adapter-pg maps a socket
 * error: ECONNREFUSED and ENOTFOUND are DatabaseNotReachable (Prisma P1001), ECONNRESET
 * ConnectionClosed (P1017), ETIMEDOUT SocketTimeout; SQLSTATE 53300 is TooManyConnections.
 */
const UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/**
 * Prisma's own codes for the same conditions (Prisma error reference, "Common" P1xxx): can't reach
 * the server (P1001), timed out reaching it (P1002), operations timed out (P1008), the server
 * closed the connection (P1017); timed out waiting for a connection of the pool (P2024).
 */
const UNREACHABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/**
 * Socket errors of Node's `net` (with `syscall`), counted only on the way to the database: an error
 * the gateway's own pool statements threw (fromDatabasePool) or one Prisma passed on from its
 * adapter (it adds `clientVersion`), never a registry connection's, which is UPSTREAM_UNAVAILABLE.
 */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

/** pg's error for a statement whose answer did not come within query_timeout (pg 8 lib/client.js; src/db/timeouts.ts). */
export const QUERY_READ_TIMEOUT = 'Query read timeout';

/**
 * What pg (8.x) and pg-pool (3.x) throw, without a code, when the connection is lost or cannot be
 * made in time (lib/client.js, pg-pool/index.js), or a statement's answer did not come within the
 * client's query_timeout ("Query read timeout", src/db/timeouts.ts). "Connection terminated" alone
 * is a connection the gateway ended itself (closing down), not an outage.
 */
const PG_CONNECTION_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  QUERY_READ_TIMEOUT,
]);

const poolErrors = new WeakSet<object>();

/**
 * Marks `err` as thrown by a statement sent straight through the gateway's pg Pool (src/db/raw.ts),
 * so that its socket errors count as the database's (isDatabaseUnavailable); returns it.
 */
export function fromDatabasePool<T>(err: T): T {
  if (err !== null && typeof err === 'object') poolErrors.add(err);
  return err;
}

/**
 * PostgreSQL SQLSTATEs (PostgreSQL docs, Appendix A) that mean the server is not serving this
 * connection, or not in time, rather than that the statement is wrong: class 08 (connection
 * exception), 57P01 admin_shutdown (a restart, pg_terminate_backend), 57P02 crash_shutdown, 57P03
 * cannot_connect_now (starting up, shutting down, in recovery), 53300 too_many_connections, 57014
 * query_canceled (the gateway's statement_timeout, src/db/timeouts.ts, or an operator's
 * pg_cancel_backend), 25P03 idle_in_transaction_session_timeout and 57P05 idle_session_timeout
 * (the server ended the session).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '57P05', '53300', '57014', '25P03']);

function unavailableSqlState(code: unknown): boolean {
  return typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code));
}

/**
 * True when `err` says the database (PostgreSQL) could not be reached or dropped the connection:
 * refused, reset, timed out, closed, shutting down, no free connection. False for anything the
 * statement itself caused (a constraint, bad SQL, a type error) and for a connection the gateway
 * closed itself, so those stay bugs (INTERNAL_SERVER_ERROR). Recognises the shapes reproduced
 * against PostgreSQL behind a TCP proxy that was stopped, and with pg_terminate_backend:
 * - Prisma's PrismaClientKnownRequestError with P1001 (`Can't reach database server`), or any code
 *   (P2010 for raw queries) whose `meta.driverAdapterError.cause` is one of the adapter's
 *   connection kinds, or a `postgres` cause with an SQLSTATE above (57P01 mid-query);
 * - pg's own errors, which Prisma passes through unwrapped inside an interactive transaction, and
 *   which src/db/raw.ts's statements get straight from the pool: a socket error (`code`
 *   ECONNREFUSED with `syscall`, from the gateway's pool: fromDatabasePool), a DatabaseError with
 *   an SQLSTATE above, or one of pg's messages for a lost connection ("Connection terminated
 *   unexpectedly", pg-pool's "Connection terminated due to connection timeout").
 * Causes are not followed: a registry's error (a GatewayError) that keeps a socket error as its
 * cause is the registry's. The embedded PGlite runs in the gateway's process and has no connection
 * to lose.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = asRecord(err);
  if (!e) return false;
  const cause = adapterCause(e);
  if (cause) {
    if (typeof cause.kind === 'string' && UNREACHABLE_KINDS.has(cause.kind)) return true;
    return cause.kind === 'postgres' && unavailableSqlState(cause.code); // any other kind: the statement's own error
  }
  if (typeof e.code === 'string' && typeof e.clientVersion === 'string' && UNREACHABLE_PRISMA_CODES.has(e.code)) return true;
  if (typeof e.code === 'string' && typeof e.syscall === 'string' && SOCKET_CODES.has(e.code)) return poolErrors.has(e) || typeof e.clientVersion === 'string';
  if (typeof e.severity === 'string' && unavailableSqlState(e.code)) return true;
  return typeof e.message === 'string' && PG_CONNECTION_MESSAGES.has(e.message);
}
