/**
 * Whether GET /metrics is open to the network: served (metrics on), without a token, on an
 * interface other than loopback. The gateway logs the warning once at start (src/server.ts).
 */
import { isIP } from 'node:net';
import type { GatewayConfig } from '../config.types.js';

/**
 * True for a listening host that only this machine reaches: `localhost`, 127.0.0.0/8, `::1`
 * (and 127.x written as an IPv4-mapped IPv6 address). An empty or missing host (Node then listens
 * on every interface), `0.0.0.0`, `::` and any other name or address are not loopback.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  const h = (host ?? '').trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * The warning to log when /metrics answers anyone who can reach the listening host, or null:
 * metrics enabled (the default), no token (`metrics.token` or METRICS_TOKEN), host not loopback.
 * Says how to close it; never names a secret (there is none to name).
 */
export function metricsExposureWarning(config: Pick<GatewayConfig, 'host' | 'metrics'>): string | null {
  if (config.metrics?.enabled === false || config.metrics?.token || isLoopbackHost(config.host)) return null;
  return (
    `GET /metrics answers without a token on ${config.host || 'every interface'}: set METRICS_TOKEN ` +
    '(or "metrics": { "token": "..." } in the config file) so that it asks for "Authorization: Bearer <token>", ' +
    'keep it behind your network policy, listen on loopback ("host": "127.0.0.1" or HOST), or turn it off ("metrics": { "enabled": false })'
  );
}
