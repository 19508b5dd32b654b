/**
 * Pages of Relay cursor connections (relay.dev/graphql/connections.htm), for every connection of
 * the schema (schema/common/connection.ts declares the types): forward paging with `first` (1-500,
 * src/validation/cursors.ts) and `after`, the edge cursor or `pageInfo.endCursor` an earlier page
 * returned. A page is never empty while `hasNextPage` is true: readers fetch `first + 1` rows in
 * cursor order and keep `first` (`rowPage`), or fill a page until it is full (domains).
 */
import { parseRowId } from '../validation/cursors.js';

/** A Relay edge: `cursor` opaque to the client (src/validation/cursors.ts), `node` the item. */
export interface Edge<T> {
  cursor: string;
  node: T;
}

/**
 * PageInfo as resolvers answer it. `hasPreviousPage` is a question to the store (are there edges
 * before `after`?), asked only when a client selects the field (resolvers/common/page-info.resolver.ts).
 */
export interface PageInfoSource {
  hasNextPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
  hasPreviousPage: boolean | (() => Promise<boolean>);
}

/** One page of a Relay connection, as a connection field's resolver answers it (pageOf). */
export interface Page<T> {
  edges: Edge<T>[];
  pageInfo: PageInfoSource;
}

/**
 * A page of `edges`. `before` answers whether anything precedes the page; pass `false` for a
 * first page (no `after`), where nothing can.
 */
export function pageOf<T>(edges: Edge<T>[], hasNextPage: boolean, before: false | (() => Promise<boolean>)): Page<T> {
  return {
    edges,
    pageInfo: { hasNextPage, hasPreviousPage: before, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

/** A page from rows read in cursor order with `take: first + 1` (the extra row only says whether more follow). */
export function rowPage<R, T>(rows: readonly R[], first: number, edgeOf: (row: R) => Edge<T>, before: false | (() => Promise<boolean>)): Page<T> {
  return pageOf(rows.slice(0, first).map(edgeOf), rows.length > first, before);
}

/**
 * The `after` of a connection over row ids (poll messages, command log entries, bulk items):
 * null for a first page, else the id, 1 to 2^63 - 1. Anything else is BAD_USER_INPUT naming
 * `after`, with `what` in the message ("poll message id").
 */
export function rowCursor(after: string | null | undefined, what: string): bigint | null {
  return after === null || after === undefined ? null : parseRowId('after', after, what);
}
