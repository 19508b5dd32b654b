/**
 * OpenTelemetry traces, off unless configured (config `tracing`, or the standard OTEL_* variables:
 * `tracingFromEnv` in src/config.ts). When on, the gateway keeps a tracer provider of its own
 * (nothing is registered globally, so several gateways in one process keep apart) whose spans go
 * through a batch processor to the standard OTLP exporter: http/protobuf by default, http/json or
 * grpc as OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL or `tracing.protocol` says. The exporters read their
 * own OTEL_EXPORTER_OTLP_* variables (endpoint, headers, timeout, compression) and the provider
 * OTEL_TRACES_SAMPLER(_ARG) and the span limits, as the specification describes; `tracing.endpoint`
 * and `tracing.headers` from the config file override the first two. When tracing is off no
 * OpenTelemetry module is even loaded (the API and core packages alone are about 80 CommonJS
 * modules, on the way of a restarted instance's bulk runner): src/observe/operations.ts uses the
 * API through `Tracing.api`.
 *
 * What is traced, and with which attributes: src/observe/operations.ts.
 */
import type { TextMapPropagator, Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from '../config.types.js';
import type { Logger } from '../logger.js';
import { MAX_TIMER_MS } from '../config-settings.js';

/** Tracing while it is on (@opentelemetry/sdk-trace-base with an OTLP exporter): the tracer, the API and the W3C Trace Context propagator. */
export interface Tracing {
  readonly tracer: Tracer;
  /** The OpenTelemetry API (@opentelemetry/api), loaded with tracing. */
  readonly api: typeof import('@opentelemetry/api');
  /** W3C Trace Context (the `traceparent` header of a request). */
  readonly propagator: TextMapPropagator;
  /** Exports the spans ended so far (tests; shutdown does it too). */
  forceFlush(): Promise<void>;
  /** Exports what is left and stops. */
  shutdown(): Promise<void>;
}

/**
 * How long one export may take (ms), retries included: `tracing.exportTimeoutMs`, else
 * OTEL_BSP_EXPORT_TIMEOUT, else 2000. The batch processor waits at most this long for an export
 * (its exportTimeoutMillis), at shutdown too, and the OTLP exporter gives up its retries by then
 * (its timeoutMillis), instead of the SDK's 30 s and 10 s: a SIGTERM while the collector is down
 * took about 8 s, spent on the exporter's retries. An OTEL_BSP_EXPORT_TIMEOUT that is not a number
 * from 0 to MAX_TIMER_MS is passed over, as the SDK does with one it cannot read: the value becomes
 * the SDK's setTimeout, which takes a longer one as 1 ms (`tracing.exportTimeoutMs` is checked at
 * start: src/config.ts validateConfig).
 */
export function exportTimeoutMs(config: TracingConfig, env: NodeJS.ProcessEnv = process.env): number {
  if (config.exportTimeoutMs !== undefined) return config.exportTimeoutMs;
  const fromEnv = Number(env.OTEL_BSP_EXPORT_TIMEOUT);
  return env.OTEL_BSP_EXPORT_TIMEOUT?.trim() && fromEnv >= 0 && fromEnv <= MAX_TIMER_MS ? fromEnv : 2000;
}

/** The OTLP trace exporter for `config` (its own OTEL_EXPORTER_OTLP_* variables fill in the rest). */
async function otlpExporter(config: TracingConfig, timeoutMillis: number): Promise<SpanExporter> {
  const url = { ...(config.endpoint ? { url: config.endpoint } : {}), timeoutMillis };
  const options = { ...url, ...(config.headers ? { headers: config.headers } : {}) };
  switch (config.protocol ?? 'http/protobuf') {
    case 'http/json':
      return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter(options);
    case 'grpc':
      // gRPC metadata comes from OTEL_EXPORTER_OTLP_(TRACES_)HEADERS.
      return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter(url);
    default:
      return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter(options);
  }
}

/**
 * Starts tracing when `config.enabled`; null otherwise (nothing is created, nothing is exported).
 * `exporter` replaces the OTLP exporter (tests pass an in-memory one). The SDK's own warnings and
 * errors (an export the collector refused or that timed out) go to `logger`: OpenTelemetry reports
 * them through its process-wide diagnostic logger, which is set here, once tracing is on.
 */
export async function startTracing(config: TracingConfig | undefined, logger: Logger, exporter?: SpanExporter): Promise<Tracing | null> {
  if (!config?.enabled) return null;
  const [api, { W3CTraceContextPropagator }] = await Promise.all([import('@opentelemetry/api'), import('@opentelemetry/core')]);
  const { DiagLogLevel, diag } = api;
  const log = logger.child({ component: 'opentelemetry' });
  // While stopping, the SDK's reports of the last export failing (ECONNREFUSED from a collector
  // that is down, a timeout) are gathered and said once as the documented line (shutdown below).
  let stopping: string[] | null = null;
  const line = (level: 'warn' | 'error') => (message: string, ...args: unknown[]) => {
    const detail = args.map(String).join(' ').slice(0, 500);
    if (stopping) stopping.push(`${message} ${detail}`.trim().slice(0, 500));
    else log[level]({ detail }, message);
  };
  const quiet = () => undefined;
  diag.setLogger({ error: line('error'), warn: line('warn'), info: quiet, debug: quiet, verbose: quiet }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  const [{ BasicTracerProvider, BatchSpanProcessor }, { detectResources, envDetector, resourceFromAttributes }, { ATTR_SERVICE_NAME }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (envDetector) win over the configured name.
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName ?? 'registry-gateway' }).merge(detectResources({ detectors: [envDetector] }));
  const timeoutMs = exportTimeoutMs(config);
  const processor = new BatchSpanProcessor(exporter ?? (await otlpExporter(config, timeoutMs)), { exportTimeoutMillis: timeoutMs });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  return {
    tracer: provider.getTracer('registry-gateway'),
    api,
    propagator: new W3CTraceContextPropagator(),
    forceFlush: () => provider.forceFlush(),
    // A collector that is down or hung must not stop the gateway from stopping: the last export is
    // given up after exportTimeoutMs, or fails at once (refused), and either is logged once, as
    // `the last spans could not be exported` with the SDK's report in `detail`.
    shutdown: async () => {
      stopping = [];
      let err: unknown;
      try {
        await provider.shutdown();
      } catch (e) {
        err = e;
      }
      const reports = stopping;
      stopping = null;
      if (err !== undefined || reports.length > 0) log.warn({ err, detail: reports[0], exportTimeoutMs: timeoutMs }, 'the last spans could not be exported');
    },
  };
}
