/**
 * The bulk CLI's CSV writer: a file it cannot write is a rejected promise with the file system's
 * error, which the CLI reports in one line with the attach command, never an unhandled stream
 * error (that crashed the CLI with a stack trace at the end of a job).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCsv, type CsvItem } from '../../../src/bulk/cli/csv.js';

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
