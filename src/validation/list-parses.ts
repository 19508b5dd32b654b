/**
 * A request's parses of argument lists, made once however many fields use the same list.
 *
 * One variable may feed many fields: `{ a0: checkDomains(names: $n) … a49: checkDomains(names: $n) }`
 * gives all 50 aliases the same list of 5,000 names, and normalising each IDN costs 9-20 µs
 * (src/validation/names.ts), so the request held 2.5-5 s of CPU for one list. The parse of a list
 * depends on nothing but the list and the rule applied to it (the same names give the same
 * A-labels and the same first refusal, its field spelt relative to the field: `names[3]`), so each
 * later field takes the first one's outcome: its result, or its very error, which graphql-js
 * locates at each field's own path (`["a7"]` with `extensions.field` `names[3]`).
 *
 * Lists are matched by content, not by object: type-graphql hands each resolver its own copy of a
 * list argument (convertArgsToInstance maps it), a bulk job's names are taken out of its items
 * (`domains[i].name`), and two variables holding the same names are the same work. An inline
 * literal list is matched the same way. One instance lives in one request's context
 * (src/context.ts createContext, made per HTTP request and per graphql-ws operation, for one
 * registrar), so nothing is shared across requests or registrars.
 */
export class ListParses {
  /** Outcomes by scope and list content (lazily made: most requests parse no list). */
  private byKey: Map<string, { value: unknown } | { error: unknown }> | undefined;

  /**
   * What `parse()` gave for the same `items` under the same `scope` earlier in this request, else
   * `parse()`'s outcome, kept. `scope` names the rule and how its errors spell an item's field
   * (`checkDomains names[i]`, `bulk domains[i].name`): two parses whose results or messages could
   * differ must not share one. `items`: the list's entries (strings), matched by their JSON
   * spelling. A parse that throws throws the same error again at each later use; one that returns
   * a promise hands the same promise to each later use (fields run concurrently: the second waits
   * for the first's parse instead of starting its own). The result is shared: callers must not
   * change it (copy first).
   */
  once<T>(scope: string, items: readonly string[], parse: () => T): T {
    const key = `${scope}\n${JSON.stringify(items)}`;
    const map = (this.byKey ??= new Map());
    const kept = map.get(key);
    if (kept) {
      if ('error' in kept) throw kept.error;
      return kept.value as T;
    }
    try {
      const value = parse();
      map.set(key, { value });
      return value;
    } catch (error) {
      map.set(key, { error });
      throw error;
    }
  }
}
