/** The evidence archive: markdown and JSON twin with the same facts, its SHA-256, and no token in any file. */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { writeArchive, type ArchiveFacts } from '../../../src/ote/archive.js';
import { maskSecretFields } from '../../../src/ote/client.js';

const facts = (extra: unknown = null): ArchiveFacts => ({
  runId: 'r1',
  startedAt: '2026-06-11T10:00:00Z',
  finishedAt: '2026-06-11T10:01:00Z',
  gateway: 'http://127.0.0.1:4000/graphql',
  registry: 'hd',
  registrar: 'acme',
  outcome: 'passed',
  operator: { clientName: 'console', supportContact: null },
  status: { registrar_channel: { id: 'chn_acme' }, namespace_listings: [{ tld: 'hdtest', status: 'approved' }] },
  steps: [{ n: 1, name: 'status', title: 'GET /status', ok: true, exchanges: [], facts: { extra } }],
  tokenCheck: '',
});

describe('OT&E evidence archive', () => {
  test('markdown with its SHA-256 beside it, a JSON twin, the empty operator items listed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arch-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const r = writeArchive(dir, facts(), []);
    const md = readFileSync(r.md);
    expect(r.sha256).toBe(createHash('sha256').update(md).digest('hex'));
    expect(readFileSync(`${r.md}.sha256`, 'utf8')).toBe(`${r.sha256}  evidence-archive.md\n`);
    expect(md.toString()).toContain('| registrar channel | chn_acme |');
    expect(md.toString()).toContain('Evidence left empty (give the flags): support escalation contact (--support-contact)');
    expect(JSON.parse(readFileSync(r.json, 'utf8'))).toMatchObject({ runId: 'r1', registrar: 'acme', operator: { clientName: 'console' } });
  });

  test('a file holding the API key or a token-shaped value is deleted and the run refused', () => {
    for (const [leak, secrets] of [
      ['rgw_secretkeyvalue_0123456789', ['rgw_secretkeyvalue_0123456789']],
      ['hdk_AAAAAAAAAAAAAAAAAAAAAAAA', []],
      ['Authorization: Bearer abcdefgh12345', []],
    ] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'arch-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
      expect(() => writeArchive(dir, facts(leak), [...secrets])).toThrow(/refusing to keep the archive/);
      expect(existsSync(join(dir, 'evidence-archive.md'))).toBe(false);
      expect(existsSync(join(dir, 'evidence-archive.json'))).toBe(false);
    }
  });

  test('auth info values are masked in recorded answers', () => {
    expect(maskSecretFields({ data: { sandboxReset: { transferAuthInfo: 'abc123xyz', fixtures: [{ authInfo: 'q1w2e3r4' }] } } })).toEqual({ data: { sandboxReset: { transferAuthInfo: '****', fixtures: [{ authInfo: '****' }] } } });
  });
});
