/**
 * Which registry sessions a bulk runner is using, kept in a small file beside the gateway's data
 * (config.dataDir), so that the same instance started again after it died with items in hand (a
 * crash, a SIGKILL, an OOM kill: same bulk.instanceId; a clean stop gives its items back and
 * empties the file) logs those sessions in while its database opens, instead of once its runner
 * has started and read which items it had claimed (src/bulk/runner.ts, start). A hint only: the
 * runner still takes its items back from the database and opens what they need; a hint that is
 * stale (the job finished elsewhere meanwhile) opens sessions that idle out as any idle session.
 *
 * Written only for an identity a restart keeps (bulk.instanceId set, or the embedded database's
 * 'embedded'): an instance with a random identity takes nothing back after a restart. One file
 * per identity (its name a digest of the identity), so that several instances started from one
 * directory keep apart; its content names the identity too and is read only for it. Owner-only
 * (0600), written whole (a temporary file renamed over it), and small: backend names, registrar
 * ids and session counts, nothing secret.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { GatewayConfig } from '../config.types.js';
import type { Logger } from '../logger.js';
import { removeStaleTemps, tempName } from '../core/stale-temp.js';

/** One lane's sessions: `sessions` of `registrarId`'s account at backend `backend` were running bulk items. */
export interface SessionLane {
  backend: string;
  registrarId: string;
  sessions: number;
}

/** The file's content (version 1). */
interface HintFile {
  version: 1;
  instanceId: string;
  lanes: SessionLane[];
}

/**
 * The hint file of `instanceId` under `config.dataDir` when that identity survives a restart
 * (config.bulk.instanceId set, or no databaseUrl: the embedded database's 'embedded'), else null.
 */
export function sessionHintPath(config: Pick<GatewayConfig, 'bulk' | 'databaseUrl' | 'dataDir'>, instanceId: string): string | null {
  if (!config.bulk?.instanceId && config.databaseUrl) return null;
  const digest = createHash('sha256').update(instanceId).digest('hex').slice(0, 16);
  return path.join(config.dataDir, `bulk-sessions-${digest}.json`);
}

const isLane = (l: unknown): l is SessionLane => {
  const x = l as SessionLane;
  return typeof x?.backend === 'string' && typeof x.registrarId === 'string' && Number.isInteger(x.sessions) && x.sessions > 0;
};

/**
 * The lanes the hint file at `file` names for `instanceId`: [] when there is none, or it is not
 * readable, not this format, or another identity's. Never throws (a hint that cannot be read
 * only means the sessions open when the runner needs them). Synchronous: one small file, read
 * before anything else needs the thread.
 */
export function readSessionHint(file: string | null, instanceId: string): SessionLane[] {
  if (!file) return [];
  try {
    const hint = JSON.parse(readFileSync(file, 'utf8')) as Partial<HintFile>;
    if (hint.version !== 1 || hint.instanceId !== instanceId || !Array.isArray(hint.lanes)) return [];
    return hint.lanes.filter(isLane).slice(0, 256);
  } catch {
    return [];
  }
}

/** The file's text for `lanes` (sorted, so that the same lanes give the same text). */
function hintText(instanceId: string, lanes: SessionLane[]): string {
  const sorted = [...lanes].sort((a, b) => a.backend.localeCompare(b.backend) || a.registrarId.localeCompare(b.registrarId));
  return JSON.stringify({ version: 1, instanceId, lanes: sorted } satisfies HintFile);
}

/**
 * Keeps the hint file of one identity up to date: set() writes the lanes when they differ from
 * the last ones asked for (at the start: what the file holds, so no lanes and no file write
 * nothing), one write at a time, the latest lanes winning. A job's run so costs a write when its
 * lanes start (and when one needs more sessions) and one when they end. A write that fails (a
 * read-only or full disk) is logged once and ends the writing for this process: only the hint is
 * lost. Each write goes to a new temporary file (random name, created exclusively, 0600) renamed
 * over the hint (tempName: this process's id in it, so the next start removes one a kill left behind).
 */
export class SessionHintWriter {
  /** The text last asked for (written, being written, or to be written). */
  private last: string;
  private pending: string | null = null;
  private writing: Promise<void> = Promise.resolve();
  private failed = false;
  /** Temporary files of an earlier process's cut-short write looked for (removeStaleTemps), before this one's first write. */
  private cleaned = false;

  constructor(
    private readonly file: string,
    private readonly instanceId: string,
    private readonly logger: Logger,
  ) {
    this.last = hintText(instanceId, readSessionHint(file, instanceId));
  }

  /** Records `lanes` (written in the background; flushed() resolves once written). */
  set(lanes: SessionLane[]): void {
    const text = hintText(this.instanceId, lanes);
    if (this.failed || text === this.last) return;
    this.last = text;
    const queued = this.pending !== null;
    this.pending = text;
    if (!queued) this.writing = this.writing.then(() => this.write());
  }

  /** Resolves once what set() was given has been written (or failed to be). */
  flushed(): Promise<void> {
    return this.writing;
  }

  private async write(): Promise<void> {
    const text = this.pending;
    this.pending = null;
    if (text === null || this.failed) return;
    const tmp = tempName(this.file, randomBytes(6).toString('hex'));
    try {
      await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      if (!this.cleaned) {
        this.cleaned = true;
        await removeStaleTemps(this.file); // a write an earlier process was killed in
      }
      await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
      await rename(tmp, this.file);
    } catch (err) {
      this.failed = true;
      await rm(tmp, { force: true }).catch(() => undefined);
      this.logger.warn({ err, file: this.file }, 'bulk: the sessions hint could not be written (not tried again by this process); a restart opens its sessions once its database is open');
    }
  }
}

/**
 * The lanes of `hintFile` (readSessionHint) that src/main.ts opens sessions for before the
 * database: those whose backend is configured and has an account for the registrar. None when a
 * backend is an in-process sandbox (the backends would be made before the sandboxes run, whose
 * addresses only they know), nor when bulk jobs do not run here (bulk.enabled false).
 */
export function lanesAhead(config: Pick<GatewayConfig, 'backends' | 'bulk' | 'databaseUrl' | 'dataDir'>, instanceId: string): SessionLane[] {
  if (config.bulk?.enabled === false || config.backends.some((b) => b.sandbox)) return [];
  return readSessionHint(sessionHintPath(config, instanceId), instanceId).filter((l) => {
    const b = config.backends.find((x) => x.name === l.backend);
    return b !== undefined && Object.hasOwn(b.accounts ?? {}, l.registrarId);
  });
}
