/**
 * What a refused domain name's error quotes, over HTTP and graphql-ws: the name as sent, at most
 * 32 characters, a label named by its position (never quoted lower-cased or mapped, up to 63
 * characters, as the IDNA library's messages did); and nothing of a name that the request also
 * uses as its auth code, in any letter case (a bidi refusal quoted "MyS3cret..." as "mys3cret...",
 * which the masking of secrets missed).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { wsOnce } from '../helpers/ws.js';

type Answer = { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };

describe('domain name refusals quote little, and no secret', () => {
  let t: TestGateway;
  let A: string;
  beforeAll(async () => {
    t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
    A = t.keys.NewRegistrar!;
  });
  afterAll(() => t?.close());

  const post = async (query: string, variables?: Record<string, unknown>): Promise<Answer> => {
    const res = await fetch(t.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${A}` }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as Answer;
  };
  const both = async (query: string, variables?: Record<string, unknown>): Promise<Answer[]> => [await post(query, variables), (await wsOnce(t.gateway.wsUrl, A, query, variables)) as Answer];
  const longestRun = (text: string, ch: string) => Math.max(0, ...(text.match(new RegExp(`${ch}+`, 'gi')) ?? []).map((m) => m.length));

  it('checkDomains quotes at most 32 characters of a name refused by a bidi rule, naming the label', async () => {
    for (const r of await both(`{ checkDomains(names: ["ok.example", "${'a'.repeat(40)}א.example"]) { name } }`)) {
      const e = r.errors![0]!;
      expect(e.extensions?.code).toBe('BAD_USER_INPUT');
      expect(e.extensions?.field).toBe('names[1]');
      expect(e.message).toContain('label 1 breaks rule #5');
      expect(longestRun(e.message, 'a')).toBe(32);
      expect(r.data ?? null).toBeNull();
    }
  });

  describe('a name that is also the auth code is shown in no case', () => {
    // Rules #5 (an LTR label with an R character), #1 (a label starting with a digit) and #2 (an RTL label with L characters) of RFC 5893.
    const secrets = [
      `MyS3cretAuthCode${randomUUID().slice(0, 8)}XYZא.example`,
      `9MyS3cretAuthCode${randomUUID().slice(0, 8)}.א.example`,
      `אMyS3cretAuthCode${randomUUID().slice(0, 8)}.example`,
    ];
    const shows = (text: string, secret: string) => {
      const lower = text.toLowerCase();
      const core = secret.replace(/[^A-Za-z0-9]/g, '').slice(0, 24).toLowerCase();
      // Any 8 characters of the secret's letters and digits, in any case.
      for (let i = 0; i + 8 <= core.length; i++) if (lower.includes(core.slice(i, i + 8))) return true;
      return false;
    };
    it.each(secrets)('domain(name: $n, authInfo: $n) with %j', async (secret) => {
      for (const r of await both('query($n: String!) { domain(name: $n, authInfo: $n) { name } }', { n: secret })) {
        expect(r.errors?.length).toBeGreaterThan(0);
        expect(r.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
        expect(r.errors![0]!.message).toContain('(a secret: not shown)');
        expect(shows(JSON.stringify(r), secret)).toBe(false);
      }
    });
    it.each(secrets)('requestTransfer(domainName: $n, authInfo: $n) with %j', async (secret) => {
      const q = 'mutation($n: String!, $k: String!) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: $n) { transfer { status } } }';
      for (const r of await both(q, { n: secret, k: randomUUID() })) {
        expect(r.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
        expect(r.errors![0]!.extensions?.field).toBe('domainName');
        expect(shows(JSON.stringify(r), secret)).toBe(false);
      }
    });
  });
});
