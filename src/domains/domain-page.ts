/**
 * Pages of the `domains` connection (Relay cursor connection: `first`, `after`; edges, pageInfo).
 *
 * The list is the gateway's own index (domain-index.ts) joined with what the registry answers
 * now: an entry whose domain the registry no longer has (info answered 2303: purged after a
 * delete, deleted elsewhere; or, as the resolver's `load` answers it, another registrar sponsors
 * it now: src/domains/own-domains.ts) is skipped and removed from the index. A page is filled from further
 * entries until it holds `first` domains or the list ends, so a page is never empty while
 * `hasNextPage` is true (a client that stops at an empty page would miss domains).
 *
 * A domain whose read failed (its registry rate-limited, down, timed out; any error but 2303) is
 * still an edge of the page, with its cursor, and its node is that failure named for the domain
 * (DomainReadError): GraphQL answers `node: null` with the error at the node's path, and every
 * other edge in full (GraphQL's partial results; GitHub's API has nullable connection nodes too).
 * One registry that fails must not cost the registrar the whole page.
 */
import { DomainReadError, GatewayError, ValidationError } from '../core/errors.js';
import { pageOf, type Edge, type Page } from '../connections/page.js';
import type { DomainIndex } from './domain-index.js';

/** Stale entries one request removes at most before it gives up with DOMAIN_INDEX_REPAIRED. */
export const MAX_STALE_PER_PAGE = 1000;

/**
 * So many listed domains were gone at their registry that this request stopped after removing
 * them (they are out of the list for good). Asking again with the same arguments continues.
 */
export class DomainIndexRepairedError extends GatewayError {
  readonly code = 'DOMAIN_INDEX_REPAIRED';
  constructor(removed: number) {
    super(`${removed} listed domains no longer exist at their registry and were removed from the list; ask again with the same arguments`, { retryable: true });
  }
}

/** The cursor of a domain: base64url of its name (A-label form, as indexed). */
export function domainCursor(name: string): string {
  return Buffer.from(name, 'utf8').toString('base64url');
}

const INDEXED_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/**
 * The name an `after` cursor stands for. Throws ValidationError("after") for anything this
 * connection did not hand out (not canonical base64url of an indexed domain name), instead of
 * treating it as a position and answering an empty page. The message does not quote the input.
 */
export function parseDomainCursor(after: string): string {
  const name = Buffer.from(after, 'base64url').toString('utf8');
  if (!INDEXED_NAME.test(name) || domainCursor(name) !== after) {
    throw new ValidationError('after', 'is not a cursor of this connection: pass an edge cursor or pageInfo.endCursor it returned');
  }
  return name;
}


/**
 * Reads one page: `first` domains after `afterName` for which `load` returns a node (null: the
 * registry has no such domain) or an Error (the read failed: the edge's node is a
 * DomainReadError naming the domain and its backend, which GraphQL answers as `node: null` with
 * that error). `load` receives the index entries to read and answers in order, one entry each;
 * it should not throw (a throw fails the whole page).
 */
export async function readDomainPage<T>(
  index: DomainIndex,
  registrarId: string,
  first: number,
  afterName: string | undefined,
  load: (items: readonly { name: string; backend: string }[]) => Promise<(T | null | Error)[]>,
): Promise<Page<T | DomainReadError>> {
  const edges: Edge<T | DomainReadError>[] = [];
  const page = (hasNextPage: boolean) => pageOf(edges, hasNextPage, afterName !== undefined && (() => index.anyUpTo(registrarId, afterName)));
  let position = afterName;
  let removed = 0;
  for (;;) {
    // After stale entries, read a little ahead so a run of them costs fewer round trips.
    const take = Math.max(first - edges.length, removed > 0 ? Math.min(removed, 50) : 0);
    const { items, hasMore } = await index.rows(registrarId, take, position);
    const nodes = await load(items);
    const stale = items.filter((_, i) => nodes[i] === null);
    let consumed = items.length;
    for (let i = 0; i < items.length; i++) {
      const node = nodes[i];
      if (node === null || node === undefined) continue;
      if (edges.length === first) {
        consumed = i; // a live entry beyond this page: the next page starts with it
        break;
      }
      const item = items[i]!;
      edges.push({ cursor: domainCursor(item.name), node: node instanceof Error ? new DomainReadError(item.name, item.backend, node) : node });
    }
    await index.removeStale(registrarId, stale);
    removed += stale.length;
    position = items.at(-1)?.name ?? position;
    const more = hasMore || consumed < items.length;
    if (!more) return page(false);
    if (edges.length === first) return page(true);
    if (removed >= MAX_STALE_PER_PAGE) {
      if (edges.length > 0) return page(true);
      throw new DomainIndexRepairedError(removed);
    }
  }
}
