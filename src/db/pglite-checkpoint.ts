/**
 * Checkpoints for the embedded database, which otherwise has none until it is closed.
 *
 * PGlite runs PostgreSQL as a single-user backend: there is no checkpointer process, so neither
 * checkpoint_timeout nor max_wal_size ever starts a checkpoint (a standalone backend requests one
 * for max_wal_size only under a postmaster), and after a SIGKILL the next start replays the whole
 * write-ahead log written since the database was opened. Measured on a 2-core machine: 34 MB of
 * WAL replayed in 430 ms (PGlite.create 0.78 s against 0.18-0.28 s after a clean close); during
 * bench:bulk, whose gateway writes two 10,000-item jobs before it is killed, the restarted
 * gateway's database took 0.9-1.2 s to open. A CHECKPOINT there, with its 16 MB of shared
 * buffers, took 8-60 ms.
 *
 * So every `everyMs` the gateway asks how much WAL was written since the last checkpoint (one
 * statement) and, past `maxBytes`, runs CHECKPOINT: the replay after a crash stays within about
 * that much plus what `everyMs` writes. Statements wait while a checkpoint runs, as they wait for
 * any statement: the database serves one at a time.
 */
import type { EmbeddedPGlite } from './pglite-thread.js';

/** When keepCheckpointing measures the WAL and when it runs CHECKPOINT (PostgreSQL's; PGlite has no checkpointer process). */
export interface CheckpointOptions {
  /** How often the WAL written since the last checkpoint is measured (ms). Default 2000. */
  everyMs?: number;
  /** WAL since the last checkpoint (bytes) past which a CHECKPOINT runs. Default 8 MiB. */
  maxBytes?: number;
}

/** The WAL written since the last checkpoint's redo point, in bytes. */
const WAL_SINCE_CHECKPOINT = 'SELECT (pg_current_wal_insert_lsn() - redo_lsn)::float8 AS bytes FROM pg_control_checkpoint()';

/**
 * Starts checkpointing `db` as described above; stop() ends it (waiting for a checkpoint under way)
 * and must be called before the database is closed. A failed measure or checkpoint (the database
 * closing, a full disk) is not retried before the next turn: it only makes a crash's recovery longer.
 */
export function keepCheckpointing(db: EmbeddedPGlite, { everyMs = 2000, maxBytes = 8 * 1024 * 1024 }: CheckpointOptions = {}): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const turn = async () => {
    const { rows } = await db.query<{ bytes: number }>(WAL_SINCE_CHECKPOINT);
    if ((rows[0]?.bytes ?? 0) > maxBytes) await db.exec('CHECKPOINT');
  };
  const timer = setInterval(() => {
    if (running || db.closed) return;
    running = turn()
      .catch(() => undefined)
      .finally(() => (running = undefined));
  }, everyMs);
  // Never what keeps the process alive.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
