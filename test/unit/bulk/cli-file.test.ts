/**
 * The bulk CLI's input files are CSV (RFC 4180): a quoted field loses its quotes (a transfer line
 * `example.tld,"abc123"` sent the auth code with its quotes, which the registry refused), doubled
 * quotes are one, commas and line breaks inside quotes belong to the field; the lines the CLI
 * always took (unquoted, comments, blank lines, CRLF) read as before. A line it cannot read is
 * named by file and line, and its text, which may hold an auth code, is never in the message.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLines } from '../../../src/bulk/cli/args.js';
import { runBulkCli } from '../../../src/bulk/cli/cli.js';

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-cli-file-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

let n = 0;
async function file(text: string): Promise<string> {
  const f = path.join(dir, `f${n++}.txt`);
  await writeFile(f, text);
  return f;
}

describe('readLines', () => {
  it('takes quoted fields without their quotes, "" as one quote, commas and line breaks inside quotes; unquoted lines as before', async () => {
    const f = await file('a.tld,"abc123"\r\n"b.tld" , "x,""y""-1"\nc.tld,"two\nlines"\n  "d.tld"  ,plain"quote\ne.tld,Pw#1-x\n');
    expect(readLines(f, 'transfer')).toEqual([
      ['a.tld', 'abc123', 1],
      ['b.tld', 'x,"y"-1', 2],
      ['c.tld', 'two\nlines', 3],
      ['d.tld', 'plain"quote', 5],
      ['e.tld', 'Pw#1-x', 6], // a # inside a line is text, not a comment
    ]);
    // What the CLI always took: unquoted fields trimmed, # and blank lines skipped, CRLF, a byte order mark.
    const g = await file('\ufeff# portfolio\r\n\r\n one.tld , 2027-01-01T00:00:00Z \r\n   \ntwo.tld\r\n#three.tld\nfour.tld,');
    expect(readLines(g, 'renew')).toEqual([
      ['one.tld', '2027-01-01T00:00:00Z', 3],
      ['two.tld', undefined, 5],
      ['four.tld', '', 7],
    ]);
  });

  it('refuses a line it cannot read, naming the file and line and never the auth code, with the code and field the gateway would name', async () => {
    // As the gateway's refusals print (`BAD_USER_INPUT (domains[3].authInfo): ...`): before, the file and line only.
    const cases: Array<[string, string, RegExp]> = [
      ['a.tld,ok-code-1\nb.tld,"Secret-Pw-1\n', 'domains[1].authInfo', /line 2: a quoted field is not closed/],
      ['# header\n\na.tld,ok-code-1\n"b.tld\n', 'domains[1].name', /line 4: a quoted field is not closed/],
      ['a.tld,"Secret-Pw-1"x\n', 'domains[0].authInfo', /line 1: text after the closing " of a quoted field/],
      ['# header\n"a.tld,Secret-Pw-1"\n', 'domains[0].name', /line 2: the domain name holds a comma/],
      ['a.tld,ok-code-1\na.tld,Secret,Pw-1\n', 'domains[1]', /line 2: 3 fields \(lines are name,authCode; a field holding a comma is written in quotes/],
      ['a.tld Secret-Pw-1\n', 'domains[0].authInfo', /line 1: no authCode after the domain name/],
      ['# x\nz.tld,ok-code-1\n\na.tld;Secret-Pw-1\n', 'domains[1].authInfo', /line 4: no authCode after the domain name/],
    ];
    for (const [text, field, message] of cases) {
      const f = await file(text);
      let err: (Error & { code?: string; field?: string }) | undefined;
      try {
        readLines(f, 'transfer');
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message, text).toMatch(message);
      expect(err!.message.startsWith(`BAD_USER_INPUT (${field}): ${f} line `), err!.message).toBe(true);
      expect([err!.code, err!.field]).toEqual(['BAD_USER_INPUT', field]);
      expect(err!.message).not.toContain('Secret');
      expect(err!.message).not.toContain('Pw-1');
    }
  });

  it("names the field a renew line's date would become, and a name-only command's line as domains[i]", async () => {
    const renew = await file('a.tld,2030-12-02\n# x\nb.tld,2027-02-30\n');
    expect(() => readLines(renew, 'renew')).toThrow(`BAD_USER_INPUT (domains[1].currentExpiry): ${renew} line 3: currentExpiry "2027-02-30" is not a date the calendar has`);
    const names = await file('a.tld\n"b.tld\n');
    expect(() => readLines(names, 'update-statuses')).toThrow(`BAD_USER_INPUT (domains[1]): ${names} line 2: a quoted field is not closed`);
  });
});

describe('--file that cannot be read', () => {
  it('names the option and the path (it was a bare "ENOENT: no such file or directory, open ..."), before anything is sent', async () => {
    const missing = path.join(dir, 'x', 'nope.txt');
    const printed: string[] = [];
    const io = { out: (s: string) => void printed.push(s), err: (s: string) => void printed.push(s), tty: false };
    // Port 9 (discard) answers nothing: a request sent would end in "cannot reach the gateway".
    const argv = (command: string, file: string) => [command, '--file', file, '--api-key', 'rgw_test', '--url', 'http://127.0.0.1:9/graphql', '--out', path.join(dir, 'out.csv')];
    await expect(runBulkCli(argv('renew', missing), {}, io)).rejects.toThrow(new Error(`--file ${missing}: no such file`));
    await expect(runBulkCli(argv('transfer', missing), {}, io)).rejects.toThrow(new Error(`--file ${missing}: no such file`));
    await expect(runBulkCli(argv('update-statuses', dir), {}, io)).rejects.toThrow(new Error(`--file ${dir}: is a folder, not a file`));
    expect(printed).toEqual([]);
  });
});

describe('--file that is not UTF-8 text', () => {
  it('a UTF-16 file, a NUL byte, or a Latin-1 byte is refused as such, naming the line and byte, never echoing the text, before anything is sent (found by a fresh user)', async () => {
    const printed: string[] = [];
    const io = { out: (s: string) => void printed.push(s), err: (s: string) => void printed.push(s), tty: false };
    const argv = (f: string) => ['transfer', '--file', f, '--api-key', 'rgw_test', '--url', 'http://127.0.0.1:9/graphql', '--out', path.join(dir, 'out.csv')];
    const bytes = async (b: Buffer) => {
      const f = path.join(dir, `b${n++}.txt`);
      await writeFile(f, b);
      return f;
    };
    // Windows' "Unicode text": UTF-16LE with its byte order mark; and without one.
    const utf16 = await bytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a.example,Secret-Code-1\r\n', 'utf16le')]));
    await expect(runBulkCli(argv(utf16), {}, io)).rejects.toThrow(new Error(`--file ${utf16}: the file is UTF-16 (its byte order mark says so); save it as UTF-8 (nothing was sent)`));
    const bare16 = await bytes(Buffer.from('a.example,Secret-Code-1\n', 'utf16le'));
    await expect(runBulkCli(argv(bare16), {}, io)).rejects.toThrow(new Error(`--file ${bare16}: the file holds NUL bytes: it is UTF-16 or not text; save it as UTF-8 (nothing was sent)`));
    // A Windows-1252 export: "é" as the one byte 0xE9 on line 2, column 3.
    const latin1 = await bytes(Buffer.concat([Buffer.from('a.example,Code-1\nb'), Buffer.from([0x63, 0xe9]), Buffer.from('.example,Secret-Code-2\n')]));
    await expect(runBulkCli(argv(latin1), {}, io)).rejects.toThrow(new Error(`--file ${latin1}: line 2 is not UTF-8 text (byte 0xE9 at column 3); save it as UTF-8 (nothing was sent)`));
    expect(printed).toEqual([]);
    // UTF-8 with its byte order mark still reads (the BOM is skipped as before).
    expect(readLines(await file('\uFEFFbücher.example\n'), 'renew').map((l) => l[0])).toEqual(['bücher.example']);
  });
});

