/**
 * Step 11: poll the command audit rows and reconcile them with the gateway's command log
 * (document, "Required Test Sequence" 11 and "Evidence Required" 5-6). Every mutating step's
 * command log entry must match one HeadlessDomains audit row one to one: the same command id
 * (the answer's serverTransactionId), the same idempotency key, a status that is not "failed",
 * timestamps, and `registrar.channel_id` equal to GET /status `audit_provenance.registrar_channel_id`.
 * Audit rows reach the gateway through its poll ingester, so the runner waits for them (bounded).
 */
import { StepFailed, type RunState, type Step } from './steps.js';

const LOG = '{ edges { node { id registry command idempotencyKey clientTransactionId serverTransactionId resultCode startedAt finishedAt outcome } } }';
const POLL =
  'query($after: String) { pollMessages(first: 500, after: $after, includeAcknowledged: true) { edges { cursor node { id registry upstreamId queuedAt audit { auditRowId commandId command idempotencyKey status httpStatus channelId createdAt completedAt } } } pageInfo { hasNextPage endCursor } } }';

/** One reconciled command: the gateway's side and the registry's. */
export interface Reconciled {
  step: string;
  idempotencyKey: string;
  commandLog: { id: string; command: string; serverTransactionId: string | null; resultCode: number | null; startedAt: string; finishedAt: string | null; outcome: string };
  audit: { auditRowId: string; commandId: string; command: string; idempotencyKey: string; status: string; httpStatus: number | null; channelId: string; createdAt: string | null; completedAt: string | null };
  /** Later rows of the same command (backend applies). */
  applyRows: { auditRowId: string; command: string; status: string; createdAt: string | null }[];
}

async function auditRows(s: RunState): Promise<any[]> {
  const rows: any[] = [];
  let after: string | null = null;
  for (let page = 0; page < 40; page++) {
    const { data }: { data: any } = await s.gql.run(POLL, { after });
    const c: any = data.pollMessages;
    rows.push(...c.edges.map((e: any) => e.node).filter((n: any) => n.registry === s.registry && n.audit));
    if (!c.pageInfo.hasNextPage) break;
    after = c.pageInfo.endCursor;
  }
  return rows.map((n) => n.audit);
}

/** Tries to match every mutating step; answers the matches and what is still missing. */
async function attempt(s: RunState): Promise<{ matched: Reconciled[]; missing: string[] }> {
  const rows = await auditRows(s);
  const matched: Reconciled[] = [];
  const missing: string[] = [];
  for (const c of s.commands) {
    const { data } = await s.gql.run(`query($f: CommandLogFilter) { commandLog(first: 50, filter: $f) ${LOG} }`, { f: { idempotencyKey: c.key } });
    const entries = data.commandLog.edges.map((e: any) => e.node).filter((n: any) => n.registry === s.registry);
    if (entries.length !== 1) {
      missing.push(`${c.step}: ${entries.length} command log entries for its key (one expected: the retry must not reach the registry)`);
      continue;
    }
    const log = entries[0];
    const mine = rows.filter((a) => a.idempotencyKey === c.key && a.commandId === log.serverTransactionId);
    const primary = mine.filter((a) => !String(a.command).startsWith('backend.apply.'));
    if (primary.length !== 1) {
      missing.push(`${c.step}: ${primary.length} audit rows with command id ${log.serverTransactionId} and its key`);
      continue;
    }
    const a = primary[0];
    if (a.status === 'failed') throw new StepFailed(`${c.step}: the registry's audit row says the command failed (HTTP ${a.httpStatus})`);
    if (a.channelId !== s.status!.auditChannelId) throw new StepFailed(`${c.step}: audit row ${a.auditRowId} has channel ${a.channelId}, GET /status says ${s.status!.auditChannelId}`);
    matched.push({ step: c.step, idempotencyKey: c.key, commandLog: log, audit: a, applyRows: mine.filter((x) => x !== a).map((x) => ({ auditRowId: x.auditRowId, command: x.command, status: x.status, createdAt: x.createdAt })) });
  }
  return { matched, missing };
}

/** Step 11 as a runner step: waits up to pollWaitMs for the audit rows, then fails (StepFailed) naming every mutating step without its one matching row. */
export const RECONCILE: Step = {
  name: 'poll',
  title: 'poll command audit rows and reconcile command ids, idempotency keys, statuses and timestamps',
  async run(s, r) {
    const deadline = Date.now() + s.pollWaitMs;
    let last = await attempt(s);
    while (last.missing.length > 0 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 500));
      last = await attempt(s);
    }
    if (last.missing.length > 0) throw new StepFailed(`not reconciled after ${Math.round(s.pollWaitMs / 1000)} s: ${last.missing.join('; ')}`);
    r.facts.reconciled = last.matched;
    r.summary = `${last.matched.length} commands reconciled one to one (ids, keys, statuses, channel ${s.status!.auditChannelId})`;
    r.facts.auditChannelId = s.status!.auditChannelId;
  },
};
