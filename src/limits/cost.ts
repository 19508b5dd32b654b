/**
 * The estimated cost of an operation, checked with its variables before it runs (HTTP and
 * graphql-ws alike). Cost counts the work a field causes, not the size of the answer (maxFields
 * bounds that):
 *
 *   - a field that reaches a registry (an upstream command) costs REGISTRY (10);
 *   - a field that queries the database costs DATABASE (5), and each row a database list answers
 *     ROW (10) more (the command log, poll messages), each item of a bulk job's page ITEM_ROW (5);
 *   - a mutation costs MUTATION (25): its command, the read-back of the object and the
 *     idempotency record; a bulk mutation BULK_ITEM (2) more for each entry of its `domains`
 *     (the list is coerced, normalised, routed and written once, whatever its payload asks for);
 *   - a list multiplies what each item costs by its length: `first` for connections, the number
 *     of representations for a router's `_entities`, and a typical count for lists the registry
 *     fills (4 name servers, 4 contacts); checkDomains costs REGISTRY per check command, one per
 *     CHECK_NAMES names (EPP's default limit per command; src/fanout/check-domains.ts), for each
 *     field: aliases over one list each send their own commands (only the normalisation of the
 *     list's names is made once per request, src/validation/list-parses.ts, so an alias costs at
 *     most that part less than its price; the estimate keeps pricing each field whole); and each
 *     name it answers CHECK_FIELD (1) for each field its selection asks of the answer (at least
 *     1 a name): its answers are built, completed and serialised in one synchronous run;
 *   - a name server a domain refers to costs REGISTRY once when any of its host fields (addresses,
 *     statuses, sponsor, dates) is asked for: one host info serves them all;
 *   - `__schema` (the whole schema's introspection) costs INTROSPECTION (1000), and `__type`
 *     (one type's) TYPE_INTROSPECTION (200), each in proportion to the CPU its largest answer takes;
 *   - any other field costs 0.
 *
 * An operation above the limit is refused naming its dearest field (`extensions.field`): the list
 * argument that multiplies the most (`domains.first`, `c3.first` for an alias c3, `bulkJob.items.first`,
 * `a0.domains` for a bulk job's), else the field that costs the most.
 *
 * The estimate is an upper bound on the typical case: the request's loaders share one command
 * among aliases of the same name and among domains sharing a name server. graphql-query-complexity
 * walks the operation (at most limits.maxFields nodes, so fragments spread many times cannot make
 * it walk longer).
 */
