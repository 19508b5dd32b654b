/**
 * The REPP sandbox's faults that apply a request and hold back its answer (the gateway's bulk
 * tests use them to die or cancel in between), over HTTP with the document's Basic credentials.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ReppSandbox } from '../../../src/sandbox/repp/index.js';

let sandbox: ReppSandbox;
let url: string;
beforeAll(async () => {
  sandbox = new ReppSandbox();
  url = (await sandbox.start()).url;
});
afterAll(() => sandbox?.stop());

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
