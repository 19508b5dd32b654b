/**
 * Idempotency records written after the fact, many in one statement, for requests whose intent
 * is kept durably elsewhere before anything is sent: a bulk item claimed RUNNING (src/bulk/store.ts)
 * says "this item's command may be on its way" as an IN_PROGRESS record would, so the record
 * itself is written only with the outcome (IdempotencyService.runDeferred), together with the
 * outcomes of the other items of the batch. A claimed item found RUNNING after its holder died is
 * in doubt: it gets an OUTCOME_UNKNOWN record (IdempotencyService.markInDoubt) before it runs
 * again, so that it is reconciled with the registry, never sent again blindly.
 */
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../db/generated/client.js';
import { rawExecute } from '../db/raw.js';
import type { StoredRequest } from './lease.js';

/** One record as runDeferred hands it over: the final state of the key, or OUTCOME_UNKNOWN for the next attempt to reconcile. */
export interface DeferredRecord {
  registrarId: string;
  key: string;
  operation: string;
  /** Keyed fingerprint of the normalised arguments (src/idempotency/fingerprint.ts). */
  fingerprint: string;
  state: 'SUCCEEDED' | 'FAILED' | 'OUTCOME_UNKNOWN';
  /** Normalised arguments (secrets hashed) and what the attempt noted (nothing: a note writes the record at once). */
  request: StoredRequest;
  /** SUCCEEDED: the answer to replay. */
  response?: unknown;
  /** FAILED: the registry's refusal to replay (code, message, details). */
  error?: unknown;
  clientTrid?: string | null;
  serverTrid?: string | null;
  backend: string | null;
  /** Before anything was sent (the gateway's clock): reconciliation looks for effects from then on. */
  createdAt: Date;
  expiresAt: Date;
}

/**
 * Writes the records in one statement. A key that has a record already keeps it (the first
 * record of a key is its answer: another attempt under the key, e.g. one that took an item over
 * from a holder presumed dead, wrote it). Returns how many records were written (those of keys
 * that had none). Throws when the database does: the caller keeps the records and tries again
 * before it writes anything that depends on them.
 */
export async function writeDeferredRecords(prisma: PrismaClient, records: readonly DeferredRecord[], now: Date): Promise<number> {
  if (records.length === 0) return 0;
  // The rows as one JSON parameter: cheaper to compile and send than a parameter per column and row.
  // A hot batch write: straight through the pool on PostgreSQL (src/db/raw.ts).
  return rawExecute(prisma, deferredRecordsSql('$1', '$2'), [JSON.stringify(deferredRows(records)), now.toISOString()]);
}

/** The rows of `records` as deferredRecordsSql reads them (one JSON parameter). */
export function deferredRows(records: readonly DeferredRecord[]) {
  return records.map((r) => ({
    id: randomUUID(),
    registrar_id: r.registrarId,
    idempotency_key: r.key,
    operation: r.operation,
    fingerprint: r.fingerprint,
    state: r.state,
    request: r.request,
    response: r.response === undefined ? null : r.response,
    error: r.error === undefined ? null : r.error,
    client_trid: r.clientTrid ?? null,
    server_trid: r.serverTrid ?? null,
    backend: r.backend,
    created_at: r.createdAt.toISOString(),
    expires_at: r.expiresAt.toISOString(),
  }));
}

/**
 * The INSERT of writeDeferredRecords: the rows (deferredRows, as JSON) in parameter `rows`, the
 * records' updated_at in `now`; a key that has a record keeps it. Also one part of a bulk
 * runner's flush statement (BulkStore.settle), which writes the records with the outcomes: there
 * each row also names its bulk item (`item_id`), and with `onlyItemsIn` (a CTE of the statement
 * returning item ids) only the rows of those items are written.
 */
export function deferredRecordsSql(rows: string, now: string, onlyItemsIn?: string): string {
  return `INSERT INTO idempotency_records (id, registrar_id, idempotency_key, operation, fingerprint, state, request, response, error,
      client_trid, server_trid, backend, created_at, updated_at, expires_at)
    SELECT v.id, v.registrar_id, v.idempotency_key, v.operation, v.fingerprint, v.state::idempotency_state, v.request, v.response, v.error,
      v.client_trid, v.server_trid, v.backend, v.created_at, ${now}::timestamptz, v.expires_at
    FROM jsonb_to_recordset(${rows}::jsonb) AS v(id text, registrar_id text, idempotency_key text, operation text,
      fingerprint text, state text, request jsonb, response jsonb, error jsonb, client_trid text, server_trid text, backend text,
      created_at timestamptz, expires_at timestamptz${onlyItemsIn ? ', item_id bigint' : ''})${onlyItemsIn ? `\n    WHERE v.item_id IN (SELECT id FROM ${onlyItemsIn})` : ''}
    ON CONFLICT (registrar_id, idempotency_key) DO NOTHING`;
}