import { getComplexity, type ComplexityEstimatorArgs } from 'graphql-query-complexity';
import { GraphQLError, Kind, type DefinitionNode, type DocumentNode, type FieldNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { queryTooComplex } from './errors.js';
import { argumentError, variableError } from './variable-errors.js';

/** Cost points of a field that sends one registry command (see above). */
export const REGISTRY = 10;
/** Cost points of a field that runs one database query (see above). */
export const DATABASE = 5;
/** Cost points of a mutation: its command, the object's read-back and the idempotency record. */
export const MUTATION = 25;
/**
 * Each row a database list answers (command log entries, poll messages), on top of its query's
 * DATABASE: reading, mapping and serialising a row holds the event loop about as long as a
 * registry read's answer does. Measured (test gateway on the embedded database, this 2-core
 * machine, 2026-12-03): `commandLog(first: 500)` with every entry field 86 ms, 50 aliases of it
 * 3.7 s (11.7 MB of answer), which cost 250 points at 0 a row. At 10 a row maxCost (60,000) admits
 * about 6,000 rows per operation (under a second), still any one page.
 */
export const ROW = 10;
/**
 * Each item of a bulk job's `items` page: a smaller row (about 210 bytes of answer against a log
 * entry's 470): `items(first: 1000)` took 75 ms, 50 aliases of it 5.5 s (10.6 MB), at 0 points.
 * At 5 an item maxCost admits some 12,000 (under a second), and listing a 20,000-item job's
 * outcomes (the bulk CLI, pages of 500) costs about 100,000 points, within a key's window.
 */
export const ITEM_ROW = 5;
/** `__schema`: the whole schema's introspection, as GraphiQL, codegen and Rover send it (1 of the default 120,000 points per 10 s). */
export const INTROSPECTION = 1000;

/**
 * `__type(name:)`: one type's introspection, priced by the CPU of the largest one the document
 * rules admit, in proportion to INTROSPECTION for the whole schema's (`bench/introspection.mjs`:
 * graphql-js execute and JSON.stringify in one process, 2-core machine, 2026-12-02, three runs):
 * graphql-js's whole introspection query took 6.4-8.1 ms (143 KB answer); `__type(name: "Mutation")`
 * asking for each field's arguments, their input types' fields and the result types' fields
 * 1.4-1.6 ms (29 KB), 0.20-0.25 of it: 200. Fifty aliases of that (a 2 KB document with a fragment,
 * a 1.5 MB answer, 70-80 ms of the event loop) cost 10,000 points instead of 1, so a key's default
 * budget admits 12 a window, about the CPU of the 120 whole introspections it admits. The small
 * `__type(name: "Domain") { fields { name type { name } } }` took 66-92 µs, against about 1 µs for
 * an aliased `__typename` and 9 µs for an aliased `viewer { id }` over HTTP; it pays the same 200, a
 * fifth of a whole introspection, which a client asking for one type now and then does not notice.
 */
export const TYPE_INTROSPECTION = 200;

/**
 * Each entry of a bulk mutation's `domains` (bulkRenew, bulkTransfer, bulkReplaceNameserver,
 * bulkReplaceTechContact, bulkUpdateStatuses; README "Bulk mutations"), added once to the
 * mutation's MUTATION and its payload's cost (the payload is one job, whatever the list's length).
 * Priced by the CPU an entry takes on its way in, measured on this 2-core machine (2026-12-03,
 * `node bench/bulk-pricing.mjs` step 0, in one process, medians; graphql-js in development mode):
 * normalising its name (src/validation/names.ts; once per request for a list several aliases are
 * given, src/validation/list-parses.ts, the rest once per alias) 0.6 µs for an ASCII name, 9-20 µs for an IDN of
 * 10-50 letters (14 µs for the 14-letter Arabic names a 1 MB list of 20,000 holds, 32 µs for three
 * 30-letter labels), graphql-js coercing it 1.6-2.4 µs (an item with its expiry date) for the
 * limits and as much again in execution, then its routing, fingerprint and row: a 10,000-item
 * submission takes 8-16 µs of the gateway's CPU per item on PostgreSQL and 46-69 µs on the
 * embedded database (bench/HISTORY.md, bench:bulk-submit). About 30 µs an entry, at the 15-17 µs
 * a point that ROW and ITEM_ROW stand for, is 2. Before, a bulk mutation cost MUTATION whatever
 * its list: 49 aliases of `bulkRenew(domains: $d)` with 20,000 IDNs cost 1,250 points and held
 * the process for 17.5 s of (sliced) name checks; they now cost 1,961,225 and are refused before
 * any is read. The largest job, bulk.maxItems (20,000), costs 40,025 and its payload: within
 * maxCost (60,000), and a key's budget (120,000 per 10 s) admits two a window, 40,000 items (a
 * registrar may have 60,000 waiting, bulk.maxPendingItems). With `domains: null` (every domain
 * of the registrar's) nothing is listed: MUTATION only.
 */
export const BULK_ITEM = 2;

/** Names per check command the estimate assumes (EPP's default `checkLimit`). */
export const CHECK_NAMES = 50;

/**
 * Each field asked of each name a `checkDomains` answers (`name`, `available`, `reason`,
 * `registry`, `__typename`, each alias of them), at least one a name, on top of its check
 * commands. The answers of all of a request's names are completed by graphql-js and serialised
 * in one synchronous run, whether a command was sent or not (a name that is not registrable
 * answers at once); their routing and assembly run in turns (src/core/turns.ts, 3 ms slices,
 * since 2026-12-04: a list routed once per request). Measured before that (`node
 * bench/check-stall.mjs`, the built gateway on the embedded database, this 2-core machine
 * shared with other test runs, 2026-12-03): 50 aliases of
 * `checkDomains(names: $n) { name available reason }` over one 5,000-name list (250,000 answers,
 * 50 MB) took 2.0-2.3 s of the gateway's main thread, some 3 µs a field value; a concurrent
 * `{ __typename }` waited up to 5.1 s over HTTP and 4.0 s over graphql-ws. The CPU went to the
 * resolver's routing and answer objects (about a quarter), graphql-js completing the lists (a
 * sixth), serialising them (a sixth: JSON.stringify for HTTP, graphql-ws's message), the
 * socket writes, and garbage collection of it all (the rest). They cost 50,000 points at 0 a
 * field, within maxCost; at 1 a field they cost 800,000 and are refused before anything runs.
 * maxCost (60,000) now admits some 50,000 answered names asking one field, 14,000 asking all
 * four (well under half a second); one checkDomains of limits.maxBatch (5,000) names asking all
 * four costs 21,000, of 1,000 names 4,200.
 */
export const CHECK_FIELD = 1;

/** How many items a list field stands for: its argument `first`, the length of a list argument (in groups of `per`), or a fixed bound. */
type Items = { arg: 'first' } | { listArg: string; per?: number } | { bound: number };

interface FieldCost {
  /** The field's own work: REGISTRY, DATABASE, MUTATION, or some added. */
  cost: number;
  /**
   * Work for each entry of the list argument `listArg`, added once to the field's cost: the list
   * is handled once and the field's selection answered once, however long it is (a bulk job's
   * `domains`: its payload is one job). A null or missing list has no entries.
   */
  perEntry?: { listArg: string; price: number };
  items?: Items;
  /** Work for each item, on top of its selection (a domain page reads each domain from its registry). */
  perItem?: number;
  /** Work for each item when its selection asks for a field of the host object (a name server's host info). */
  perItemIfHostFields?: number;
  /**
   * The field answers one row for each entry of the list argument `listArg` (checkDomains: one
   * answer a name), and each row costs its selection (the child complexity, at least 1): added
   * once to the field's cost and its items', not multiplied by `items`.
   */
  rows?: { listArg: string };
}

/** Nameserver fields read from the host object; `name` and `registry` are known without it. */
const HOST_FIELDS = new Set(['ipv4', 'ipv6', 'statuses', 'sponsor', 'createdAt', 'updatedAt']);

/** Whether a selection may ask for a host field (a fragment spread is assumed to). */
function asksHostFields(node: FieldNode): boolean {
  const walk = (set: SelectionSetNode | undefined): boolean =>
    !!set?.selections.some((s) => (s.kind === Kind.FIELD ? HOST_FIELDS.has(s.name.value) : s.kind === Kind.INLINE_FRAGMENT ? walk(s.selectionSet) : true));
  return walk(node.selectionSet);
}

/** Fields that cost something, by "Type.field"; every mutation costs MUTATION unless listed. */
export const FIELD_COSTS: Record<string, FieldCost> = {
  'Query.domain': { cost: REGISTRY },
  'Query.contact': { cost: REGISTRY },
  'Query.host': { cost: REGISTRY },
  'Query.transfer': { cost: REGISTRY },
  'Query.checkDomains': { cost: 0, items: { listArg: 'names', per: CHECK_NAMES }, perItem: REGISTRY, rows: { listArg: 'names' } },
  // Each field of each name checkDomains answers (CHECK_FIELD), its aliases and __typename included.
  'DomainCheck.name': { cost: CHECK_FIELD },
  'DomainCheck.available': { cost: CHECK_FIELD },
  'DomainCheck.reason': { cost: CHECK_FIELD },
  'DomainCheck.registry': { cost: CHECK_FIELD },
  'DomainCheck.__typename': { cost: CHECK_FIELD },
  'Query.domains': { cost: DATABASE, items: { arg: 'first' }, perItem: REGISTRY },
  'Query.commandLog': { cost: DATABASE, items: { arg: 'first' }, perItem: ROW },
  // Reading first moves the messages waiting in the registries' queues into the store.
  'Query.pollMessages': { cost: DATABASE + REGISTRY, items: { arg: 'first' }, perItem: ROW },
  'Query.bulkJob': { cost: DATABASE },
  // One GROUP BY over the job's items (at most bulk.maxItems).
  'BulkJob.counts': { cost: DATABASE },
  'BulkJob.items': { cost: DATABASE, items: { arg: 'first' }, perItem: ITEM_ROW },
  'Subscription.pollMessages': { cost: DATABASE },
  'Mutation.ackPollMessage': { cost: DATABASE },
  // A bulk job's entries are each coerced, normalised, routed and written as the job is submitted (BULK_ITEM).
  'Mutation.bulkRenew': { cost: MUTATION, perEntry: { listArg: 'domains', price: BULK_ITEM } },
  'Mutation.bulkTransfer': { cost: MUTATION, perEntry: { listArg: 'domains', price: BULK_ITEM } },
  'Mutation.bulkReplaceNameserver': { cost: MUTATION, perEntry: { listArg: 'domains', price: BULK_ITEM } },
  'Mutation.bulkReplaceTechContact': { cost: MUTATION, perEntry: { listArg: 'domains', price: BULK_ITEM } },
  'Mutation.bulkUpdateStatuses': { cost: MUTATION, perEntry: { listArg: 'domains', price: BULK_ITEM } },
  'Domain.transfer': { cost: REGISTRY },
  'Domain.registrant': { cost: REGISTRY },
  'Domain.contacts': { cost: 0, items: { bound: 4 } },
  'Domain.nameservers': { cost: 0, items: { bound: 4 }, perItemIfHostFields: REGISTRY },
  'DomainContact.contact': { cost: REGISTRY },
  'RegistryAccount.balance': { cost: REGISTRY },
  // HeadlessDomains GET /status, read once per account per request (the request's loader).
  'RegistryAccount.status': { cost: REGISTRY },
  // A federation router's entity lookups: each representation is read through the loaders.
  'Query._entities': { cost: 0, items: { listArg: 'representations' }, perItem: REGISTRY },
  // The whole schema, walked in one synchronous run and answered in up to 45 KB: at cost 0, fifty
  // aliases of it (a 5 KB document, a 2.2 MB answer, 150 ms of the event loop) cost a key one
  // point, and eight clients sending them in a loop held another key's `viewer` query for 2-6 s.
  'Query.__schema': { cost: INTROSPECTION },
  // One type, in one synchronous run: at cost 0, fifty aliases of the largest (80 ms of the event
  // loop each document) cost a key one point (TYPE_INTROSPECTION).
  'Query.__type': { cost: TYPE_INTROSPECTION },
};

/** The entries of a list argument: its length; null or missing, none. */
function entriesOf(v: unknown): number {
  return Array.isArray(v) ? v.length : 0;
}

function itemsOf(items: Items, args: Record<string, unknown>): number {
  if ('bound' in items) return items.bound;
  const v = 'arg' in items ? args[items.arg] : (args[items.listArg] as unknown[] | undefined)?.length;
  const n = typeof v === 'number' && Number.isFinite(v) ? Math.max(0, v) : 1;
  return 'per' in items && items.per ? Math.ceil(n / items.per) : n;
}

/** The field that costs the most so far: its node, what it costs, and the list argument that multiplies it. */
interface Dearest {
  node: FieldNode;
  cost: number;
  /** The argument giving the list's length (`first`, `names`, `representations`, a bulk job's `domains`), when one does. */
  arg?: string;
  /** That argument's length (its value, or its list's length). */
  items?: number;
}

/**
 * graphql-query-complexity estimator implementing the table above; with `dearest`, also keeps the
 * field that costs the most: a list whose length an argument gives first, else any priced field.
 */
export function estimateField({ type, field, args, childComplexity, node }: ComplexityEstimatorArgs, dearest?: { top?: Dearest }): number {
  const known = FIELD_COSTS[`${type.name}.${field.name}`];
  if (!known) {
    if (type.name !== 'Mutation') return childComplexity;
    const cost = MUTATION + childComplexity;
    if (dearest) keep(dearest, { node, cost });
    return cost;
  }
  if (known.perEntry) {
    const n = entriesOf(args[known.perEntry.listArg]);
    const cost = known.cost + n * known.perEntry.price + childComplexity;
    if (dearest) keep(dearest, { node, cost, arg: known.perEntry.listArg, items: n });
    return cost;
  }
  if (!known.items) {
    const cost = known.cost + childComplexity;
    if (dearest) keep(dearest, { node, cost });
    return cost;
  }
  const perItem = (known.perItem ?? 0) + (known.perItemIfHostFields && asksHostFields(node) ? known.perItemIfHostFields : 0);
  const items = itemsOf(known.items, args);
  const cost = known.rows
    ? known.cost + items * perItem + entriesOf(args[known.rows.listArg]) * Math.max(1, childComplexity)
    : known.cost + items * (perItem + childComplexity);
  if (dearest) {
    const arg = 'arg' in known.items ? known.items.arg : 'listArg' in known.items ? known.items.listArg : undefined;
    const n = 'arg' in known.items ? items : 'listArg' in known.items ? ((args[known.items.listArg] as unknown[] | undefined)?.length ?? 0) : undefined;
    keep(dearest, arg === undefined ? { node, cost } : { node, cost, arg, items: n });
  }
  return cost;
}

/** A list an argument sizes wins over any other field; among equals, the dearer one, the first of equals. */
function keep(dearest: { top?: Dearest }, candidate: Dearest): void {
  const top = dearest.top;
  if (!top || (candidate.arg !== undefined && top.arg === undefined) || ((candidate.arg !== undefined) === (top.arg !== undefined) && candidate.cost > top.cost)) dearest.top = candidate;
}

/**
 * Where `target` is in the operation: the response names leading to it (aliases where given), through
 * fragments (the first place one is spread); each fragment is searched once, so the walk is linear in
 * the document.
 */
export function responsePath(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, SelectionSetNode>, target: FieldNode): string[] | null {
  const searched = new Set<string>();
  const walk = (set: SelectionSetNode, path: string[]): string[] | null => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        const here = [...path, s.alias?.value ?? s.name.value];
        if (s === target) return here;
        const found = s.selectionSet && walk(s.selectionSet, here);
        if (found) return found;
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        const found = walk(s.selectionSet, path);
        if (found) return found;
      } else if (!searched.has(s.name.value)) {
        searched.add(s.name.value);
        const fragment = fragments.get(s.name.value);
        const found = fragment && walk(fragment, path);
        if (found) return found;
      }
    }
    return null;
  };
  return walk(operation.selectionSet, []);
}

