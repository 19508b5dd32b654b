/**
 * The REPP sandbox's faults that apply a request and hold back its answer (the gateway's bulk
 * tests use them to die or cancel in between), over HTTP with the document's Basic credentials.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { ReppSandbox } from '../../../src/sandbox/repp/index.js';

let sandbox: ReppSandbox;
let url: string;
beforeAll(async () => {
  sandbox = new ReppSandbox();
  url = (await sandbox.start()).url;
});
afterAll(() => sandbox?.stop());
beforeEach(() => sandbox.reset());

const renew = () =>
  fetch(`${url}/repp/v1/domains/renew/bulk`, {
    method: 'POST',
    headers: { authorization: 'Basic dGVzdDp0ZXN0MTIz', 'content-type': 'application/json' },
    body: JSON.stringify({ domains: ['kass.ee'], renew_period: '1y' }),
  });

it('hold-after-apply applies the request and answers only on release()', async () => {
  const before = new Date(sandbox.domain('kass.ee')!.expireTime).getUTCFullYear();
  sandbox.faults.next({ route: 'bulk:renew', action: 'hold-after-apply' });
  let answered = false;
  const pending = renew().then((r) => {
    answered = true;
    return r;
  });
  while (sandbox.applied('bulk:renew') === 0) await new Promise((r) => setTimeout(r, 5));
  expect(new Date(sandbox.domain('kass.ee')!.expireTime).getUTCFullYear()).toBe(before + 1);
  expect(answered).toBe(false);
  sandbox.faults.release();
  const res = await pending;
  expect(res.status).toBe(200);
  expect(((await res.json()) as { data: unknown }).data).toEqual({ updated_domains: ['kass.ee'] });
});

it('delay-after-apply applies the request and answers later', async () => {
  sandbox.faults.next({ route: 'bulk:renew', action: 'delay-after-apply', delayMs: 50 });
  const applied = sandbox.applied('bulk:renew');
  const res = await renew();
  expect(res.status).toBe(200);
  expect(sandbox.applied('bulk:renew')).toBe(applied + 1);
});

const post = (path: string, body: string) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { authorization: 'Basic dGVzdDp0ZXN0MTIz', 'content-type': 'application/json' }, body });

it('a status fault is not used up by a request with unreadable JSON (2001): the next request to the route gets it', async () => {
  sandbox.faults.next({ route: 'bulk:renew', action: 'status', status: 503, retryAfterSeconds: 7 });
  const bad = await post('/repp/v1/domains/renew/bulk', '{"domains":');
  expect([bad.status, ((await bad.json()) as { code: number }).code]).toEqual([400, 2001]);
  const next = await renew();
  expect([next.status, next.headers.get('retry-after')]).toEqual([503, '7']);
  await next.text();
  expect((await renew()).status).toBe(200); // fired once
});

it('an after-apply fault is not used up by a request the registry refuses: the next applied request gets it', async () => {
  sandbox.faults.next({ route: 'bulk:renew', action: 'error-after-apply' });
  const refused = await post('/repp/v1/domains/renew/bulk', JSON.stringify({ domains: ['kass.ee'], renew_period: '5w' }));
  expect([refused.status, ((await refused.json()) as { code: number }).code]).toEqual([400, 2005]);
  const applied = sandbox.applied('bulk:renew');
  const next = await renew();
  expect(next.status).toBe(500);
  await next.text();
  expect(sandbox.applied('bulk:renew')).toBe(applied + 1);
  expect((await renew()).status).toBe(200);
});

it.each([
  ['hold-after-apply', { route: 'bulk:renew', action: 'hold-after-apply' }],
  ['delay-after-apply (an hour)', { route: 'bulk:renew', action: 'delay-after-apply', delayMs: 3_600_000 }],
] as const)('%s stops holding the answer once the client closes the connection', async (_, fault) => {
  sandbox.faults.next(fault);
  const client = new AbortController();
  const pending = fetch(`${url}/repp/v1/domains/renew/bulk`, {
    method: 'POST',
    headers: { authorization: 'Basic dGVzdDp0ZXN0MTIz', 'content-type': 'application/json' },
    body: JSON.stringify({ domains: ['kass.ee'], renew_period: '1y' }),
    signal: client.signal,
  }).catch((e: Error) => e.name);
  while (sandbox.applied('bulk:renew') === 0) await new Promise((r) => setTimeout(r, 5));
  expect(sandbox.answersHeld()).toBe(1);
  client.abort();
  expect(await pending).toBe('AbortError');
  while (sandbox.answersHeld() > 0) await new Promise((r) => setTimeout(r, 5)); // without the fix: held until release() / the hour is up
  expect(sandbox.answersHeld()).toBe(0);
});

it("a status fault's Retry-After can be an HTTP date that many seconds after the sandbox's clock", async () => {
  const clock = new FakeClock('2031-03-04T05:06:00Z');
  const dated = new ReppSandbox({ clock });
  const at = (await dated.start()).url;
  try {
    dated.faults.next({ route: 'bulk:renew', action: 'status', status: 429, retryAfterSeconds: 3, retryAfterAs: 'http-date' });
    dated.faults.next({ route: 'bulk:renew', action: 'status', status: 503, retryAfterSeconds: 60, retryAfterAs: 'http-date' });
    const send = () => fetch(`${at}/repp/v1/domains/renew/bulk`, { method: 'POST', headers: { authorization: 'Basic dGVzdDp0ZXN0MTIz', 'content-type': 'application/json' }, body: '{"domains":["kass.ee"],"renew_period":"1y"}' });
    const tooMany = await send();
    expect([tooMany.status, tooMany.headers.get('retry-after')]).toEqual([429, 'Tue, 04 Mar 2031 05:06:03 GMT']);
    await tooMany.text();
    const down = await send();
    expect([down.status, down.headers.get('retry-after')]).toEqual([503, 'Tue, 04 Mar 2031 05:07:00 GMT']);
    await down.text();
  } finally {
    await dated.stop();
  }
});
