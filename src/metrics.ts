/**
 * Prometheus metrics (GET /metrics): what an operator watches. Labels are bounded sets (backend,
 * command, operation, outcome code); never a registrar, a domain name or anything secret.
 * One registry per gateway, so several gateways in one process (tests) do not collide.
 */
import type { ApolloServerPlugin } from '@apollo/server';
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
    help: 'GraphQL operations over HTTP, by type and outcome (the first error code, or "ok").',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly operationSeconds = new Histogram({
    name: 'rgw_graphql_operation_duration_seconds',
    help: 'Time to answer a GraphQL operation over HTTP.',
    labelNames: ['type'] as const,
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

  /** Counts and times GraphQL operations over HTTP. */
  apolloPlugin(): ApolloServerPlugin {
    const operations = this.operations;
    const seconds = this.operationSeconds;
    return {
      async requestDidStart() {
        const started = performance.now();
        return {
          async willSendResponse({ operation, response, errors }) {
            const type = operation?.operation ?? 'invalid';
            const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
            const code = errors?.[0]?.extensions?.code ?? body?.errors?.[0]?.extensions?.code;
            operations.inc({ type, outcome: typeof code === 'string' ? code : code === undefined ? 'ok' : 'error' });
            seconds.observe({ type }, (performance.now() - started) / 1000);
          },
        };
      },
    };
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