/** The fragments of a document by name. */
function fragmentsOf(document: DocumentNode): Map<string, SelectionSetNode> {
  const out = new Map<string, SelectionSetNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) out.set(d.name.value, d.selectionSet);
  return out;
}

/** The cost of `operation` (with the document's fragments) for these variables; throws past `maxNodes` fields walked. */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  maxNodes = DEFAULT_MAX_NODES,
  dearest?: { top?: Dearest },
): number {
  const fragments = document.definitions.filter((d: DefinitionNode) => d.kind === Kind.FRAGMENT_DEFINITION);
  const query: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] };
  const estimator = dearest ? (a: ComplexityEstimatorArgs) => estimateField(a, dearest) : estimateField;
  return getComplexity({ schema, query, variables: variables ?? {}, estimators: [estimator], maxQueryNodes: maxNodes });
}

/** Fields the cost walk visits at most (the gateway passes limits.maxFields, which validation checked already). */
const DEFAULT_MAX_NODES = 10_000;

/**
 * Refuses an operation costing more than `maxCost`, before it runs: QUERY_TOO_COMPLEX, or
 * BAD_USER_INPUT naming the argument when the variables do not fit the operation (execution
 * would refuse them too; src/limits/variable-errors.ts).
 * Returns the cost of an admitted operation.
 */
