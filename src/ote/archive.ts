/**
 * Step 12's evidence archive (document, "Evidence Required" 1-9): a markdown document and a JSON
 * twin holding the same facts, the markdown's SHA-256 fingerprint (also written beside it as
 * `evidence-archive.md.sha256`), and a scan of every file written for bearer tokens and API keys
 * (the gateway key in use, any token given in GATEWAY_*_TOKEN, and anything shaped like one).
 * A file that fails the scan is deleted and the run fails.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepRecord } from './steps.js';

/** Everything step 12's archive states (HeadlessDomains OT&E document, "Evidence Required" 1-9): the run's id and UTC ISO 8601 times, the gateway and registry, the operator's facts, the steps' records and the reconciliation of step 11. */
export interface ArchiveFacts {
  runId: string;
  startedAt: string;
  finishedAt: string;
  gateway: string;
  registry: string;
  registrar: string;
  outcome: 'passed' | 'failed';
  failedStep?: string;
  /** Evidence items only the operator knows (flags); null when not given. */
  operator: Record<string, string | null>;
  status: unknown;
  steps: StepRecord[];
  tokenCheck: string;
}

const FLAG_NAMES: Record<string, string> = {
  clientName: 'API client name (--client-name)',
  supportContact: 'support escalation contact (--support-contact)',
  technicalContact: 'technical contact (--technical-contact)',
  registryRunId: 'named OT&E run id in /admin/interop (--registry-run-id)',
};

const block = (v: unknown) => '```json\n' + JSON.stringify(v, null, 2) + '\n```';

/** The archive's markdown document for `f` (what is fingerprinted with SHA-256); facts the operator did not give are listed as missing, with the flag that gives each. */
export function markdown(f: ArchiveFacts): string {
  const missing = Object.entries(f.operator).filter(([, v]) => !v).map(([k]) => FLAG_NAMES[k] ?? k);
  const st = (f.status ?? {}) as { registrar_channel?: { id?: string }; namespace_listings?: { tld?: string; status?: string }[] };
  const namespaces = (st.namespace_listings ?? []).map((n) => `${n.tld} (${n.status})`).join(', ') || '(unknown)';
  const out = [
    `# HeadlessDomains OT&E evidence archive: run ${f.runId}`,
    '',
    `Outcome: **${f.outcome}**${f.failedStep ? ` (stopped at step ${f.failedStep})` : ''}. Started ${f.startedAt}, finished ${f.finishedAt}.`,
    '',
    '## 1. Client, channel, namespace',
    '',
    `| item | value |\n| --- | --- |\n| API client name | ${f.operator.clientName ?? '(not given)'} |\n| gateway | ${f.gateway} |\n| registry backend | ${f.registry} |\n| gateway registrar | ${f.registrar} |\n| registrar channel | ${st.registrar_channel?.id ?? '(unknown)'} |\n| test namespace | ${namespaces} |\n| support escalation contact | ${f.operator.supportContact ?? '(not given)'} |\n| technical contact | ${f.operator.technicalContact ?? '(not given)'} |\n| named OT&E run id | ${f.operator.registryRunId ?? '(not given)'} |`,
    '',
    missing.length ? `Evidence left empty (give the flags): ${missing.join('; ')}.` : 'Every operator-supplied evidence item is filled.',
    '',
    '## 2. GET /status before any mutating command',
    '',
    block(f.status),
    '',
    '## 3-4. Steps, idempotency keys, first attempt and retry',
    '',
    '| # | step | result | idempotency key | registry command id | HTTP first / retry |',
    '| --- | --- | --- | --- | --- | --- |',
    ...f.steps.map((s) => `| ${s.n} | ${s.title} | ${s.ok ? 'ok' : `FAILED: ${s.reason}`} | ${s.idempotencyKey ?? '-'} | ${s.commandId ?? '-'} | ${s.first ? `${s.first.httpStatus} / ${s.retry?.httpStatus ?? '-'}` : '-'} |`),
    '',
  ];
  for (const s of f.steps) {
    out.push(`### Step ${s.n}: ${s.title}`, '');
    if (s.first) out.push('First attempt:', '', block(s.first), '', 'Retry with the same key:', '', block(s.retry ?? null), '');
    if (Object.keys(s.facts).length) out.push('Facts:', '', block(s.facts), '');
  }
  out.push('## 5-6. Poll reconciliation', '', 'Step 11 above lists, per command, the gateway command log entry and the registry audit row (audit row id, command id, idempotency key, status, timestamps, registrar.channel_id).', '');
  out.push('## 8. Bearer tokens', '', f.tokenCheck, '');
  return out.join('\n');
}

/** Strings that must never appear in a written file: given secrets, and token-shaped text. */
export function findSecrets(text: string, secrets: string[]): string[] {
  const found = secrets.filter((s) => s.length >= 8 && text.includes(s)).map(() => 'a given secret');
  for (const re of [/\brgw_[A-Za-z0-9_-]{16,}/, /\bhdk_[A-Za-z0-9_-]{16,}/, /Bearer\s+[A-Za-z0-9._~+/=-]{8,}/i]) if (re.test(text)) found.push(`text matching ${re.source}`);
  return found;
}

/** Writes the archive and its twin, scans them, answers their paths and the markdown's SHA-256. */
export function writeArchive(dir: string, facts: ArchiveFacts, secrets: string[]): { md: string; json: string; sha256: string } {
  mkdirSync(dir, { recursive: true });
  const md = join(dir, 'evidence-archive.md');
  const json = join(dir, 'evidence-archive.json');
  facts.tokenCheck = 'Every file this run wrote was scanned for the gateway API key, the bearer tokens in the environment and token-shaped text: none found. The runner never holds the registry bearer token; the gateway reads it from its environment or a file and masks it everywhere.';
  writeFileSync(md, markdown(facts));
  writeFileSync(json, JSON.stringify(facts, null, 2) + '\n');
  const sha256 = createHash('sha256').update(readFileSync(md)).digest('hex');
  writeFileSync(`${md}.sha256`, `${sha256}  evidence-archive.md\n`);
  for (const f of [md, json, `${md}.sha256`]) {
    const leaks = findSecrets(readFileSync(f, 'utf8'), secrets);
    if (leaks.length) {
      for (const g of [md, json, `${md}.sha256`]) rmSync(g, { force: true });
      throw new Error(`refusing to keep the archive: ${f} contained ${leaks.join(', ')} (files deleted)`);
    }
  }
  return { md, json, sha256 };
}
