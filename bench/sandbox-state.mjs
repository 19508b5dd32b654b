#!/usr/bin/env node
/**
 * Cost of the EPP sandbox's state file (src/sandbox/epp/state-file.ts): one write of the whole
 * registry, which a state-changing command waits for before it is answered (concurrent commands
 * share one write), for registries of 100, 1,000 and 10,000 domains.
 *
 *   npm run build && node bench/sandbox-state.mjs
 *
 * The domains are copies of a seed domain put into the store directly (creating 10,000 over EPP
 * would measure EPP instead). Prints wall and CPU milliseconds per write (the CPU part is the
 * synchronous snapshot: encryption of changed auth infos and JSON encoding) and the file size.
 * It prints figures; it asserts nothing.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { EppSandbox } = await import('../dist/src/sandbox/epp/index.js');
const WRITES = 10;
for (const n of [100, 1000, 10_000]) {
  const dir = mkdtempSync(join(tmpdir(), 'rgw-bench-state-'));
  const sandbox = new EppSandbox({ profile: 'nomulus', state: { dir, name: 'bench' } });
  await sandbox.start();
  const store = sandbox.store; // internals: see above
  const seed = store.domains.get('example.tld');
  for (let i = 0; i < n; i++) store.domains.set(`d${i}.tld`, { ...seed, name: `d${i}.tld`, authInfo: `pw-${i}-x`, statuses: new Set(), grace: [] });
  store.touch();
  await sandbox.stateFile.save(); // the first write seals every auth info once
  const wall = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < WRITES; i++) {
    store.domains.get('d0.tld').authInfo = `changed-${i}`; // one command's change
    store.touch();
    await sandbox.stateFile.save();
  }
  const used = process.cpuUsage(cpu);
  const size = statSync(sandbox.statePath).size;
  console.log(
    `${String(n).padStart(6)} domains: ${((performance.now() - wall) / WRITES).toFixed(1)} ms wall, ` +
      `${((used.user + used.system) / 1000 / WRITES).toFixed(1)} ms CPU per write; file ${(size / 1024).toFixed(0)} KiB`,
  );
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
}
