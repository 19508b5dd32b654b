/**
 * OpenTelemetry traces, off unless configured (config `tracing`, or the standard OTEL_* variables:
 * `tracingFromEnv` in src/config.ts). When on, the gateway keeps a tracer provider of its own
 * (nothing is registered globally, so several gateways in one process keep apart) whose spans go
 * through a batch processor to the standard OTLP exporter: http/protobuf by default, http/json or
 * grpc as OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL or `tracing.protocol` says. The exporters read their
 * own OTEL_EXPORTER_OTLP_* variables (endpoint, headers, timeout, compression) and the provider
 * OTEL_TRACES_SAMPLER(_ARG) and the span limits, as the specification describes; `tracing.endpoint`
 * and `tracing.headers` from the config file override the first two. When tracing is off the SDK
 * and exporter modules are not even loaded.
 *
 * What is traced, and with which attributes: src/observe/operations.ts.
 */
import type { Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from '../config.types.js';

export interface Tracing {
  readonly tracer: Tracer;
  /** Exports the spans ended so far (tests; shutdown does it too). */
  forceFlush(): Promise<void>;
  /** Exports what is left and stops. */
  shutdown(): Promise<void>;
}

/** The OTLP trace exporter for `config` (its own OTEL_EXPORTER_OTLP_* variables fill in the rest). */
async function otlpExporter(config: TracingConfig): Promise<SpanExporter> {
  const url = config.endpoint ? { url: config.endpoint } : {};
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
 * `exporter` replaces the OTLP exporter (tests pass an in-memory one).
 */
export async function startTracing(config: TracingConfig | undefined, exporter?: SpanExporter): Promise<Tracing | null> {
  if (!config?.enabled) return null;
  const [{ BasicTracerProvider, BatchSpanProcessor }, { detectResources, envDetector, resourceFromAttributes }, { ATTR_SERVICE_NAME }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (envDetector) win over the configured name.
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName ?? 'registry-gateway' }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter ?? (await otlpExporter(config)))] });
  return {
    tracer: provider.getTracer('registry-gateway'),
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
