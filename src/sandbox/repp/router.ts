/**
 * Matches a request to a route of the document: the most literal pattern with the request's
 * method wins ("POST /repp/v1/domains/transfer" is the bulk transfer, not a domain named
 * "transfer"); a path that matches only other methods is 405, and one that matches nothing 404.
 */
import type { Route } from './routes/common.js';

interface Compiled {
  route: Route;
  segments: string[];
  literals: number;
}

/** A route and its path parameters (percent-decoded); `allowed` methods when only other methods match (405); null for none (404). */
export type Match = { route: Route; params: Record<string, string> } | { allowed: string[] } | null;

/** Matches method and path against the routes' patterns; see the file comment for precedence. */
export class Router {
  private readonly compiled: Compiled[];

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map((route) => {
      const segments = route.path.split('/').filter(Boolean);
      return { route, segments, literals: segments.filter((s) => !s.startsWith(':')).length };
    });
  }

  match(method: string, pathname: string): Match {
    let parts: string[];
    try {
      parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      return null; // malformed percent-encoding: no route
    }
    const hits: { c: Compiled; params: Record<string, string> }[] = [];
    for (const c of this.compiled) {
      if (c.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = c.segments.every((s, i) => (s.startsWith(':') ? ((params[s.slice(1)] = parts[i]), true) : s === parts[i]));
      if (ok) hits.push({ c, params });
    }
    if (hits.length === 0) return null;
    const withMethod = hits.filter((h) => h.c.route.method === method).sort((a, b) => b.c.literals - a.c.literals);
    if (withMethod.length > 0) return { route: withMethod[0].c.route, params: withMethod[0].params };
    return { allowed: [...new Set(hits.map((h) => h.c.route.method))] };
  }
}
