/**
 * The `domains` connection's pages: filled past entries whose domain the registry no longer has,
 * never empty while hasNextPage is true, stale entries removed (but never a re-registered one),
 * and cursors it did not hand out refused as bad input.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DomainReadError, UpstreamRateLimitedError, ValidationError } from '../../../src/core/errors.js';
import { DomainIndex } from '../../../src/domains/domain-index.js';
import { DomainIndexRepairedError, MAX_STALE_PER_PAGE, domainCursor, parseDomainCursor, readDomainPage } from '../../../src/domains/domain-page.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

let db: TestDatabase;
let index: DomainIndex;
const R = 'NewRegistrar';

beforeAll(async () => {
  db = await freshDatabase();
  await db.prisma.registrar.create({ data: { id: R, name: 'New' } });
  index = new DomainIndex(db.prisma);
});
afterAll(() => db?.close());
beforeEach(() => db.prisma.domainIndex.deleteMany({}));

async function list(names: string[]) {
  await db.prisma.domainIndex.createMany({ data: names.map((name) => ({ registrarId: R, name, backend: 'b' })) });
}

/** A registry that has only `live`; counts the reads. */
function registry(live: Set<string>) {
  const r = {
    reads: 0,
    load: async (items: readonly { name: string }[]) => {
      r.reads += items.length;
      return items.map((i) => (live.has(i.name) ? { name: i.name } : null));
    },
  };
  return r;
}

/** Pages through the whole connection; fails on an empty page that says more follow. */
async function all(first: number, load: ReturnType<typeof registry>['load']) {
  const seen: string[] = [];
  let after: string | undefined;
  for (let n = 0; n < 100; n++) {
    const p = await readDomainPage(index, R, first, after, load);
    if (p.pageInfo.hasNextPage) expect(p.edges.length).toBeGreaterThan(0);
    seen.push(...p.edges.map((e) => e.node.name));
    if (!p.pageInfo.hasNextPage) return seen;
    after = parseDomainCursor(p.pageInfo.endCursor!);
  }
  throw new Error('did not end');
}

describe('readDomainPage', () => {
  it('fills each page past vanished domains, so no page is empty while more follow, and every live domain is listed once', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `d${String(i).padStart(2, '0')}.tld`);
    await list(names);
    const live = new Set(names.filter((_, i) => i % 5 === 0 || i === 29)); // runs of 4 vanished between live ones
    for (const first of [1, 2, 3, 7]) {
      await db.prisma.domainIndex.deleteMany({});
      await list(names);
      expect(await all(first, registry(live).load)).toEqual([...live].sort());
    }
  });

  it('removes the vanished entries from the list, so the next read does not ask the registry again', async () => {
    await list(['a.tld', 'b.tld', 'c.tld', 'd.tld']);
    const reg = registry(new Set(['a.tld', 'd.tld']));
    const page = await readDomainPage(index, R, 2, undefined, reg.load);
    expect(page.edges.map((e) => e.node.name)).toEqual(['a.tld', 'd.tld']);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false, startCursor: domainCursor('a.tld'), endCursor: domainCursor('d.tld') });
    expect((await db.prisma.domainIndex.findMany({ orderBy: { name: 'asc' } })).map((r) => r.name)).toEqual(['a.tld', 'd.tld']);
    reg.reads = 0;
    await readDomainPage(index, R, 2, undefined, reg.load);
    expect(reg.reads).toBe(2);
  });

  it('an entry written again while it was being read (re-registered) is kept', async () => {
    await list(['a.tld']);
    const load = async (items: readonly { name: string }[]) => {
      await index.add(R, 'a.tld', 'b'); // a create through the gateway lands between the read and the removal
      return items.map(() => null);
    };
    expect((await readDomainPage(index, R, 5, undefined, load)).edges).toEqual([]);
    expect(await db.prisma.domainIndex.count()).toBe(1);
  });

  it('a domain whose read failed stays an edge, its node the failure naming it; it is not removed, and its cursor pages on', async () => {
    await list(['a.tld', 'b.tld', 'c.tld']);
    const limited = new UpstreamRateLimitedError('rate limit share spent', { retryAfter: 60, backend: 'b', sent: false });
    const load = async (items: readonly { name: string }[]) => items.map((i) => (i.name === 'b.tld' ? limited : { name: i.name }));
    const page = await readDomainPage(index, R, 2, undefined, load);
    expect(page.edges.map((e) => e.cursor)).toEqual([domainCursor('a.tld'), domainCursor('b.tld')]);
    const failed = page.edges[1]!.node;
    expect(failed).toBeInstanceOf(DomainReadError);
    expect(failed).toMatchObject({ code: 'RATE_LIMITED', message: 'b.tld: rate limit share spent', details: { domainName: 'b.tld', backend: 'b', retryable: true, retryAfter: 60 } });
    expect(limited.details.domainName).toBeUndefined(); // the shared cause is left as it was
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, endCursor: domainCursor('b.tld') });
    expect(await db.prisma.domainIndex.count()).toBe(3);
    const next = await readDomainPage(index, R, 2, parseDomainCursor(page.pageInfo.endCursor!), load);
    expect(next.edges.map((e) => e.node.name)).toEqual(['c.tld']);
  });

  it(`stops after removing ${MAX_STALE_PER_PAGE} vanished entries with DOMAIN_INDEX_REPAIRED (retryable); asking again continues`, async () => {
    const gone = Array.from({ length: MAX_STALE_PER_PAGE + 200 }, (_, i) => `gone${String(i).padStart(5, '0')}.tld`);
    await list([...gone, 'zz.tld']);
    const reg = registry(new Set(['zz.tld']));
    const err = await readDomainPage(index, R, 10, undefined, reg.load).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainIndexRepairedError);
    expect((err as DomainIndexRepairedError).details.retryable).toBe(true);
    const page = await readDomainPage(index, R, 10, undefined, reg.load);
    expect(page.edges.map((e) => e.node.name)).toEqual(['zz.tld']);
    expect(page.pageInfo.hasNextPage).toBe(false);
  });
});

describe('parseDomainCursor', () => {
  it('takes back the cursors the connection hands out', () => {
    expect(parseDomainCursor(domainCursor('xn--bcher-kva.example'))).toBe('xn--bcher-kva.example');
  });

  it.each([['junk!'], [''], ['not-a-cursor'], [Buffer.from('ünïcode.tld').toString('base64url')], [`${domainCursor('a.tld')}=`], [domainCursor('a'.repeat(300) + '.tld')]])(
    'refuses %j as BAD_USER_INPUT naming after, without quoting it',
    (after) => {
      let err: unknown;
      try {
        parseDomainCursor(after);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).details.field).toBe('after');
      if (after) expect((err as Error).message).not.toContain(after);
    },
  );
});
