/**
 * The bulk CLI's own options (it reads no config file: it talks to the gateway over HTTP), checked
 * before anything is sent: a misspelt option named with the closest one (Node's parse error said
 * only "Unknown option '--urll'. To specify a positional argument ..."), a gateway URL that is not
 * http(s) named by where it came from and never quoted (it said "cannot reach the gateway at
 * notaurl: Invalid URL", and for ftp:// that the gateway may have taken the request), a word left
 * over (`renew names.txt` without --file's name ran with it ignored when --file was given too).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCli, type CliOptions } from '../../../src/bulk/cli/args.js';
import { attachCommand } from '../../../src/bulk/cli/cli.js';

const refusal = (argv: string[], env: NodeJS.ProcessEnv = {}): string => {
  try {
    parseCli(argv, { GATEWAY_API_KEY: 'rgw_k', ...env });
  } catch (e) {
    return (e as Error).message.split('\n')[0]!;
  }
  throw new Error(`taken: ${argv.join(' ')}`);
};

describe('bulk CLI options', () => {
  it('a misspelt option: named with the option it is closest to', () => {
    expect(refusal(['renew', '--urll', 'http://127.0.0.1:4000/graphql', '--file', 'n.txt'])).toBe('unknown option --urll (did you mean --url?)');
    expect(refusal(['renew', '--file', 'n.txt', '--peroid=1y'])).toBe('unknown option --peroid (did you mean --period?)');
    // The options of the command given, not every command's (--from, --add are not renew's).
    expect(refusal(['renew', '--file', 'n.txt', '--zzzzzzz'])).toBe('unknown option --zzzzzzz (options: --url, --api-key, --key-file, --help, --file, --period, --out, --idempotency-key, --retries)');
    expect(refusal(['renew', '--file', 'n.txt', '--prot', '1'])).toBe('unknown option --prot (did you mean --out?)');
  });

  it('an option given empty or blank is refused, not taken as left out (a fresh user: `--period "$P"` with P unset renewed for a year)', () => {
    expect(refusal(['renew', '--file', 'n.txt', '--period', ''])).toBe('--period is empty: give it a value, or leave the option out');
    expect(refusal(['renew', '--file', 'n.txt', '--period='])).toBe('--period is empty: give it a value, or leave the option out');
    expect(refusal(['renew', '--file', 'n.txt', '--out', ' '])).toBe('--out is empty: give it a value, or leave the option out');
    expect(refusal(['update-statuses', '--file', 'n.txt', '--add', 'clientHold', '--add', ''])).toBe('--add is empty: give it a value, or leave the option out');
    expect(refusal(['renew', '--file', '', '--period', '1y'])).toBe('--file is empty: give it a value, or leave the option out');
  });

  it('a value that starts with "-" is named with its option and how to give it, not in Node\'s three sentences about "-XYZ" (found by a fresh user)', () => {
    expect(refusal(['renew', '--file', 'n.txt', '--period', '-1y'])).toBe('--period: its value "-1y" starts with "-", which reads as an option; give such a value as --period=<value>');
    // Given so, the value reaches the CLI's own check of it.
    expect(refusal(['renew', '--file', 'n.txt', '--period=-1y'])).toMatch(/^--period is a number and y or m/);
  });

  it("an option of another command is refused naming it, the command, whose option it is and what the command takes", () => {
    expect(refusal(['renew', '--file', 'n.txt', '--from', 'ns1.x'])).toBe('renew does not take --from (an option of replace-nameserver, replace-tech-contact); renew takes --file, --period, --out, --idempotency-key, --retries, --url, --api-key, --key-file');
    expect(refusal(['update-statuses', '--file', 'n.txt', '--add', 'clientHold', '--period=2y'])).toBe('update-statuses does not take --period (an option of renew, transfer); update-statuses takes --file, --add, --remove, --out, --idempotency-key, --retries, --url, --api-key, --key-file');
    expect(refusal(['attach', 'job-1', '--idempotency-key', 'k'])).toBe('attach does not take --idempotency-key (an option of renew, transfer, replace-nameserver, replace-tech-contact, update-statuses, cancel); attach takes --out, --retries, --url, --api-key, --key-file');
    expect(refusal(['replace-nameserver', '--from', 'a.x', '--to', 'b.x', '--remove', 'clientHold'])).toMatch(/^replace-nameserver does not take --remove \(an option of update-statuses\); /);
    // The command found after an option (`--url X renew`) is read the same way.
    expect(refusal(['--file', 'n.txt', 'transfer', '--add', 'clientHold'])).toMatch(/^transfer does not take --add /);
  });

  it('a gateway URL that is not http(s): refused naming --url or GATEWAY_URL, without its value', () => {
    const secret = 'S3cret-pw';
    expect(refusal(['cancel', 'job-1', '--url', `ftp://u:${secret}@gw/graphql`])).toBe("--url must be the gateway's http:// or https:// GraphQL URL, such as http://127.0.0.1:4000/graphql");
    expect(refusal(['attach', 'job-1'], { GATEWAY_URL: `notaurl${secret}` })).toBe("GATEWAY_URL must be the gateway's http:// or https:// GraphQL URL, such as http://127.0.0.1:4000/graphql");
    expect((parseCli(['attach', '0f5c1a9e-3b7d-4c2a-9e8f-1a2b3c4d5e6f'], { GATEWAY_API_KEY: 'k', GATEWAY_URL: 'https://gw.example/graphql' }) as CliOptions).url).toBe('https://gw.example/graphql');
    expect((parseCli(['attach', '0f5c1a9e-3b7d-4c2a-9e8f-1a2b3c4d5e6f'], { GATEWAY_API_KEY: 'k' }) as CliOptions).url).toBe('http://127.0.0.1:4000/graphql');
  });

  it('an option given twice is refused, never its last value taken (`--period 2y --period 3y` renewed every domain by three years: found by a fresh user); a secret given twice is not quoted', () => {
    expect(refusal(['renew', '--file', 'n.txt', '--period', '2y', '--period', '3y'])).toBe('--period is given more than once: give it once (the last one would have replaced the others without a word)');
    expect(refusal(['renew', '--file=a.txt', '--file', 'b.txt', '--period', '1y'])).toMatch(/^--file is given more than once/);
    const twice = refusal(['attach', '0f5c1a9e-3b7d-4c2a-9e8f-1a2b3c4d5e6f', '--api-key', 'rgw_first-secret', '--api-key', 'rgw_second-secret']);
    expect(twice).toMatch(/^--api-key is given more than once/);
    expect(twice).not.toMatch(/secret/);
    // Options that take several values take them so.
    expect((parseCli(['update-statuses', '--file', 'n.txt', '--add', 'clientHold', '--add', 'clientTransferProhibited'], { GATEWAY_API_KEY: 'k' }) as CliOptions).add).toEqual(['clientHold', 'clientTransferProhibited']);
  });

  it('a misspelt command is named with the closest one', () => {
    expect(refusal(['renw', '--file', 'n.txt'])).toBe('unknown command "renw" (did you mean renew?)');
    expect(refusal(['zzzzzzzz'])).toBe('unknown command "zzzzzzzz"');
  });

  it('a word left over is refused, not ignored', () => {
    expect(refusal(['renew', 'names.txt', '--file', 'n.txt'])).toBe('unexpected argument "names.txt": renew takes options only (--file <file> for a file)');
    expect(refusal(['cancel', 'job-1', 'job-2'])).toBe('unexpected argument "job-2": cancel takes one job id');
  });

  it('a job id that is not a UUID is refused before anything is sent, quoting at most 32 characters', () => {
    expect(refusal(['attach', 'job-1'])).toBe('attach: "job-1" is not a bulk job id (a UUID, as "submitted: job <id>" printed it); nothing was sent');
    expect(refusal(['cancel', 'j'.repeat(40)])).toBe(`cancel: "${'j'.repeat(32)}"… is not a bulk job id (a UUID, as "submitted: job <id>" printed it); nothing was sent`);
    expect((parseCli(['cancel', '0F5C1A9E-3B7D-4C2A-9E8F-1A2B3C4D5E6F'], { GATEWAY_API_KEY: 'k' }) as CliOptions).jobId).toBe('0F5C1A9E-3B7D-4C2A-9E8F-1A2B3C4D5E6F');
  });

  describe('--key-file: the API key kept off the command line (npm echoes it, ps shows it)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rgw-bulk-key-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const keyFile = path.join(dir, 'key.txt');
    writeFileSync(keyFile, 'rgw_from-file  \nsecond line\n', { mode: 0o600 });

    it("reads the key from the file's first line, before GATEWAY_API_KEY, and the attach hint names the file, not the key", () => {
      const o = parseCli(['renew', '--file', 'n.txt', '--key-file', keyFile], { GATEWAY_API_KEY: 'rgw_from-env' }) as CliOptions;
      expect(o.apiKey).toBe('rgw_from-file');
      const hint = attachCommand('job-1', o);
      expect(hint).toBe(`npm run bulk -- attach job-1 --key-file ${keyFile}`);
      expect(hint).not.toContain('rgw_from-file');
    });

    it('a file it cannot read, or an empty first line, is named with the option; both flags at once are refused', () => {
      expect(refusal(['renew', '--file', 'n.txt', '--key-file', path.join(dir, 'nope.txt')])).toBe(`--key-file ${path.join(dir, 'nope.txt')}: no such file`);
      expect(refusal(['renew', '--file', 'n.txt', '--key-file', dir])).toBe(`--key-file ${dir}: is a folder, not a file`);
      const empty = path.join(dir, 'empty.txt');
      writeFileSync(empty, '\nrgw_not-first\n');
      expect(refusal(['renew', '--file', 'n.txt', '--key-file', empty])).toBe(`--key-file ${empty}: its first line is empty (it should hold the API key)`);
      expect(refusal(['renew', '--file', 'n.txt', '--key-file', keyFile, '--api-key', 'rgw_k'])).toBe('give the API key once: --key-file or --api-key, not both');
    });
  });
});
