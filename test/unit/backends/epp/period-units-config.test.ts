/** `periodUnits`, `transferPeriods` and `ioThread` of an EPP backend: what a config file may say, refused at start otherwise. */
import { describe, expect, it } from 'vitest';
import { defaultConfig, validateConfig } from '../../../../src/config.js';
import { ConfigError } from '../../../../src/config-error.js';
import type { EppBackendConfig } from '../../../../src/config.types.js';

const withUnits = (units: unknown) => {
  const cfg = defaultConfig();
  (cfg.backends[0] as EppBackendConfig).periodUnits = units as EppBackendConfig['periodUnits'];
  return cfg;
};

describe('EPP backend periodUnits', () => {
  it('the zero-setup EPP sandboxes take years only', () => {
    expect(defaultConfig().backends.filter((b) => b.kind === 'epp').map((b) => (b as EppBackendConfig).periodUnits)).toEqual([['y'], ['y']]);
  });
  it('takes y and/or m', () => {
    for (const units of [undefined, ['y'], ['m'], ['y', 'm'], ['m', 'y']]) expect(() => validateConfig(withUnits(units))).not.toThrow();
  });
  it('refuses anything else at start, naming the backend and the setting', () => {
    for (const units of [[], ['d'], ['y', 'y'], 'y', ['years']]) {
      expect(() => validateConfig(withUnits(units)), JSON.stringify(units)).toThrow(/backend "sandbox-epp" periodUnits/);
      // A ConfigError: `npm start` prints it as a message, not a stack trace.
      expect(() => validateConfig(withUnits(units))).toThrow(ConfigError);
    }
  });
});

describe('EPP backend ioThread', () => {
  const withIoThread = (v: unknown) => {
    const cfg = defaultConfig();
    (cfg.backends[0] as EppBackendConfig).ioThread = v as boolean;
    return cfg;
  };
  it('takes true or false, and refuses anything else at start, naming the backend and the setting', () => {
    for (const v of [undefined, true, false]) expect(() => validateConfig(withIoThread(v))).not.toThrow();
    for (const v of ['false', 0, 1, null]) {
      expect(() => validateConfig(withIoThread(v)), JSON.stringify(v)).toThrow(/backend "sandbox-epp" ioThread must be true or false/);
      expect(() => validateConfig(withIoThread(v))).toThrow(ConfigError);
    }
  });
});

describe('EPP backend transferPeriods', () => {
  const withTransferPeriods = (v: unknown) => {
    const cfg = defaultConfig();
    (cfg.backends[0] as EppBackendConfig).transferPeriods = v as EppBackendConfig['transferPeriods'];
    return cfg;
  };
  it('the zero-setup EPP sandboxes take one-year transfers only, as Nomulus', () => {
    expect(defaultConfig().backends.filter((b) => b.kind === 'epp').map((b) => (b as EppBackendConfig).transferPeriods)).toEqual(['one-year', 'one-year']);
  });
  it('takes "any" or "one-year", and refuses anything else at start, naming the backend and the setting', () => {
    for (const v of [undefined, 'any', 'one-year']) expect(() => validateConfig(withTransferPeriods(v))).not.toThrow();
    for (const v of ['1y', 'ONE-YEAR', true, 1, null, ['one-year']]) {
      expect(() => validateConfig(withTransferPeriods(v)), JSON.stringify(v)).toThrow(/backend "sandbox-epp" transferPeriods must be "any" or "one-year"/);
      expect(() => validateConfig(withTransferPeriods(v))).toThrow(ConfigError);
    }
  });
});
