/**
 * key:list and key:revoke, as an operator runs them beside key:create: a key created by the CLI
 * is listed (registrar, id, label, dates; never the key or its hash), revoked by id or by label,
 * and a gateway then refuses it. On PostgreSQL the gateway runs throughout and trusts a resolved
 * key for an hour, so only the database's announcement of the revocation (the api_keys trigger's
 * NOTIFY) can end it within the test. The embedded database belongs to one process at a time, so
 * there the gateway is stopped while a command runs and started again after it, as an operator
 * of an embedded gateway does.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { createApiKeyCommand } from '../../src/auth/create-api-key.js';
import { listApiKeysCommand, revokeApiKeysCommand } from '../../src/auth/manage-api-keys.js';
import { openDatabase } from '../../src/db/client.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const ctx = inject('testDb');
const HOUR = 3_600_000;

let where: string[];
let scratch: string;
let pgDb: TestDatabase | undefined;
let pgGateway: TestGateway | undefined;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'rgw-key-admin-'));
  if (ctx.kind === 'postgres') {
    pgDb = await freshDatabase();
    where = ['--database-url', pgDb.url!];
    pgGateway = await startTestGateway({ database: pgDb, configure: (c) => ((c.poll.enabled = false), (c.auth = { keyCacheTtlMs: HOUR, revocationCheckMs: HOUR })) });
  } else {
    // The gateway's DATA_DIR: its database is DATA_DIR/pglite.
    await cp(ctx.templateDir, path.join(scratch, 'pglite'), { recursive: true });
    where = ['--data-dir', scratch];
  }
}, 60_000);
afterAll(async () => {
  await pgGateway?.close();
  await pgDb?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** Runs one command the way its CLI does, capturing what it prints. */
async function run(command: typeof listApiKeysCommand, argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command([...argv, ...where], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err, all: [...out, ...err].join('\n') };
}

/**
 * What a gateway on this database answers `key` for `{ viewer { id } }`: the registrar's id, or
 * the HTTP status of a refusal. `revoked`: wait until the running gateway refuses it (only the
 * test's timeout bounds that).
 */
async function viewer(key: string, revoked = false): Promise<string | number> {
  const ask = async (t: TestGateway) => {
    const res = await t.gql(key, '{ viewer { id } }');
    return res.status === 200 ? (res.data?.viewer.id as string) : res.status;
  };
  if (pgGateway) {
    for (;;) {
      const got = await ask(pgGateway);
      if (!revoked || typeof got === 'number') return got;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const db = await openDatabase({ dataDir: path.join(where[1]!, 'pglite') });
  const t = await startTestGateway({ database: db, configure: (c) => void (c.poll.enabled = false) });
  try {
    return await ask(t);
  } finally {
    await t.close();
  }
}

async function created(registrar: string, label: string): Promise<{ key: string; id: string }> {
  const { code, out, err } = await run(createApiKeyCommand, ['--registrar', registrar, '--label', label, '--new-registrar']);
  expect(code).toBe(0);
  return { key: out[0]!, id: /, id ([0-9a-f-]+)\./.exec(err.join('\n'))![1]! };
}

describe('key:list and key:revoke', () => {
  it('lists a created key without the key or its hash, revokes it by id, and a gateway refuses it', async () => {
    const k = await created('acme', 'frontend');
    expect(await viewer(k.key)).toBe('acme');

    const listed = await run(listApiKeysCommand, []);
    expect(listed.code).toBe(0);
    expect(listed.out[0]).toMatch(/^REGISTRAR\s+KEY ID\s+LABEL\s+PREFIX\s+CREATED\s+LAST USED\s+REVOKED$/);
    const line = listed.out.find((l) => l.includes(k.id))!;
    expect(line.split(/\s{2,}/)).toEqual(['acme', k.id, 'frontend', k.key.slice(0, 12), expect.stringMatching(/^\d{4}-\d\d-\d\dT/), expect.stringMatching(/^\d{4}-\d\d-\d\dT/), '-']);
    expect(listed.all).not.toContain(k.key);
    expect(listed.all).not.toContain(hashApiKey(k.key));
    const json = await run(listApiKeysCommand, ['--registrar', 'acme', '--json']);
    expect(json.out.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ id: k.id, registrarId: 'acme', label: 'frontend', revokedAt: null })]);
    expect(json.all).not.toContain(hashApiKey(k.key));

    const revoked = await run(revokeApiKeysCommand, [k.id]);
    expect(revoked).toMatchObject({ code: 0, out: [] });
    expect(revoked.err[0]).toBe(`revoked API key ${k.id} (registrar acme, label "frontend")`);
    expect(await viewer(k.key, true)).toBe(401);

    const after = (await run(listApiKeysCommand, ['--registrar', 'acme'])).out.find((l) => l.includes(k.id))!;
    expect(after.split(/\s{2,}/).at(-1)).toMatch(/^\d{4}-\d\d-\d\dT/);
    const again = await run(revokeApiKeysCommand, [k.id]);
    expect(again.code).toBe(0);
    expect(again.err[0]).toMatch(new RegExp(`^API key ${k.id} \\(registrar acme\\) was already revoked at \\d{4}-`));
  }, 120_000);

  it('revokes by registrar and label, leaving the registrar\'s other keys working', async () => {
    const doomed = [await created('shop', 'ci'), await created('shop', 'ci')];
    const kept = await created('shop', 'frontend');
    const res = await run(revokeApiKeysCommand, ['--registrar', 'shop', '--label', 'ci']);
    expect(res).toMatchObject({ code: 0, err: ['revoked 2 API keys of registrar shop labelled "ci"'] });
    for (const d of doomed) expect(await viewer(d.key, true)).toBe(401);
    expect(await viewer(kept.key)).toBe('shop');
    expect(await run(revokeApiKeysCommand, ['--registrar', 'shop', '--label', 'ci'])).toMatchObject({ code: 1, err: ['no live API key of registrar shop is labelled "ci"'] });
  }, 120_000);

  it('says so for an unknown id (exit 1) and shows usage for what it cannot take (exit 2)', async () => {
    const unknown = await run(revokeApiKeysCommand, ['00000000-0000-0000-0000-000000000000']);
    expect(unknown).toMatchObject({ code: 1, err: ['no API key with id 00000000-0000-0000-0000-000000000000 (npm run key:list shows the ids)'] });
    // Each says what was wrong first (an operator's trial: `--label ops` alone printed the usage, no reason).
    const cases: Array<[string[], RegExp]> = [
      [[], /^name the keys to revoke: their ids, or --registrar and --label; nothing was revoked\n/],
      [['--label', 'ci'], /^--label needs --registrar: a label names keys of one registrar; nothing was revoked\n/],
      [['--registrar', 'acme'], /^--registrar needs --label \(or give key ids instead\); nothing was revoked\n/],
      [['some-id', '--registrar', 'acme'], /^give key ids or --registrar with --label, not both; nothing was revoked\n/],
      [['--registrar', 'acme', '--label', 'ci', 'some-id'], /^give key ids or --registrar with --label, not both; nothing was revoked\n/],
      [['--bogus'], /^Unknown option|unknown option/i],
    ];
    for (const [argv, why] of cases) {
      const res = await run(revokeApiKeysCommand, argv);
      expect(res.code, argv.join(' ')).toBe(2);
      expect(res.err.join('\n'), argv.join(' ')).toMatch(why);
      expect(res.err.join('\n')).toMatch(/usage: key:revoke/);
    }
    expect((await run(listApiKeysCommand, ['--bogus'])).code).toBe(2);
  });
});
