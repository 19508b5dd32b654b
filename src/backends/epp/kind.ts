/** The EPP backend kind: config check, driver, in-process sandbox (src/sandbox/epp). */
import type { EppBackendConfig } from '../../config.types.js';
import { credentialVariable, sandboxTlsFile, type BackendKind } from '../kind.js';
import { EppDriver } from './epp-driver.js';
import { ConfigError } from '../../config-error.js';
import { keysOf } from '../../config-keys.js';
import { timerMs } from '../../config-settings.js';

/**
 * Whether `s` is an XML Schema `token` (no tab, CR or LF, no leading or trailing space, no two
 * spaces in a row) of `min` to `max` characters: RFC 5730's clIDType (3-16) and pwType (6-16),
 * epp-1.0.xsd and eppcom-1.0.xsd. A login with any other value is a 2001 syntax error at the registry.
 */
export function isEppToken(s: string, min: number, max: number): boolean {
  return typeof s === 'string' && [...s].length >= min && [...s].length <= max && !/[\t\r\n]|^ | $| {2}/.test(s);
}

const ABOUT = { contacts: 'an EPP registry with contact objects', nomulus: 'behaves like Nomulus today: domain and host objects only' } as const;

/** The "epp" backend kind: config keys and check (host/port, RFC 5730 clIDType/pwType credentials, periodUnits, the timers' milliseconds: timerMs), EppDriver, and the in-process EPP sandbox (src/sandbox/epp). */
export const eppKind: BackendKind<EppBackendConfig> = {
  kind: 'epp',
  configKeys: keysOf<EppBackendConfig>({
    name: 'value',
    kind: 'value',
    host: 'value',
    port: 'value',
    tls: keysOf<EppBackendConfig['tls']>({ ca: 'value', cert: 'value', key: 'value', servername: 'value', rejectUnauthorized: 'value' }),
    accounts: { values: keysOf<EppBackendConfig['accounts'][string]>({ clientId: 'value', password: 'value' }) },
    poolSize: 'value',
    checkLimit: 'value',
    connectTimeoutMs: 'value',
    commandTimeoutMs: 'value',
    keepAliveMs: 'value',
    ioThread: 'value',
    periodUnits: 'value',
    transferPeriods: 'value',
    sandbox: keysOf<NonNullable<EppBackendConfig['sandbox']>>({ profile: 'value', transferPeriodMs: 'value' }),
  }),
  validate(cfg) {
    if (!cfg.sandbox && (!cfg.host || !Number.isInteger(cfg.port) || cfg.port <= 0)) throw new ConfigError(`config: backend "${cfg.name}" needs host and port`);
    for (const [key, v] of [['poolSize', cfg.poolSize], ['checkLimit', cfg.checkLimit]] as const) {
      if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new ConfigError(`config: backend "${cfg.name}" ${key} must be a whole number, 1 or more`);
    }
    if (cfg.ioThread !== undefined && typeof cfg.ioThread !== 'boolean') throw new ConfigError(`config: backend "${cfg.name}" ioThread must be true or false`);
    // Each becomes a session's setTimeout (connection.ts, session.ts); keepAliveMs 0: no <hello/>.
    if (cfg.connectTimeoutMs !== undefined) timerMs(cfg.connectTimeoutMs, `backend "${cfg.name}" connectTimeoutMs`);
    if (cfg.commandTimeoutMs !== undefined) timerMs(cfg.commandTimeoutMs, `backend "${cfg.name}" commandTimeoutMs`);
    if (cfg.keepAliveMs !== undefined) timerMs(cfg.keepAliveMs, `backend "${cfg.name}" keepAliveMs`, { min: 0, lowest: '0 (no keep-alive)' });
    const units: unknown = cfg.periodUnits;
    if (units !== undefined && !(Array.isArray(units) && units.length > 0 && units.every((u) => u === 'y' || u === 'm') && new Set(units).size === units.length)) {
      throw new ConfigError(`config: backend "${cfg.name}" periodUnits must list "y" and/or "m" (RFC 5731 period units), each once`);
    }
    if (cfg.transferPeriods !== undefined && cfg.transferPeriods !== 'any' && cfg.transferPeriods !== 'one-year') {
      throw new ConfigError(`config: backend "${cfg.name}" transferPeriods must be "any" or "one-year" (the periods the registry's policy takes on a transfer request)`);
    }
    for (const [registrar, a] of Object.entries(cfg.accounts)) {
      if (!cfg.sandbox && !a.clientId) throw new ConfigError(`config: backend "${cfg.name}" account "${registrar}" has no clientId`);
      if (a.clientId !== undefined && !isEppToken(a.clientId, 3, 16)) {
        throw new ConfigError(`config: backend "${cfg.name}" account "${registrar}" clientId must be 3 to 16 characters with no leading, trailing or double spaces (RFC 5730 clIDType)`);
      }
      // Never quoted: the message names the account and the environment variable, not the value.
      if (a.password && !isEppToken(a.password, 6, 16)) {
        throw new ConfigError(
          `config: backend "${cfg.name}" account "${registrar}" password must be 6 to 16 characters with no leading, trailing or double spaces, tabs or line breaks (RFC 5730 pwType; a registry refuses any other login with 2001), set in the config file or ${credentialVariable(cfg.name, registrar, 'PASSWORD')}`,
        );
      }
    }
  },
  driver: (cfg, deps) => new EppDriver(cfg, { clock: deps.clock, logger: deps.logger }),
  async startSandbox(cfg, ctx) {
    const { EppSandbox, SANDBOX_REGISTRARS, SANDBOX_PERIOD_UNITS } = await import('../../sandbox/epp/index.js');
    // The sandbox takes years only (as Nomulus): say so unless the config does.
    cfg.periodUnits ??= SANDBOX_PERIOD_UNITS.filter((u): u is 'y' | 'm' => u === 'y' || u === 'm');
    // ... and transfers of one year only (Nomulus's DomainTransferRequestFlow: 2306 for any other period).
    cfg.transferPeriods ??= 'one-year';
    const profile = cfg.sandbox?.profile ?? 'contacts';
    const sandbox = new EppSandbox({ profile, tlds: ctx.tlds, clock: ctx.clock, transferPeriodMs: cfg.sandbox?.transferPeriodMs, host: '127.0.0.1', port: 0, state: ctx.state, tlsFile: sandboxTlsFile(ctx, 'epp') });
    const { host, port, ca } = await sandbox.start();
    cfg.host = host;
    cfg.port = port;
    cfg.tls = { ...cfg.tls, ca, rejectUnauthorized: true, servername: 'localhost' };
    for (const r of SANDBOX_REGISTRARS) cfg.accounts[r.clientId] ??= { clientId: r.clientId, password: r.password };
    return { instance: sandbox, about: ABOUT[profile] };
  },
};