export function checkCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  maxCost: number,
  maxNodes = DEFAULT_MAX_NODES,
): number {
  let cost: number;
  const dearest: { top?: Dearest } = {};
  try {
    cost = operationCost(schema, document, operation, variables, maxNodes, dearest);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/maximum allowed number of nodes/.test(message)) {
      throw queryTooComplex('maxCost', maxCost, `the operation expands to more than ${maxNodes} fields; its cost is above the limit of ${maxCost}`);
    }
    // Variables that do not fit: the place and a short quote (src/limits/variable-errors.ts).
    throw variableError(schema, operation, variables, document) ?? argumentError(err) ?? new GraphQLError(message.length > 200 ? `${message.slice(0, 199)}…` : message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
  }
  if (cost > maxCost) {
    const top = dearest.top;
    const path = top && responsePath(operation, fragmentsOf(document), top.node);
    const field = path ? [...path, ...(top!.arg ? [top!.arg] : [])].join('.') : undefined;
    const what = !field ? '' : top!.arg ? `; ${field} (${top!.items} items) costs ${top!.cost}` : `; ${field} costs ${top!.cost}`;
    throw queryTooComplex(
      'maxCost',
      maxCost,
      `the operation's estimated cost is ${cost}; the limit is ${maxCost} (a registry command costs ${REGISTRY}, a database query ${DATABASE} and each row it answers ${ROW}, a bulk job's domain ${BULK_ITEM}, each field of a checked name's answer ${CHECK_FIELD}, lists by their length)${what}`,
      field,
    );
  }
  return cost;
}
