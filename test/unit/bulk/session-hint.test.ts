/**
 * The sessions hint (src/bulk/session-hint.ts): what a bulk runner keeps of the lanes it runs
 * items on, for the same identity's next start to log those sessions in while its database opens.
 * Written whole and owner-only, only when it changes; read only for its own identity, and never
 * an error (a missing, damaged or foreign file is no hint); not kept for an identity a restart
 * does not keep; not used with in-process sandboxes or without a bulk runner.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lanesAhead, readSessionHint, SessionHintWriter, sessionHintPath } from '../../../src/bulk/session-hint.js';
import type { GatewayConfig } from '../../../src/config.types.js';
import type { Logger } from '../../../src/logger.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-hint-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const lane = { backend: 'nomulus', registrarId: 'NewRegistrar', sessions: 4 };
const backends = [
  { name: 'nomulus', kind: 'epp', accounts: { NewRegistrar: { clientId: 'n', password: 'p' } } },
  { name: 'repp', kind: 'repp', accounts: { TheRegistrar: { username: 'u', password: 'p' } } },
] as unknown as GatewayConfig['backends'];

describe('sessionHintPath', () => {
  it('is under the data directory for an identity a restart keeps, one file per identity; none for a random one', () => {
    const a = sessionHintPath({ dataDir: dir, bulk: { instanceId: 'a' }, databaseUrl: 'postgresql://x/y' }, 'a');
    const b = sessionHintPath({ dataDir: dir, bulk: { instanceId: 'b' }, databaseUrl: 'postgresql://x/y' }, 'b');
    expect(path.dirname(a!)).toBe(dir);
    expect(a).not.toBe(b);
    expect(sessionHintPath({ dataDir: dir }, 'embedded')).toMatch(/bulk-sessions-[0-9a-f]{16}\.json$/);
    expect(sessionHintPath({ dataDir: dir, databaseUrl: 'postgresql://x/y' }, 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6')).toBeNull();
  });
});

describe('SessionHintWriter and readSessionHint', () => {
  it('writes the lanes owner-only, reads them back for the same identity only, and writes again only when they change', async () => {
    const file = sessionHintPath({ dataDir: dir }, 'embedded')!;
    const w = new SessionHintWriter(file, 'embedded', pino({ level: 'silent' }) as unknown as Logger);
    w.set([lane]);
    await w.flushed();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(readSessionHint(file, 'embedded')).toEqual([lane]);
    expect(readSessionHint(file, 'another')).toEqual([]);
    const inode = (await stat(file)).ino; // each write renames a new file over the hint
    w.set([{ ...lane }]);
    await w.flushed();
    expect((await stat(file)).ino).toBe(inode); // the same lanes: not written again
    w.set([]);
    await w.flushed();
    expect(readSessionHint(file, 'embedded')).toEqual([]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, instanceId: 'embedded', lanes: [] });
  });

  it('no lanes and no file: nothing written; a file an earlier life left is emptied by the first set() without its lanes', async () => {
    const file = sessionHintPath({ dataDir: dir }, 'embedded')!;
    const silent = pino({ level: 'silent' }) as unknown as Logger;
    const fresh = new SessionHintWriter(file, 'embedded', silent);
    fresh.set([]);
    await fresh.flushed();
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(file, JSON.stringify({ version: 1, instanceId: 'embedded', lanes: [lane] }));
    const next = new SessionHintWriter(file, 'embedded', silent);
    next.set([lane]); // what the file holds: not written again
    next.set([]);
    await next.flushed();
    expect(readSessionHint(file, 'embedded')).toEqual([]);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('no file, a damaged one or lanes that are not lanes: no hint, and no error', async () => {
    const file = path.join(dir, 'hint.json');
    expect(readSessionHint(file, 'embedded')).toEqual([]);
    expect(readSessionHint(null, 'embedded')).toEqual([]);
    await writeFile(file, '{"version":1,"instanceId":"embedded","lanes":[');
    expect(readSessionHint(file, 'embedded')).toEqual([]);
    await writeFile(file, JSON.stringify({ version: 1, instanceId: 'embedded', lanes: [lane, { backend: 'x', registrarId: 'y', sessions: 0 }, { backend: 1 }, null] }));
    expect(readSessionHint(file, 'embedded')).toEqual([lane]);
  });

  it('a write that fails is logged once and not tried again by the process: it loses only the hint', async () => {
    const warn = vi.fn();
    const logger = { warn } as unknown as Logger;
    await writeFile(path.join(dir, 'file'), 'not a directory');
    const w = new SessionHintWriter(path.join(dir, 'file', 'hint.json'), 'embedded', logger);
    w.set([lane]);
    await w.flushed();
    w.set([{ ...lane, sessions: 8 }]);
    w.set([]);
    await w.flushed();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(await readdir(dir)).toEqual(['file']); // no temporary file left
  });
});

describe('lanesAhead', () => {
  const config = (patch: Partial<GatewayConfig> = {}) => ({ dataDir: dir, backends, ...patch }) as GatewayConfig;
  const keep = async (lanes: unknown[]) => writeFile(sessionHintPath(config(), 'embedded')!, JSON.stringify({ version: 1, instanceId: 'embedded', lanes }));

  it('the lanes whose backend is configured with an account for the registrar', async () => {
    await keep([lane, { backend: 'gone', registrarId: 'NewRegistrar', sessions: 2 }, { backend: 'repp', registrarId: 'NewRegistrar', sessions: 2 }, { backend: 'repp', registrarId: 'TheRegistrar', sessions: 2 }]);
    expect(lanesAhead(config(), 'embedded')).toEqual([lane, { backend: 'repp', registrarId: 'TheRegistrar', sessions: 2 }]);
  });

  it('none with an in-process sandbox among the backends, nor with bulk jobs off', async () => {
    await keep([lane]);
    expect(lanesAhead(config({ backends: [{ ...backends[0]!, sandbox: { profile: 'nomulus' } }, backends[1]!] as GatewayConfig['backends'] }), 'embedded')).toEqual([]);
    expect(lanesAhead(config({ bulk: { enabled: false } }), 'embedded')).toEqual([]);
    expect(lanesAhead(config(), 'embedded')).toEqual([lane]);
  });
});
