/** BulkStore.create: a job's items, written in several statements, each at its place with its input, as given, all or nothing. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BulkStore } from '../../../src/bulk/store.js';
import { isUniqueViolation } from '../../../src/db/errors.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

describe('BulkStore.create', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(() => db?.close());

  test('a job of 2,345 items (several insert statements) has every item once, at its position, with its input', async () => {
    const total = 2_345;
    const items = Array.from({ length: total }, (_, i) => ({ name: `n${i}.example`, backend: i % 2 ? 'b1' : 'b2', input: i % 3 ? { currentExpiry: `2027-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z` } : null }));
    const job = await new BulkStore(db.prisma).create({ registrarId: 'R', idempotencyKey: 'k-chunks', kind: 'RENEW', fingerprint: 'f', params: { period: { value: 1, unit: 'y' } }, items });
    expect(job.total).toBe(total);
    const rows = await db.prisma.bulkItem.findMany({ where: { jobId: job.id }, orderBy: { position: 'asc' }, select: { position: true, name: true, backend: true, input: true, state: true } });
    expect(rows.length).toBe(total);
    expect(rows.map((r) => ({ name: r.name, backend: r.backend, input: r.input }))).toEqual(items);
    expect(rows.map((r) => r.position)).toEqual(items.map((_, i) => i));
    expect(new Set(rows.map((r) => r.state))).toEqual(new Set(['PENDING']));
    expect(await new BulkStore(db.prisma).findByKey('R', 'k-chunks')).toEqual(job);
  });

  test('items sharing a few input objects (a renewal\'s expiries) and items without one are each stored with their own', async () => {
    const expiries = ['2027-01-01T00:00:00.000Z', '2027-06-01T00:00:00.000Z', '2028-02-29T00:00:00.000Z'].map((currentExpiry) => ({ currentExpiry }));
    const items = Array.from({ length: 2_345 }, (_, i) => ({ name: `s${i}.example`, backend: i % 5 ? 'b1' : 'b2', input: i % 4 === 0 ? null : expiries[i % 3]! }));
    const job = await new BulkStore(db.prisma).create({ registrarId: 'R', idempotencyKey: 'k-shared', kind: 'RENEW', fingerprint: 'f', params: {}, items });
    const rows = await db.prisma.bulkItem.findMany({ where: { jobId: job.id }, orderBy: { position: 'asc' }, select: { name: true, backend: true, input: true } });
    expect(rows).toEqual(items);
  });

  test('names, backends and inputs holding quotes, backslashes, braces, commas, spaces, NULL or non-ASCII text are stored as given', async () => {
    const odd = ['a"b.example', 'back\\slash.example', '{brace}.example', 'comma,name.example', ' spaced .example', 'NULL', 'null', '', 'é😀.example'];
    const items = odd.map((name, i) => ({
      name,
      backend: odd[(i + 1) % odd.length]!,
      input: i % 4 === 3 ? null : { authInfo: { sealed: `v1:${name}"\\{},NULL` }, note: [name, null, 1.5, true] },
    }));
    const job = await new BulkStore(db.prisma).create({ registrarId: 'R', idempotencyKey: 'k-odd', kind: 'TRANSFER', fingerprint: 'f', params: {}, items });
    const rows = await db.prisma.bulkItem.findMany({ where: { jobId: job.id }, orderBy: { position: 'asc' }, select: { name: true, backend: true, input: true } });
    expect(rows).toEqual(items);
  });

  test('a statement refused after the first 2,000 items leaves neither the job nor any item behind; the same key then writes', async () => {
    const store = new BulkStore(db.prisma);
    const items = Array.from({ length: 2_345 }, (_, i) => ({ name: `m${i}.example`, backend: 'b1', input: null as Record<string, unknown> | null }));
    // PostgreSQL refuses U+0000 in text: the third statement (items 2,000-2,344) fails.
    items[2_100] = { name: 'nul\u0000.example', backend: 'b1', input: null };
    const itemsBefore = await db.prisma.bulkItem.count();
    await expect(store.create({ registrarId: 'R', idempotencyKey: 'k-atomic', kind: 'RENEW', fingerprint: 'f', params: {}, items })).rejects.toThrow();
    expect(await store.findByKey('R', 'k-atomic')).toBeNull();
    expect(await db.prisma.bulkItem.count()).toBe(itemsBefore);
    items[2_100] = { name: 'fine.example', backend: 'b1', input: null };
    const job = await store.create({ registrarId: 'R', idempotencyKey: 'k-atomic', kind: 'RENEW', fingerprint: 'f', params: {}, items });
    expect(await db.prisma.bulkItem.count({ where: { jobId: job.id } })).toBe(2_345);
    // The same key again: a unique violation (the submission answers the existing job).
    const again = await store.create({ registrarId: 'R', idempotencyKey: 'k-atomic', kind: 'RENEW', fingerprint: 'f', params: {}, items }).catch((err: unknown) => err);
    expect(isUniqueViolation(again)).toBe(true);
    expect(await db.prisma.bulkItem.count()).toBe(itemsBefore + 2_345);
  });
});
