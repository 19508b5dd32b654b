/** How the standard OpenTelemetry variables turn the gateway's tracing on and off (src/config.ts tracingFromEnv). */
import { describe, expect, it } from 'vitest';
import { tracingFromEnv, validateConfig, defaultConfig } from '../../../src/config.js';

describe('tracingFromEnv', () => {
  it('is off when nothing says otherwise (an SDK would default to otlp; the gateway exports nothing until asked)', () => {
    expect(tracingFromEnv({}, undefined)?.enabled).toBeFalsy();
    expect(tracingFromEnv({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_HEADERS: 'a=b' }, undefined)?.enabled).toBeFalsy();
  });

  it('turns on with OTEL_TRACES_EXPORTER=otlp or an OTLP endpoint', () => {
    expect(tracingFromEnv({ OTEL_TRACES_EXPORTER: 'otlp' }, undefined)).toEqual({ enabled: true });
    expect(tracingFromEnv({ OTEL_TRACES_EXPORTER: 'console, otlp' }, undefined)?.enabled).toBe(true);
    expect(tracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, undefined)?.enabled).toBe(true);
    expect(tracingFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, undefined)?.enabled).toBe(true);
    expect(tracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }, undefined)?.enabled).toBeFalsy();
  });

  it('OTEL_SDK_DISABLED=true and OTEL_TRACES_EXPORTER=none turn it off, over the file', () => {
    expect(tracingFromEnv({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, { enabled: true })?.enabled).toBe(false);
    expect(tracingFromEnv({ OTEL_TRACES_EXPORTER: 'none' }, { enabled: true })?.enabled).toBe(false);
  });

  it('keeps the file, with the protocol from the traces variable first', () => {
    expect(tracingFromEnv({}, { enabled: true, endpoint: 'http://c:4318/v1/traces' })).toEqual({ enabled: true, endpoint: 'http://c:4318/v1/traces' });
    expect(tracingFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }, { enabled: true })?.protocol).toBe('http/json');
  });

  it('an unknown protocol is a configuration error naming the variable', () => {
    const cfg = { ...defaultConfig(), tracing: tracingFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'udp' }, { enabled: true }) };
    expect(() => validateConfig(cfg)).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
  });
});
