/**
 * The REPP document's curl commands, pasted into a shell with only the host changed, work against
 * the REPP sandbox: a client written elsewhere (curl, with its own headers and its form content
 * type on the GETs' empty `--data-raw ''`) gets the document's result codes. Examples that need an
 * earlier one, or TheRegistrar's user, are covered over fetch in examples.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { ReppSandbox } from '../../../src/sandbox/repp/index.js';
import { example, exampleJson } from '../../helpers/repp-examples.js';

const run = promisify(execFile);
const hasCurl = ['/usr/bin/curl', '/bin/curl', '/usr/local/bin/curl'].some(existsSync);
const clock = new FakeClock('2026-01-01T10:00:00Z');
const sandbox = new ReppSandbox({ clock });
let base: string;

/** As printed, the user the document's header names (test:test123, NewRegistrar's), and no earlier example needed. */
const AS_PRINTED: [id: string, response: number][] = [
  ['billing-1', 0],
  ['poll-messages-2', 0],
  ['poll-messages-3', 0],
  ['poll-messages-4', 0],
  ['contacts-1', 0],
  ['contacts-2', 0],
  ['contacts-3', 1], // ATSAA:KARL holds domains: 2305
  ['contacts-5', 0],
  ['contacts-6', 0],
  ['domains-1', 0],
  ['domains-2', 0],
  ['domains-3', 0],
  ['domains-9', 0],
  ['nameservers-1', 0],
  ['statuses-1', 0],
  ['transfers-1', 0],
  ['transfers-2', 0],
  ['bulk-actions-1', 0],
  ['bulk-actions-2', 0],
  ['bulk-actions-3', 0],
  ['bulk-actions-4', 0],
];

beforeAll(async () => {
  base = (await sandbox.start()).url;
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

describe.skipIf(!hasCurl)('the document curl commands', () => {
  for (const [id, n] of AS_PRINTED) {
    it(`${id}: ${example(id).title ?? example(id).endpoint}`, async () => {
      const e = example(id);
      // The printed "Delete a specific domain" has a blank line after a continuation, which ends a
      // shell command: the extraction joined it (scripts/extract-repp-examples.mjs).
      const command = e.request.curl.replace(/^(curl .*?')https?:\/\/[^/']+/, `$1${base}`);
      const { stdout } = await run('bash', ['-c', `${command} --silent --show-error --write-out '\\n%{http_code}'`]);
      const lines = stdout.trimEnd().split('\n');
      const status = Number(lines.pop());
      const body = JSON.parse(lines.join('\n')) as { code: number; message: string };
      const doc = exampleJson(e.responses[n].text);
      expect({ status, code: body.code }).toEqual({ status: doc.code === 1000 ? 200 : 400, code: doc.code });
    });
  }
});
