/**
 * What an open graphql-ws operation keeps in memory, and the per-connection bound on it
 * (limits.wsRetainedBytes). graphql-ws keeps each subscribe message (its payload: query text,
 * variables) for as long as the operation runs, and the parsed document with it; a subscription
 * runs for hours. Before this bound, a client's 100 subscriptions each sent with 2 MB of variables
 * it did not use (some 7.5 MB once parsed) held gigabytes per connection.
 */
import { GraphQLError, TokenKind, type DocumentNode, type OperationDefinitionNode } from 'graphql';

/**
 * Heap a parsed document holds per lexical token, besides its text (graphql-js 16 keeps every
 * token, comments included, linked from the document's locations, and an AST node for most):
 * measured on Node 20 (heap after GC, 2026-12-03) at about 320 bytes per token of an ordinary
 * document (400 aliased fields, 2,405 tokens: 774 KB) and 90 per comment (a 2 MB document of one
 * million `#` lines: 90 MB; such a document is now refused before parsing: src/limits/comments.ts).
 */
export const RETAINED_BYTES_PER_TOKEN = 320;
/** Heap per comment token of a parsed document (measured about 90 bytes, see above), bytes. */
export const RETAINED_BYTES_PER_COMMENT = 96;

/**
 * Estimated bytes `document`, parsed from `query`, holds: the text, and per token (comments
 * included) what RETAINED_BYTES_PER_TOKEN / _PER_COMMENT say. Without a document (a parse
 * failure, whose error keeps only the text): the text's length.
 */
export function documentBytes(query: string, document: DocumentNode | undefined): number {
  let bytes = query.length;
  for (let token = document?.loc?.startToken ?? null; token; token = token.next) {
    bytes += token.kind === TokenKind.COMMENT ? RETAINED_BYTES_PER_COMMENT : RETAINED_BYTES_PER_TOKEN;
  }
  return bytes;
}

/**
 * Length of `value` written as JSON, in characters, counted without writing it out and without
 * recursion (any depth JSON.parse read); stops counting once past `stopAbove` and answers a number
 * above it. Values JSON leaves out (undefined, functions) count as `null`: parsed JSON has none.
 */
export function jsonLength(value: unknown, stopAbove = Number.POSITIVE_INFINITY): number {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && n <= stopAbove) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      n += 2 + Math.max(0, v.length - 1);
      for (const x of v) stack.push(x);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      n += 2 + Math.max(0, entries.length - 1);
      for (const [k, x] of entries) {
        n += JSON.stringify(k).length + 1;
        stack.push(x);
      }
    } else {
      n += (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? JSON.stringify(v) : 'null').length;
    }
  }
  return n;
}

/**
 * `variables` with only the names `operation` declares (graphql-js reads no other: execution and
 * the cost check coerce the declared ones and ignore the rest), or undefined when none is left.
 */
export function declaredVariables(operation: OperationDefinitionNode, variables: Record<string, unknown> | null | undefined): Record<string, unknown> | undefined {
  if (!variables || typeof variables !== 'object') return undefined;
  const kept: Record<string, unknown> = {};
  let any = false;
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (Object.prototype.hasOwnProperty.call(variables, name)) {
      kept[name] = variables[name];
      any = true;
    }
  }
  return any ? kept : undefined;
}

/**
 * What one connection's open operations hold (bytes, estimated as above), with what the
 * connection keeps of its connection_init for its whole life (`connectionBytes`), at most `max`
 * in all. A document held by several operations of the connection (the document cache hands one
 * object per query text) counts once; each operation's variables count for it alone.
 */
export class RetainedBytes {
  private readonly documents = new Map<DocumentNode, { bytes: number; users: number }>();
  private readonly operations = new Map<string, { document: DocumentNode; variables: number }>();
  private total: number;

  /**
   * `max`: limits.wsRetainedBytes. `connectionBytes`: what the connection holds for as long as it
   * is open, whatever its operations (graphql-ws's ctx.connectionParams, as JSON characters; the
   * gateway keeps none of connection_init's payload after reading its key: websocket.ts).
   */
  constructor(
    readonly max: number,
    private readonly connectionBytes = 0,
  ) {
    this.total = connectionBytes;
  }

  /** Bytes held now. */
  get held(): number {
    return this.total;
  }

  /**
   * Holds the operation `id` (not held already: graphql-ws closes a connection reusing an open id
   * with 4409; its document of `docBytes`, its variables of `varBytes`) until
   * `release(id)`, and answers undefined; or holds nothing and answers PAYLOAD_TOO_LARGE
   * (`extensions.limit` "wsRetainedBytes", `max`, `field` naming the bigger of the two, "variables"
   * or "query") when that would take the connection past `max`.
   */
  hold(id: string, document: DocumentNode, docBytes: number, varBytes: number): GraphQLError | undefined {
    const known = this.documents.get(document);
    const adds = (known ? 0 : docBytes) + varBytes;
    if (this.total + adds > this.max) {
      const field = varBytes >= (known ? 0 : docBytes) ? 'variables' : 'query';
      const open = this.operations.size;
      return new GraphQLError(
        `${field}: this operation's variables (${varBytes} characters of JSON, those the operation declares) and parsed query (about ${known ? 0 : docBytes} bytes) ` +
          `with the ${this.total} bytes held by the connection's ${open} open operation${open === 1 ? '' : 's'}${this.connectionBytes > 0 ? ` and its connection_init (${this.connectionBytes})` : ''} exceed limits.wsRetainedBytes (${this.max}): ` +
          'send smaller variables, complete an operation first, or use another connection',
        { extensions: { code: 'PAYLOAD_TOO_LARGE', limit: 'wsRetainedBytes', max: this.max, field } },
      );
    }
    if (known) known.users++;
    else this.documents.set(document, { bytes: docBytes, users: 1 });
    this.operations.set(id, { document, variables: varBytes });
    this.total += adds;
    return undefined;
  }

  /**
   * Gives back what every operation not in `open` (graphql-ws's table of the connection's
   * operations) held: one that ended without graphql-ws calling onComplete or onError (a refusal
   * answered to an id the client had completed already is never sent, nor reported).
   */
  keepOnly(open: Record<string, unknown>): void {
    for (const id of [...this.operations.keys()]) if (!(id in open)) this.release(id);
  }

  /** Gives back what `id` held (nothing when it holds nothing). */
  release(id: string): void {
    const op = this.operations.get(id);
    if (!op) return;
    this.operations.delete(id);
    this.total -= op.variables;
    const doc = this.documents.get(op.document)!;
    if (--doc.users === 0) {
      this.documents.delete(op.document);
      this.total -= doc.bytes;
    }
  }
}
