/** BulkStore.create: a job's items, written in several statements, each at its place with its input. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BulkStore } from '../../../src/bulk/store.js';
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
  });
});
