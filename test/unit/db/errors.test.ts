import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUniqueViolation, uniqueViolation, violatesUnique } from '../../../src/db/errors.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';
import { caught } from '../../helpers/caught.js';

describe('isUniqueViolation against the real adapter', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
    await db.prisma.registrar.create({ data: { id: 'R1', name: 'one' } });
    await db.prisma.domainIndex.create({ data: { registrarId: 'R1', name: 'a.example', backend: 'b' } });
  });
  afterAll(() => db.close());

  it('recognises P2002 on a compound unique, with and without the columns', async () => {
    const err = await caught(db.prisma.domainIndex.create({ data: { registrarId: 'R1', name: 'a.example', backend: 'c' } }));
    expect((err as { code?: string }).code).toBe('P2002');
    expect(isUniqueViolation(err)).toBe(true);
    expect(isUniqueViolation(err, ['registrar_id', 'name'])).toBe(true);
    expect(isUniqueViolation(err, ['name', 'registrar_id'])).toBe(true);
    expect(isUniqueViolation(err, ['name'])).toBe(false);
    expect(uniqueViolation(err)).not.toBeNull();
  });

  it('recognises a primary-key clash and one raised by a raw query', async () => {
    const pk = await caught(db.prisma.registrar.create({ data: { id: 'R1', name: 'again' } }));
    expect(isUniqueViolation(pk)).toBe(true);
    const raw = await caught(db.prisma.$executeRawUnsafe(`INSERT INTO registrars (id, name) VALUES ('R1', 'x')`));
    expect(isUniqueViolation(raw)).toBe(true);
  });

  it('is false for other database errors and for ordinary errors', async () => {
    const fk = await caught(db.prisma.apiKey.create({ data: { registrarId: 'nobody', prefix: 'p', hash: 'h' } }));
    expect(isUniqueViolation(fk)).toBe(false);
    const missing = await caught(db.prisma.registrar.update({ where: { id: 'nobody' }, data: { name: 'x' } }));
    expect(isUniqueViolation(missing)).toBe(false);
    expect(isUniqueViolation(new Error('duplicate'))).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
    expect(isUniqueViolation('P2002')).toBe(false);
  });
});

describe('isUniqueViolation on the shapes each adapter produces', () => {
  const cause = (constraint: object, table?: string) => ({
    code: 'P2002',
    meta: { modelName: 'DomainIndex', driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'UniqueConstraintViolation', originalCode: '23505', constraint, table } } },
  });

  it('pglite-prisma-adapter: columns', () => {
    const err = cause({ fields: ['registrar_id', 'name'] });
    expect(isUniqueViolation(err, ['registrar_id', 'name'])).toBe(true);
    expect(isUniqueViolation(err, ['registrar_id'])).toBe(false);
  });

  it('@prisma/adapter-pg: constraint name and table', () => {
    const err = cause({ index: 'domain_index_registrar_id_name_key' }, 'domain_index');
    expect(isUniqueViolation(err, ['registrar_id', 'name'])).toBe(true);
    expect(isUniqueViolation(err, 'domain_index_registrar_id_name_key')).toBe(true);
    expect(isUniqueViolation(err, ['name'])).toBe(false);
  });

  it('native engine (meta.target) and a bare driver error (SQLSTATE 23505)', () => {
    expect(isUniqueViolation({ code: 'P2002', meta: { target: ['hash'] } }, ['hash'])).toBe(true);
    expect(isUniqueViolation({ code: '23505', constraint: 'api_keys_hash_key' }, 'api_keys_hash_key')).toBe(true);
    expect(isUniqueViolation({ code: 'P2003', meta: {} })).toBe(false);
  });
});

describe('violatesUnique: one named constraint, not any unique violation', () => {
  const upstream = { name: 'poll_messages_backend_account_id_upstream_id_key', columns: ['backend', 'account_id', 'upstream_id'] };
  const adapterError = (cause: object) => ({ code: 'P2002', meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'UniqueConstraintViolation', originalCode: '23505', ...cause } } } });

  it('@prisma/adapter-pg: by the constraint name', () => {
    expect(violatesUnique(adapterError({ constraint: { index: upstream.name }, table: 'poll_messages' }), upstream)).toBe(true);
    expect(violatesUnique(adapterError({ constraint: { index: 'poll_messages_registrar_id_seq_key' }, table: 'poll_messages' }), upstream)).toBe(false);
    expect(violatesUnique(adapterError({ constraint: { index: 'poll_messages_pkey' }, table: 'poll_messages' }), upstream)).toBe(false);
  });

  it('pglite-prisma-adapter: by the name in PostgreSQL\'s message, else by the columns', () => {
    const seq = { constraint: { fields: ['registrar_id', 'seq'] }, originalMessage: 'duplicate key value violates unique constraint "poll_messages_registrar_id_seq_key"' };
    expect(violatesUnique(adapterError(seq), upstream)).toBe(false);
    expect(violatesUnique(adapterError({ ...seq, constraint: { fields: ['upstream_id', 'backend', 'account_id'] } }), upstream)).toBe(false); // the name wins
    expect(violatesUnique(adapterError({ constraint: { fields: ['account_id', 'upstream_id', 'backend'] } }), upstream)).toBe(true);
    expect(violatesUnique(adapterError({ constraint: { fields: ['registrar_id', 'seq'] }, originalMessage: 'doppelter Schlüsselwert' }), upstream)).toBe(false);
  });

  it('a bare driver error by its constraint; an unnamed violation or another error is never a match', () => {
    expect(violatesUnique({ code: '23505', constraint: upstream.name }, upstream)).toBe(true);
    expect(violatesUnique({ code: '23505', constraint: 'poll_messages_pkey' }, upstream)).toBe(false);
    expect(violatesUnique({ code: '23505' }, upstream)).toBe(false);
    expect(violatesUnique(adapterError({}), upstream)).toBe(false);
    expect(violatesUnique({ code: 'P2003', meta: {} }, upstream)).toBe(false);
  });
});
