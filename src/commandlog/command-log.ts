import type { PrismaClient } from '../db/generated/client.js';
import type { Logger } from '../logger.js';

/** One upstream command as an adapter reports it (never with secrets). */
export interface CommandEvent {
  registrarId: string;
  backend: string;
  command: string;
  objectName?: string | null;
  clTRID: string;
  svTRID?: string | null;
  code?: number | null;
  message?: string | null;
  durationMs: number;
  idempotencyKey?: string | null;
  operation?: string | null;
}

/**
 * Writes every upstream command to the command log. Writes are queued and awaited by
 * `flush()`, so a slow database never holds up the command that produced the entry.
 */
export class CommandLog {
  private pending = new Set<Promise<unknown>>();
  constructor(
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
  ) {}

  record = (e: CommandEvent): void => {
    const p = this.prisma.commandLog
      .create({
        data: {
          registrarId: e.registrarId,
          backend: e.backend,
          operation: e.operation ?? e.command,
          command: e.command,
          objectName: e.objectName ?? null,
          idempotencyKey: e.idempotencyKey ?? null,
          clientTrid: e.clTRID,
          serverTrid: e.svTRID ?? null,
          resultCode: e.code ?? null,
          message: e.message ?? null,
          durationMs: Math.round(e.durationMs),
        },
      })
      .catch((err: unknown) => this.logger.error({ err, command: e.command, clTRID: e.clTRID }, 'command log write failed'))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  };

  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
