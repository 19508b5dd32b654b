/**
 * What an API client is told about a connection to a registry that failed: a short class of cause
 * ("TLS certificate verification failed", "connection refused"), never the raw error, which names
 * hosts, ports, file paths and OS details that belong in the log only (README "Errors",
 * UPSTREAM_UNAVAILABLE).
 */

/** Node's TLS verification codes (tls.TLSSocket authorizationError) and OpenSSL's texts for them. */
const CERTIFICATE = /CERT_|_CERT\b|UNABLE_TO_(GET|VERIFY)|SELF_SIGNED|self[- ]signed|certificate|altnames|unable to verify|unable to get (local )?issuer/i;

/**
 * The class of a connection failure `e` (an Error with an OS or TLS `code`, or only its message, as
 * src/backends/epp/session/connection.ts's TransportError carries it): one of "TLS certificate
 * verification failed", "connection refused", "host name not found", "no answer in time",
 * "connection closed by the registry", "TLS handshake failed", "TLS files could not be read",
 * "the gateway is stopping" (a connect given up by a stop: SessionPool.abandon), "connection failed".
 */
export function connectFailureClass(e: unknown): string {
  const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : '';
  const text = `${code} ${e instanceof Error ? e.message : String(e)}`;
  if (/the gateway is stopping/.test(text)) return 'the gateway is stopping';
  if (CERTIFICATE.test(text)) return 'TLS certificate verification failed';
  if (/ECONNREFUSED/.test(text)) return 'connection refused';
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo/.test(text)) return 'host name not found';
  if (/ETIMEDOUT|timed out|no greeting within|no answer within|no response within/i.test(text)) return 'no answer in time';
  if (/ECONNRESET|EPIPE|socket hang up|closed by the server|connection closed/i.test(text)) return 'connection closed by the registry';
  if (/ENOENT|EACCES|EISDIR|no such file/.test(text)) return 'TLS files could not be read';
  if (/SSL|TLS|handshake|alert|wrong version|ERR_OSSL/i.test(text)) return 'TLS handshake failed';
  return 'connection failed';
}
