/**
 * The OT&E runner: the document's 12 steps against one registry backend through the gateway's
 * GraphQL API, one progress line per step, stopping at the first step whose evidence does not
 * hold (saying which and why), then the evidence archive (archive.ts) and its fingerprint.
 */
import { randomBytes } from 'node:crypto';
import { writeArchive, type ArchiveFacts } from './archive.js';
import { GatewayClient } from './client.js';
import { RECONCILE } from './reconcile.js';
import { STEPS, StepFailed, type RunState, type StepRecord } from './steps.js';

/** A run's settings, from the command line (src/ote/args.ts). */
export interface OteOptions {
  /** The gateway's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  apiKey: string;
  registry: string;
  registrar: string;
  out: string;
  operator: { clientName?: string; supportContact?: string; technicalContact?: string; registryRunId?: string };
  /** How long step 11 waits for the audit rows to reach the gateway. Default 60000 ms. */
  pollWaitMs?: number;
  /** Secrets that must not appear in the files (the API key is added). */
  secrets?: string[];
  log(line: string): void;
}

/** A run's outcome: ok, else the first failed step and why; the archive's markdown and JSON and the markdown's SHA-256 (hex). */
export interface OteResult {
  ok: boolean;
  failedStep?: string;
  reason?: string;
  md: string;
  json: string;
  sha256: string;
}

/** Runs the 12 steps in order, stopping at the first that fails, then writes the archive to `o.out`; never throws for a failed step (OteResult.ok false). */
export async function runOte(o: OteOptions): Promise<OteResult> {
  const runId = `${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`;
  const s: RunState = { gql: new GatewayClient(o.url, o.apiKey), registry: o.registry, registrar: o.registrar, runId, fixtures: {}, commands: [], pollWaitMs: o.pollWaitMs ?? 60_000 };
  const startedAt = new Date().toISOString();
  const records: StepRecord[] = [];
  const all = [...STEPS, RECONCILE];
  const total = all.length + 1;
  let failure: { step: string; reason: string } | undefined;
  for (const [i, step] of all.entries()) {
    const r: StepRecord = { n: i + 1, name: step.name, title: step.title, ok: false, exchanges: [], facts: {} };
    records.push(r);
    try {
      await step.run(s, r);
      r.ok = true;
      const detail = [r.idempotencyKey ? `key ${r.idempotencyKey} -> ${r.commandId ?? '?'}, retry replayed` : '', r.summary ?? ''].filter(Boolean).join('; ');
      o.log(`[${String(r.n).padStart(2)}/${total}] ${step.name.padEnd(12)} ok${detail ? `  ${detail}` : ''}`);
    } catch (e) {
      r.reason = e instanceof StepFailed ? e.message : `unexpected: ${(e as Error).message}`;
      o.log(`[${String(r.n).padStart(2)}/${total}] ${step.name.padEnd(12)} FAILED: ${r.reason}`);
      failure = { step: `${r.n} (${step.name})`, reason: r.reason };
      break;
    }
  }
  const facts: ArchiveFacts = {
    runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    gateway: o.url,
    registry: o.registry,
    registrar: o.registrar,
    outcome: failure ? 'failed' : 'passed',
    failedStep: failure?.step,
    operator: { clientName: o.operator.clientName ?? null, supportContact: o.operator.supportContact ?? null, technicalContact: o.operator.technicalContact ?? null, registryRunId: o.operator.registryRunId ?? null },
    status: s.status ? JSON.parse(s.status.raw) : null,
    steps: records,
    tokenCheck: '',
  };
  const written = writeArchive(o.out, facts, [o.apiKey, ...(o.secrets ?? [])]);
  if (!failure) {
    const missing = Object.entries(facts.operator).filter(([, v]) => !v).map(([k]) => k);
    o.log(`[${total}/${total}] archive      ok  ${written.md}${missing.length ? ` (left empty: ${missing.join(', ')})` : ''}`);
  }
  o.log(`SHA-256 ${written.sha256}  ${written.md}`);
  return { ok: !failure, failedStep: failure?.step, reason: failure?.reason, ...written };
}
