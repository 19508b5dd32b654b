/**
 * JSON.stringify for values that came from a client, bounded: JSON.parse reads any depth (V8's
 * parser does not recurse), but JSON.stringify and String() of arrays do, so variables nested
 * 100,000 levels deep (600 KB, well inside the 2 MB a request may be) overflowed the stack
 * wherever the gateway wrote them out, and the request failed with INTERNAL_SERVER_ERROR (a
 * graphql-ws connection was closed with 4500). The nodes are counted first, without recursion.
 */

/** `value` as JSON when it has at most `maxNodes` values (objects, arrays and leaves), else null. */
export function smallJson(value: unknown, maxNodes: number): string | null {
  let nodes = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    if (++nodes > maxNodes) return null;
    const v = stack.pop();
    if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) stack.push(x);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return null; // a BigInt or a cycle, which parsed JSON never has
  }
}
