/**
 * Prometheus metrics (GET /metrics): what an operator watches. Labels are bounded sets (backend,
 * command, operation, outcome code); never a registrar, a domain name or anything secret.
 * One registry per gateway, so several gateways in one process (tests) do not collide.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CommandEvent } from './commandlog/command-log.js';

export interface MetricsSources {
  /** Open subscriptions on this instance. */
  subscriptions(): number;
  /** Upstream accounts whose poll queue this instance holds the lease of. */
  pollLeasesHeld(): number;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly commands = new Counter({
    name: 'rgw_upstream_commands_total',
    help: 'Upstream registry commands, by backend, command and outcome (the gateway error code, or "ok").',
    labelNames: ['backend', 'command', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly commandSeconds = new Histogram({
    name: 'rgw_upstream_command_duration_seconds',
    help: 'Time from sending an upstream command to its answer (or failure).',
    labelNames: ['backend', 'command'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly operations = new Counter({
    name: 'rgw_graphql_operations_total',
    help: 'GraphQL operations over HTTP and graphql-ws (transport "http", "ws"), by type and outcome (the first error code, or "ok"); a subscription counts once, when it is set up or refused.',
    labelNames: ['transport', 'type', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly operationSeconds = new Histogram({
    name: 'rgw_graphql_operation_duration_seconds',
    help: 'Time to answer a GraphQL operation (a subscription: to set it up), by transport and type.',
    labelNames: ['transport', 'type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly pollStored = new Counter({
    name: 'rgw_poll_messages_stored_total',
    help: 'Upstream poll messages stored (each once, however often it was read).',
    labelNames: ['backend', 'type'] as const,
    registers: [this.registry],
  });
  private readonly pollLag = new Histogram({
    name: 'rgw_poll_ingest_delay_seconds',
    help: 'Time from a message entering the upstream queue to the gateway storing it.',
    labelNames: ['backend'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  constructor(sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'rgw_' });
    new Gauge({
      name: 'rgw_subscriptions',
      help: 'Open pollMessages subscriptions on this instance.',
      registers: [this.registry],
      collect() {
        this.set(sources.subscriptions());
      },
    });
    new Gauge({
      name: 'rgw_poll_leases_held',
      help: 'Upstream accounts this instance polls (holds the lease of).',
      registers: [this.registry],
      collect() {
        this.set(sources.pollLeasesHeld());
      },
    });
  }

  /** An upstream command finished (the adapters' onCommand). */
  command = (e: CommandEvent): void => {
    this.commands.inc({ backend: e.backend, command: e.command, outcome: e.errorCode ?? 'ok' });
    this.commandSeconds.observe({ backend: e.backend, command: e.command }, e.durationMs / 1000);
  };

  /** A poll message was stored for the first time. */
  stored(backend: string, type: string, queuedAt: Date, receivedAt: Date): void {
    this.pollStored.inc({ backend, type });
    this.pollLag.observe({ backend }, Math.max(0, receivedAt.getTime() - queuedAt.getTime()) / 1000);
  }

  /** A GraphQL operation settled (src/observe/operations.ts, for both transports). */
  operation(transport: string, type: string, outcome: string, seconds: number): void {
    this.operations.inc({ transport, type, outcome });
    this.operationSeconds.observe({ transport, type }, seconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
