/**
 * What a native bulk request's command-log entry says besides the registry's result (README,
 * "Command log"). A registry answers such a request as a whole: REPP's bulk endpoints (REPP
 * document, "Bulk actions") answer 1000 once the request was processed, while some of its domains
 * may have been refused (a transfer's wrong code) or skipped inside it. The entry keeps the
 * registry's code and its message gains what befell those domains, e.g. "Command completed
 * successfully; 1 of 3 domains not transferred: a.ee (2202 Invalid authorization information)".
 * Nothing is added when every domain was done. A transfer or renewal also counts its domains
 * ({@link BulkDomains}), from which the entry's outcome says PARTIAL when some were not done and
 * FAILED when none was (src/commandlog/outcome.ts); a replacement's skipped domains are no failure
 * (the per-item path leaves them alone too: SUCCEEDED, `skipped`). Each item's own outcome is the
 * bulk job's (src/bulk/native*.ts).
 */
import type { BulkReplaceResult, BulkTransferResult } from '../core/model/index.js';

/** Domains a detail names at most; the rest are counted. */
const LISTED = 5;
/** Characters of one registry message a detail keeps. */
const MESSAGE_CHARS = 100;

const cut = (text: string) => (text.length > MESSAGE_CHARS ? `${text.slice(0, MESSAGE_CHARS)}...` : text);

/** "a.ee, b.ee" (each with its reason, when given), at most LISTED of them, then how many more. */
function listed(items: { name: string; why?: string }[]): string {
  const shown = items.slice(0, LISTED).map((i) => (i.why ? `${i.name} (${i.why})` : i.name));
  return items.length > LISTED ? `${shown.join(', ')}, and ${items.length - LISTED} more` : shown.join(', ');
}

/** How many domains a native bulk request carried, and how many of them its answer shows not done. */
export interface BulkDomains {
  requested: number;
  notDone: number;
}

/**
 * What a native bulk answer says of its domains, read in one place per kind so that the entry's
 * counts and its message cannot disagree: `detail`, what the entry's message adds (undefined when
 * every domain was done); `domains`, the counts (a transfer or renewal; PortCommandEvent.bulkDomains).
 */
export interface BulkAnswer {
  detail?: string;
  domains?: BulkDomains;
}

/**
 * A bulk transfer of `requested` domains: those the registry refused, counted and named with their
 * codes and messages. A domain the answer lists more than once (REPP's `failed` array may carry one
 * entry per error) is one domain not transferred, with every reason; names compare case-insensitively.
 */
export function transferAnswer(requested: number, r: BulkTransferResult): BulkAnswer {
  const byName = new Map<string, BulkTransferResult['failed'][number]>();
  for (const f of r.failed) {
    const key = f.name.toLowerCase();
    const seen = byName.get(key);
    byName.set(key, seen ? { name: seen.name, errors: [...seen.errors, ...f.errors] } : f);
  }
  const failed = [...byName.values()];
  const domains = { requested, notDone: Math.min(requested, failed.length) };
  if (failed.length === 0) return { domains };
  const why = (f: BulkTransferResult['failed'][number]) => f.errors.map((e) => cut(e.code === null ? e.message : `${e.code} ${e.message}`.trim())).join('; ') || undefined;
  return { domains, detail: `${domains.notDone} of ${requested} domains not transferred: ${listed(failed.map((f) => ({ name: f.name, why: why(f) })))}` };
}

/** A bulk renewal of `requested`: those the answer does not list as renewed (names compared case-insensitively), counted and named. */
export function renewAnswer(requested: readonly string[], r: { renewed: string[] }): BulkAnswer {
  const renewed = new Set(r.renewed.map((n) => n.toLowerCase()));
  const missing = requested.filter((n) => !renewed.has(n.toLowerCase()));
  const domains = { requested: requested.length, notDone: missing.length };
  return missing.length === 0 ? { domains } : { domains, detail: `${missing.length} of ${requested.length} domains not renewed: ${listed(missing.map((name) => ({ name })))}` };
}

/** A bulk replacement over the `requested` domains (undefined: every domain of the registrar's): those the registry skipped (no counts: a skip is no failure). */
export function replaceAnswer(requested: number | undefined, r: BulkReplaceResult): BulkAnswer {
  if (r.skipped.length === 0) return {};
  const names = listed(r.skipped.map((name) => ({ name })));
  if (requested !== undefined) return { detail: `${r.skipped.length} of ${requested} domains skipped: ${names}` };
  return { detail: `${r.affected.length} domains changed, ${r.skipped.length} skipped: ${names}` };
}
