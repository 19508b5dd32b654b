/**
 * `npm start` twice on the same data directory: the zero-setup gateway (embedded database and
 * in-process sandboxes, no config) keeps its sandboxes' registries beside the database, so after a
 * restart (here after kill -9, the harder case), the README's examples still find their objects:
 * a replayed createDomain returns the domain, `domain` and `domains` show it.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { spawnGateway, type GatewayProcess } from '../helpers/processes.js';
import { reppSeededNames } from '../helpers/repp-seed.js';
import { JOKER_SEED, JOKER_SEED_RESELLERS } from '../../src/sandbox/joker/seed.js';

const examples = readFileSync(new URL('../../schema/examples.graphql', import.meta.url), 'utf8');
let dir: string;
const running: GatewayProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-restart-'));
  // A first start would create and migrate the embedded database (tens of seconds on a loaded
  // machine); start from the test run's migrated copy instead, as an earlier `npm start` left it.
  const testDb = inject('testDb');
  if (testDb.kind === 'pglite') await cp(testDb.templateDir, path.join(dir, 'data', 'pglite'), { recursive: true });
});
afterAll(async () => {
  await Promise.all(running.map((p) => p.kill()));
  await rm(dir, { recursive: true, force: true });
});

/** `npm start` in `dir`: the zero-setup config, an embedded database under dir/data. */
async function start(env: Record<string, string> = {}): Promise<{ p: GatewayProcess; key: string }> {
  const p = await spawnGateway({
    config: defaultConfig(),
    configPath: path.join(dir, 'gateway.config.json'),
    databaseUrl: '', // none: the embedded database
    env: { DATA_DIR: path.join(dir, 'data'), ...env },
    startTimeoutMs: 90_000,
  });
  running.push(p);
  const [, key] = await p.waitForOutput(/^\s+NewRegistrar\s+(rgw_\S+)$/m);
  // DATABASE_URL set empty counts as unset, and the start says which database it opened.
  expect(p.output()).toContain(`"database":"embedded ${path.join(dir, 'data')}/pglite"`);
  return { p, key: key! };
}

async function example(p: GatewayProcess, key: string, operationName: string) {
  const res = await fetch(p.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: examples, operationName }),
  });
  const body = (await res.json()) as { errors?: unknown[]; data?: Record<string, any> };
  expect(body.errors).toBeUndefined();
  return body.data!;
}

const LIST = '{ domains { edges { node { name sponsor } } pageInfo { hasNextPage } } }';

it('the README examples find their objects after a restart, even one after kill -9', { timeout: 240_000 }, async () => {
  const first = await start();
  await example(first.p, first.key, 'CreateContact');
  const created = (await example(first.p, first.key, 'CreateDomain')).createDomain;
  expect(created).toMatchObject({ name: 'my-first.example', replayed: false });
  expect(created.domain).not.toBeNull();
  const renewed = (await example(first.p, first.key, 'Renew')).renewDomain;
  expect(renewed.replayed).toBe(false);
  await first.p.kill(); // the process dies: what it answered must be there after the restart

  const second = await start();
  const replay = (await example(second.p, second.key, 'CreateDomain')).createDomain;
  expect(replay).toMatchObject({ name: 'my-first.example', replayed: true });
  expect(replay.domain).toEqual({ ...created.domain, expiresAt: renewed.expiresAt });
  expect((await example(second.p, second.key, 'Renew')).renewDomain).toEqual({ ...renewed, replayed: true });
  const domain = (await example(second.p, second.key, 'Domain')).domain;
  expect(domain).toMatchObject({ name: 'my-first.example', registrant: { id: 'ann-1001' }, expiresAt: renewed.expiresAt });
  const list = await second.p.gql(second.key, LIST);
  // Beside it, the .ee names the REPP sandbox holds for NewRegistrar (REPP lists them itself);
  // their sponsor is the registrar's REPP API user.
  const ee = reppSeededNames('NewRegistrar').map((name) => ({ node: { name, sponsor: 'test' } }));
  // And the Joker sandbox's (DMAPI lists them too: query-domain-list); their sponsor is the reseller's UID.
  const uid = JOKER_SEED_RESELLERS.find((r) => r.registrarId === 'NewRegistrar')!.uid;
  const joker = JOKER_SEED.domains.filter((d) => d.reseller === uid).map((d) => ({ node: { name: `${d.label}.joker.test`, sponsor: uid } }));
  const edges = [{ node: { name: 'my-first.example', sponsor: 'NewRegistrar' } }, ...ee, ...joker].sort((a, b) => (a.node.name < b.node.name ? -1 : 1));
  expect(list.data.domains).toEqual({ edges, pageInfo: { hasNextPage: false } });
  await second.p.stop();
});

it('Ctrl-C under npm start (SIGINT twice: from the terminal and from npm) closes it as one would: gateway closed, exit 0, the database unlocked', { timeout: 240_000 }, async () => {
  // A shutdown delay keeps the process closing while the second signal arrives.
  const { p, key } = await start({ SHUTDOWN_DELAY_MS: '1500' });
  expect((await p.gql(key, '{ viewer { id } }')).data.viewer.id).toBe('NewRegistrar');
  process.kill(p.pid, 'SIGINT');
  await p.waitForOutput(/"msg":"shutting down"/);
  process.kill(p.pid, 'SIGINT');
  expect(await p.stop()).toEqual({ code: 0, signal: null }); // stop(): a third signal (SIGTERM), then waits for the exit
  expect(p.output()).toMatch(/"msg":"already shutting down"/);
  expect(p.output()).toMatch(/"msg":"gateway closed"/);
  expect(existsSync(path.join(dir, 'data', 'pglite.lock'))).toBe(false);
});
