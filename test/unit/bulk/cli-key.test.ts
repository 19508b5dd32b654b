/**
 * The bulk CLI's default idempotency key (src/bulk/cli/args.ts): the same command and file give
 * the same key (running it again re-attaches to its job), and a transfer file's key does not let
 * anyone who reads the job's key (bulk_jobs, the command log's item keys) confirm a guessed auth
 * code offline: it is keyed with the API key, which the gateway never stores.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultIdempotencyKey, keyedLines, parseCli, readLines, type CliKind, type CliOptions } from '../../../src/bulk/cli/args.js';

const opts = (argv: string[], key: string) => parseCli([...argv, '--api-key', key], {}) as CliOptions;
/** What anyone can compute from a guessed file: the plain SHA-256 the key was before. */
const plain = (o: CliOptions, file: string) =>
  `cli-${createHash('sha256').update(JSON.stringify({ command: o.command, period: o.period, from: o.from, to: o.to, add: o.add, remove: o.remove })).update('\u0000').update(file).digest('hex').slice(0, 40)}`;

describe('bulk CLI default idempotency key', () => {
  const file = 'rival.joker.test,Guess-Me-1\n';
  it('transfer: the same API key and file give the same key, which a guess of the file does not reproduce', () => {
    const a = opts(['transfer', '--file', 'codes.txt'], 'rgw_key-one');
    const key = defaultIdempotencyKey(a, file);
    expect(key).toMatch(/^cli-[0-9a-f]{40}$/);
    expect(defaultIdempotencyKey(opts(['transfer', '--file', 'codes.txt'], 'rgw_key-one'), file)).toBe(key);
    expect(key).not.toBe(plain(a, file));
    expect(defaultIdempotencyKey(opts(['transfer', '--file', 'codes.txt'], 'rgw_key-two'), file)).not.toBe(key);
  });
  it('files without secrets keep the plain hash: any API key of the registrar re-attaches', () => {
    const r = opts(['renew', '--file', 'names.txt', '--period', '1y'], 'rgw_key-one');
    expect(defaultIdempotencyKey(r, 'a.example\n')).toBe(plain(r, 'a.example\n'));
    expect(defaultIdempotencyKey(opts(['renew', '--file', 'names.txt', '--period', '1y'], 'rgw_key-two'), 'a.example\n')).toBe(plain(r, 'a.example\n'));
  });
  it("the command's own parameters, normalised: no --period is --period 1y (the gateway's default); another command's never enter it", () => {
    const renew = opts(['renew', '--file', 'names.txt', '--period', '1y'], 'rgw_k');
    const key = defaultIdempotencyKey(renew, 'a.example\n');
    expect(defaultIdempotencyKey(opts(['renew', '--file', 'names.txt'], 'rgw_k'), 'a.example\n')).toBe(key);
    expect(defaultIdempotencyKey(opts(['renew', '--file', 'names.txt', '--period', '12m'], 'rgw_k'), 'a.example\n')).not.toBe(key);
    expect(defaultIdempotencyKey({ ...renew, from: 'ns1.x', to: 'ns2.x', add: ['clientHold'] }, 'a.example\n')).toBe(key);
    const transfer = (argv: string[]) => defaultIdempotencyKey(opts(['transfer', '--file', 'codes.txt', ...argv], 'rgw_k'), file);
    expect(transfer([])).toBe(transfer(['--period', '1y']));
    const statuses = opts(['update-statuses', '--file', 'names.txt', '--add', 'clientHold'], 'rgw_k');
    expect(defaultIdempotencyKey({ ...statuses, period: { value: 2, unit: 'YEARS' } }, 'a.example\n')).toBe(defaultIdempotencyKey(statuses, 'a.example\n'));
    // Spelt out in full, a command keeps the key it always had: its job re-attaches after an upgrade.
    expect(defaultIdempotencyKey(statuses, 'a.example\n')).toBe(plain(statuses, 'a.example\n'));
  });

  // A bulk-tool trial: the same names saved with CRLF, a byte order mark or a comment line each
  // submitted a new job (a renewal without currentExpiry renewed every domain again).
  it('is the key of the domain lines, not of how the file was saved; a plainly written file keeps the key it had', () => {
    const keyOf = (command: CliKind, text: string) => defaultIdempotencyKey(opts([command, '--file', 'f.txt'], 'rgw_k'), keyedLines(readLines('f.txt', command, text)));
    const plainText = 'a.example\nb.example\n';
    const key = keyOf('renew', plainText);
    expect(key).toBe(plain(opts(['renew', '--file', 'f.txt', '--period', '1y'], 'rgw_k'), plainText));
    for (const saved of ['a.example\r\nb.example\r\n', '\uFEFFa.example\nb.example\n', '# portfolio\na.example\n\nb.example', '"a.example"\nb.example\n']) expect(keyOf('renew', saved)).toBe(key);
    expect(keyOf('renew', 'b.example\na.example\n')).not.toBe(key);
    expect(keyOf('renew', 'a.example,2030-01-02\nb.example\n')).not.toBe(key);
    // A field that needs quoting keeps its quotes, once: the same codes, however they were quoted.
    expect(keyOf('transfer', 'x.example,"a,b"\r\n')).toBe(keyOf('transfer', '"x.example","a,b"\n'));
    expect(keyOf('transfer', 'x.example,"a,b"\n')).not.toBe(keyOf('transfer', 'x.example,ab\n'));
  });
});
