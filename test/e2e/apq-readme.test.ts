/**
 * README "Automatic persisted queries": the curl example, run as written there (with bash and
 * curl) against a gateway, only KEY and URL set to the test gateway's; each answer must equal the
 * `# {...}` comment under its command. Skipped, saying so, where bash, curl or sha256sum is missing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { REPO_ROOT } from '../helpers/processes.js';

const tools = ['/bin/bash', '/usr/bin/curl', '/usr/bin/sha256sum'];
const missing = tools.filter((t) => !existsSync(t));

/** The sh block of README's "Automatic persisted queries" section. */
async function example(): Promise<string> {
  const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Automatic persisted queries'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README: no sh block under "Automatic persisted queries"');
  return block[1]!;
}

describe.skipIf(missing.length > 0)(`README's automatic persisted queries example${missing.length ? ` (skipped: ${missing.join(', ')} missing)` : ''}`, () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ configure: (c) => (c.poll.enabled = false) });
  });
  afterAll(() => t?.close());

  it('answers each curl command as the README says', async () => {
    const script = await example();
    const expected = script.split('\n').filter((l) => l.startsWith('# {')).map((l) => JSON.parse(l.slice(2)));
    expect(expected).toHaveLength(4);
    const runnable = script.replace(/^KEY=.*$/m, `KEY='${t.keys.NewRegistrar}'`).replace(/^URL=.*$/m, `URL='${t.gateway.url}'`);
    const { stdout } = await promisify(execFile)('/bin/bash', ['-euc', runnable]);
    const answers = stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(answers).toEqual(expected);
    // The paragraph under the block: a GET without the header is refused before anything runs.
    const url = `${t.gateway.url}?query=${encodeURIComponent('{ viewer { id } }')}`;
    const bare = await fetch(url, { headers: { authorization: `Bearer ${t.keys.NewRegistrar}` } });
    expect(bare.status).toBe(400);
    expect(await bare.text()).toMatch(/apollo-require-preflight/);
    const preflighted = await fetch(url, { headers: { authorization: `Bearer ${t.keys.NewRegistrar}`, 'apollo-require-preflight': 'true' } });
    expect(await preflighted.json()).toEqual({ data: { viewer: { id: 'NewRegistrar' } } });
    // Queries only: a mutation by GET runs nothing.
    const mutation = `${t.gateway.url}?query=${encodeURIComponent('mutation { renewDomain(idempotencyKey: "k-get", input: { name: "alpha.example" }) { name } }')}`;
    const refused = await fetch(mutation, { headers: { authorization: `Bearer ${t.keys.NewRegistrar}`, 'apollo-require-preflight': 'true' } });
    expect(refused.status).toBe(405);
    expect(((await refused.json()) as { data?: unknown }).data).toBeUndefined();
  });
});
