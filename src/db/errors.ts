/**
 * Recognising database errors raised through a Prisma driver adapter.
 *
 * With driver adapters, P2002 (unique constraint failed) carries the violated constraint under
 * `meta.driverAdapterError.cause.constraint`, not under `meta.target` as with the native engine.
 * The adapters disagree on its shape: pglite-prisma-adapter gives the columns
 * (`{ fields: ["registrar_id", "idempotency_key"] }`), @prisma/adapter-pg the constraint name
 * (`{ index: "idempotency_records_registrar_id_idempotency_key_key" }`, plus `table`).
 * Raw queries (P2010) carry the same payload.
 */

export interface UniqueViolationInfo {
  /** Column names, where the adapter reports them. */
  fields?: string[];
  /** Constraint (index) name, where the adapter reports it. */
  index?: string;
  table?: string;
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

/** The adapter's error payload (`{ kind, constraint?, originalCode?, ... }`) from any error shape. */
function adapterCause(err: unknown): Record<string, unknown> | undefined {
  const e = asRecord(err);
  if (!e) return undefined;
  const meta = asRecord(e.meta);
  const fromMeta = asRecord(asRecord(meta?.driverAdapterError)?.cause);
  if (fromMeta) return fromMeta;
  if (e.name === 'DriverAdapterError') return asRecord(e.cause);
  return undefined;
}

/**
 * The columns (or index name) of the unique constraint `err` violated, or null when `err` is not
 * a unique violation. Works for Prisma P2002 (adapter or native shape), a raw DriverAdapterError
 * and a pg/PGlite driver error (SQLSTATE 23505).
 */
export function uniqueViolation(err: unknown): UniqueViolationInfo | null {
  const e = asRecord(err);
  if (!e) return null;
  const cause = adapterCause(err);
  if (cause?.kind === 'UniqueConstraintViolation') {
    const c = asRecord(cause.constraint) ?? {};
    return {
      fields: Array.isArray(c.fields) ? (c.fields as string[]) : undefined,
      index: typeof c.index === 'string' ? c.index : undefined,
      table: typeof cause.table === 'string' ? cause.table : undefined,
    };
  }
  if (e.code === 'P2002') {
    const target = asRecord(e.meta)?.target;
    if (Array.isArray(target)) return { fields: target as string[] };
    return typeof target === 'string' ? { index: target } : {};
  }
  if (e.code === '23505' || cause?.originalCode === '23505') {
    return typeof e.constraint === 'string' ? { index: e.constraint } : {};
  }
  return null;
}

/**
 * True when `err` is a unique-constraint violation. With `columns` (database column names, e.g.
 * ["registrar_id", "idempotency_key"]), only when the violated constraint is on exactly those
 * columns, in any order: compared directly where the adapter reports columns, otherwise by
 * Prisma's default constraint name `<table>_<col>_<col>_key` (pass a custom `map:` name as a string).
 */
export function isUniqueViolation(err: unknown, columns?: string[] | string): boolean {
  const v = uniqueViolation(err);
  if (!v) return false;
  if (columns === undefined) return true;
  if (typeof columns === 'string') return v.index === columns || (v.fields?.length === 1 && v.fields[0] === columns);
  if (v.fields) return v.fields.length === columns.length && columns.every((c) => v.fields!.includes(c));
  if (!v.index) return false;
  return permutations(columns).some((cols) => {
    const suffix = `_${cols.join('_')}_key`;
    return v.table ? v.index === `${v.table}${suffix}` : v.index!.endsWith(suffix);
  });
}

/** All orders of a (short) column list: Prisma names a constraint in declaration order. */
function permutations(xs: string[]): string[][] {
  if (xs.length <= 1 || xs.length > 5) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}
