/**
 * What an operator reads when the gateway (or a key or db command) cannot open its PostgreSQL
 * database at start: one line naming the setting and the cause, instead of pg's stack trace.
 */
import { StartupError } from '../config-error.js';

/** Node's socket errors on the way to the server (net, dns), with a few words each. */
const SOCKET_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is PostgreSQL running there, on that port?)',
  ENOTFOUND: 'host not found (ENOTFOUND)',
  EAI_AGAIN: 'host name lookup failed (EAI_AGAIN)',
  ETIMEDOUT: 'connection timed out (ETIMEDOUT)',
  EHOSTUNREACH: 'host unreachable (EHOSTUNREACH)',
  ENETUNREACH: 'network unreachable (ENETUNREACH)',
  ECONNRESET: 'the server closed the connection (ECONNRESET)',
};

/**
 * PostgreSQL SQLSTATE classes and codes (PostgreSQL docs, Appendix A) a server answers a
 * connection attempt with: 08 connection exception, 28 invalid authorization (28P01 wrong
 * password, 28000 no such role or no pg_hba.conf entry), 3D000 no such database, 53300 too many
 * connections, 57P03 cannot connect now (starting, shutting down, in recovery).
 */
function connectSqlState(code: unknown): boolean {
  return typeof code === 'string' && (code.startsWith('08') || code.startsWith('28') || code === '3D000' || code === '53300' || code === '57P03');
}

/**
 * pg's own errors while connecting, without a code: TLS negotiation, SASL (SCRAM) with a password
 * missing from the URL, a connection the server ended before answering.
 */
const PG_CONNECT_MESSAGE = /^(The server does not support SSL connections|SASL: |Connection terminated|self[- ]signed certificate|unable to verify|Hostname\/IP does not match)/;

/** pg's Client and pg-pool when the connect timeout (connectionTimeoutMillis) ran out. */
const PG_CONNECT_TIMEOUT = new Set(['timeout expired', 'Connection terminated due to connection timeout']);

/**
 * The database a URL names, for a message: `user@host:port/database`, never the password (nor any
 * query parameter: libpq's `?password=` and `sslpassword=` are parameters too).
 */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    return `${user}${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return 'the database';
  }
}

/**
 * SQLSTATEs of a database the gateway reaches and logs in to but cannot use (PostgreSQL docs,
 * Appendix A), with what the operator has to change: 42501 insufficient_privilege (a role without
 * rights on the schema or its tables), 25006 read_only_sql_transaction (a replica, or
 * default_transaction_read_only), 22023 invalid_parameter_value (a setting in the URL's `options`
 * the server refuses at connect: FATAL only).
 */
const UNUSABLE: Record<string, string> = {
  '42501': "the URL's role needs the right to create tables in the schema and to read and write the gateway's tables (the owner of its database, or of the schema), as `npm run db:migrate` does",
  '25006': 'the database is read-only (a replica, or default_transaction_read_only): the gateway writes; give the primary',
  '22023': "a setting given in the URL (its `options`) is refused by the server",
};

/**
 * Prisma's schema engine fails a migration with a message, not a SQLSTATE: its first line carries
 * the server's words (`migration failed: SchemaConnectorError: ERROR: permission denied for
 * schema public`), followed by the engine's own frames.
 */
const ENGINE_PERMISSION = /\bpermission denied for [a-z ]+ "?[\w.]+"?/i;

/**
 * A StartupError for an error that says the PostgreSQL database at `url` could not be reached or
 * refused the login (socket errors, SQLSTATE classes 08 and 28, 3D000, 53300, 57P03, pg's TLS and
 * SASL errors, the connect timeout), or was reached but cannot be used (UNUSABLE: no rights on its
 * schema or tables, read-only, a refused setting; a migration the schema engine could not run for
 * want of rights), naming `setting` (DATABASE_URL, --database-url, the config file's databaseUrl),
 * the database without its password, and the cause as the server or the socket gave it (one line,
 * never a stack); undefined for any other error (a bug), which is reported as it is.
 */
export function databaseConnectError(err: unknown, url: string, setting: string): StartupError | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; syscall?: unknown; severity?: unknown; message?: unknown; hostname?: unknown; address?: unknown; port?: unknown };
  const message = typeof e.message === 'string' ? e.message : '';
  let cause: string | undefined;
  if (typeof e.code === 'string' && typeof e.syscall === 'string') {
    cause = SOCKET_CAUSES[e.code] ?? `${e.syscall} failed (${e.code})`;
  } else if (typeof e.severity === 'string' && connectSqlState(e.code)) {
    cause = `the server refused: ${message} (SQLSTATE ${String(e.code)})`;
  } else if (PG_CONNECT_TIMEOUT.has(message)) {
    cause = 'no answer within the connect timeout (database.connectTimeoutMs, DATABASE_CONNECT_TIMEOUT_MS)';
  } else if (PG_CONNECT_MESSAGE.test(message)) {
    cause = message;
  }
  let unusable = false;
  const denied = ENGINE_PERMISSION.exec(message)?.[0];
  // 22023 only as the server's answer to the connection (FATAL): a statement's bad value is a bug, not a setting.
  if (cause === undefined && typeof e.severity === 'string' && typeof e.code === 'string' && Object.hasOwn(UNUSABLE, e.code) && (e.code !== '22023' || e.severity === 'FATAL')) {
    cause = `${message} (SQLSTATE ${e.code}): ${UNUSABLE[e.code]}`;
    unusable = true;
  } else if (cause === undefined && denied) {
    cause = `${denied} (while migrating its schema): ${UNUSABLE['42501']}`;
    unusable = true;
  }
  if (cause === undefined) return undefined;
  // A server's message never holds the client's password; the URL's is left out above. Still, a
  // password that happens to appear in a message (it was the user name too) is cut out, unless too short to tell from other text.
  const password = safeDecode(URL.canParse(url) ? new URL(url).password : '');
  if (password.length >= 4) cause = cause.split(password).join('***');
  return new StartupError(`${setting}: ${unusable ? 'cannot use' : 'cannot connect to'} the database ${describeDatabaseUrl(url)}: ${cause}`, { cause: err });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
