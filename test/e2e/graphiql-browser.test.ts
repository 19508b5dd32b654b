/**
 * GraphiQL as a user meets it (issue 11, item 2): a browser opening the URL the gateway prints,
 * `/graphql`, gets the offline GraphiQL page (not Apollo's CDN landing page), compressed and
 * cacheable; in a real headless Chromium, the API key pasted once into the Headers pane loads the
 * schema into the Docs pane, runs a query, serves every tab of the page (the other tabs, new ones,
 * and after a reload the restored ones), and carries a pollMessages subscription that shows an
 * event another client caused. Before the key, every run (a subscription's too) ends saying where
 * the key goes, and so does the Docs pane; with a wrong key, the Docs pane says the gateway's
 * UNAUTHENTICATED message, as a query's answer does. No request may leave the machine.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphiqlIdentityDecompressions, graphiqlPage } from '../../src/http/graphiql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { getRaw as get } from '../helpers/http-get.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
/** Failure bounds for the page's own work (9 MB of GraphiQL to parse on a loaded 2-core machine); nothing waits for time to pass. */
const UI_TIMEOUT = 60_000;

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.intervalMs = 100) });
});
afterAll(() => t?.close());

describe('GraphiQL over HTTP', () => {
  const root = () => t.gateway.url.replace(/graphql$/, '');

  it('a browser opening /graphql, or /, gets the GraphiQL page, compressed, with a validator and a cache lifetime', async () => {
    for (const url of [t.gateway.url, root()]) {
      const res = await get(url, { accept: BROWSER_ACCEPT, 'accept-encoding': 'gzip, deflate, br' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-encoding']).toBe('br');
      expect(res.headers['cache-control']).toBe('public, max-age=3600');
      expect(res.headers.vary).toBe('Accept, Accept-Encoding');
      expect(res.body.length).toBeLessThan(2_500_000);
      expect(brotliDecompressSync(res.body).toString('utf8')).toContain('renderYogaGraphiQL');
      const gzip = await get(url, { accept: BROWSER_ACCEPT, 'accept-encoding': 'gzip' });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzip.body).toString('utf8')).toContain('renderYogaGraphiQL');
      const etag = res.headers.etag!;
      expect(etag).toMatch(/^W\/".+"$/);
      expect(gzip.headers.etag).toBe(etag);
      // A browser's reload: the page is not sent again.
      const again = await get(url, { accept: BROWSER_ACCEPT, 'accept-encoding': 'br', 'if-none-match': etag });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
    }
  });

  it('is self-contained: no script, style or icon from another host', async () => {
    const res = await get(root(), { accept: BROWSER_ACCEPT, 'accept-encoding': 'identity' });
    expect(res.headers['content-encoding']).toBeUndefined();
    const html = res.body.toString('utf8');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=["'](?!data:)/);
    expect(html).not.toMatch(/@import|url\(["']?https?:/);
    expect(html).toContain('graphqlWs');
  });

  it('clients without compression (Accept-Encoding: identity, or none) get the same bytes each time, decompressed once per process, and a 304 on reload', async () => {
    const page = await graphiqlPage();
    const identity = { accept: BROWSER_ACCEPT, 'accept-encoding': 'identity' };
    // Eight at once and one more after, half without Accept-Encoding at all.
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => get(i % 2 ? root() : t.gateway.url, i % 2 ? { accept: BROWSER_ACCEPT } : identity)));
    answers.push(await get(root(), identity));
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.headers.etag).toBe(page.etag);
      expect(Number(res.headers['content-length'])).toBe(page.size);
      expect(res.body.equals(answers[0]!.body)).toBe(true);
    }
    expect(gunzipSync(page.gzip).equals(answers[0]!.body)).toBe(true);
    // A reload with the validator costs nothing either.
    const again = await get(root(), { ...identity, 'if-none-match': page.etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    // One decompression for all of them (and for the test above's identity request), not one per request.
    expect(graphiqlIdentityDecompressions()).toBe(1);
  });

  it('GraphQL clients on /graphql still get GraphQL, never the page or Apollo\'s landing page', async () => {
    const res = await fetch(`${t.gateway.url}?query=${encodeURIComponent('{ viewer { id } }')}`, {
      headers: { accept: 'application/graphql-response+json', authorization: `Bearer ${t.keys.NewRegistrar}`, 'apollo-require-preflight': 'true' },
    });
    expect(res.headers.get('content-type')).toMatch(/json/);
    expect(await res.json()).toEqual({ data: { viewer: { id: 'NewRegistrar' } } });
    const curl = await fetch(t.gateway.url, { headers: { accept: '*/*' } });
    expect(curl.headers.get('content-type')).toMatch(/json/);
    expect(await curl.text()).not.toMatch(/<html|embeddable|sandbox/i);
  });
});

const hasChromium = existsSync(CHROMIUM);
describe.skipIf(!hasChromium)(`GraphiQL in headless Chromium (skipped without ${CHROMIUM}: apt-get install chromium, as .ci/run does)`, () => {
  let browser: Browser;
  let page: Page;
  /** Every request or WebSocket the page tried towards another host (each was refused). */
  const external: string[] = [];
  /** Every answer the page got with 401 (the browser's console shows each as a failed request). */
  const unauthorized: string[] = [];

  const isLocal = (url: string) => {
    const u = new URL(url);
    return !['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) || ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  };

  /** Replaces the whole text of a Monaco editor (GraphiQL's panes) as a user pasting would (typing would auto-close brackets). */
  async function paste(editor: string, text: string) {
    await page.locator(`${editor} .monaco-editor`).first().click();
    await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(text)})`);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('ControlOrMeta+V');
  }
  const response = () => page.locator('.graphiql-response');
  const run = () => page.locator('button.graphiql-execute-button').click();
  /** The Headers pane (its tool tab selected by a test below; GraphiQL keeps the choice across tabs). */
  const headersPane = () => page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)');
  const showHeaders = () => page.getByRole('button', { name: 'Headers', exact: true }).click();
  /** GraphiQL's tab bar: each tab's button, in order. */
  const tab = (i: number) => page.locator('.graphiql-tab .graphiql-tab-button').nth(i);
  const otherTab = () => page.locator('.graphiql-tab:not(.graphiql-tab-active) .graphiql-tab-button').first();
  const newTab = () => page.locator('button[aria-label="New tab"]').click();
  /** The run button as it reads when no run is going on (a run in progress reads "Stop query"). */
  const idle = () => page.locator('button.graphiql-execute-button[aria-label^="Execute query"]');

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Playwright gives each launch a fresh temporary --user-data-dir; without the networking
      // flags Chromium keeps calling home, which on a closed network is a flood of refused connections.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(t.gateway.url).origin });
    await context.route(
      (url) => !isLocal(url.href),
      (route) => {
        external.push(route.request().url());
        return route.abort();
      },
    );
    page = await context.newPage();
    page.on('websocket', (ws) => void (isLocal(ws.url()) || external.push(ws.url())));
    page.on('response', (r) => void (r.status() === 401 && unauthorized.push(r.url())));
    page.setDefaultTimeout(UI_TIMEOUT);
    const res = await page.goto(t.gateway.url);
    expect(res?.status()).toBe(200);
    expect(['gzip', 'br']).toContain((await res!.allHeaders())['content-encoding']);
    await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor();
  }, 3 * UI_TIMEOUT);
  afterAll(() => browser?.close());

  it('before a key is in the Headers pane, the page sends nothing and says where the key goes', async () => {
    await run(); // the page's default query, with the pane's placeholder
    await response().filter({ hasText: 'put it in the Headers pane' }).waitFor();
    expect(unauthorized).toEqual([]); // nor did the schema's fetch on load go out to be refused
  }, 2 * UI_TIMEOUT);

  it('before a key, the Docs pane says where the key goes, not only "Error fetching schema"', async () => {
    await page.locator('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]').click();
    try {
      const error = page.locator('.graphiql-doc-explorer-error');
      await error.filter({ hasText: 'Error fetching schema' }).filter({ hasText: 'no API key yet: put it in the Headers pane' }).waitFor();
    } finally {
      await page.locator('.graphiql-sidebar button[aria-label="Hide Documentation Explorer"]').click(); // as the next tests expect
    }
  }, 2 * UI_TIMEOUT);

  it('a subscription run before a key ends saying where the key goes: the run button is back to Execute', async () => {
    await newTab(); // a tab with an empty result pane: what shows there next is this run's answer
    await paste('.graphiql-query-editor', 'subscription S { pollMessages { id } }');
    await page.keyboard.press('ControlOrMeta+Enter');
    await response().filter({ hasText: 'no API key yet: put it in the Headers pane' }).waitFor();
    await idle().waitFor(); // not "Stop query", waiting on a connection that never opens
    // (the next test's single click after the key is pasted must start a run, not stop this one)
  }, 2 * UI_TIMEOUT);

  it('with the key pasted once in the Headers pane, the Docs pane shows the schema', async () => {
    await showHeaders();
    await paste('.graphiql-editor-tool .graphiql-editor:not(.hidden)', JSON.stringify({ Authorization: `Bearer ${t.keys.NewRegistrar}` }));
    await page.locator('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]').click();
    await page.locator('.graphiql-doc-explorer-type-name', { hasText: /^Query$/ }).first().waitFor();
    await page.locator('.graphiql-doc-explorer-type-name', { hasText: /^Subscription$/ }).first().waitFor();
  }, 2 * UI_TIMEOUT);

  it('a query runs with that key', async () => {
    // Pasted over the named subscription above and run at once: GraphiQL still says "S" (it reads
    // the name 100 ms after an edit); the page runs the pasted query, not "Unknown operation named S".
    await paste('.graphiql-query-editor', '{ viewer { id } }');
    await run();
    await response().filter({ hasText: 'NewRegistrar' }).waitFor();
  }, 2 * UI_TIMEOUT);

  it('the key pasted once serves every tab of the page: the tab opened before it, and a new one, show it and run with it', async () => {
    const key = t.keys.NewRegistrar!;
    await tab(0).click(); // the first tab, whose pane held the placeholder when the key was pasted in the second
    await headersPane().filter({ hasText: key }).waitFor();
    await paste('.graphiql-query-editor', '{ first: viewer { id } }');
    await run();
    await response().filter({ hasText: 'first' }).filter({ hasText: 'NewRegistrar' }).waitFor();

    await newTab();
    await headersPane().filter({ hasText: key }).waitFor();
    await paste('.graphiql-query-editor', '{ opened: viewer { id } }');
    await run();
    await response().filter({ hasText: 'opened' }).filter({ hasText: 'NewRegistrar' }).waitFor();
  }, 3 * UI_TIMEOUT);

  it('a pollMessages subscription started in the page shows the event another client causes', async () => {
    const name = `giql-${randomUUID().slice(0, 8)}.tld`;
    const created = await t.gql(t.keys.NewRegistrar!, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${name}", authInfo: "Tr4nsfer-Pw" }) { name } }`, { k: randomUUID() });
    expect(created.errors).toBeUndefined();
    const events = t.gateway.services.events;
    const before = events.listeners('NewRegistrar');
    await paste('.graphiql-query-editor', `subscription { pollMessages(objects: ["${name}"]) { type objectName transfer { gainingRegistrar } } }`);
    await run();
    // The page's graphql-ws connection is authenticated (connection_init carries the pane's
    // headers) and its subscription listens: only then can a live event reach it.
    await expect.poll(() => events.listeners('NewRegistrar'), { timeout: UI_TIMEOUT, interval: 20 }).toBeGreaterThan(before);

    const transfer = await t.gql(t.keys.TheRegistrar!, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${name}", authInfo: "Tr4nsfer-Pw") { transfer { status } } }`, { k: randomUUID() });
    expect(transfer.errors).toBeUndefined();
    await response().filter({ hasText: 'TRANSFER_REQUESTED' }).filter({ hasText: name }).waitFor();
  }, 3 * UI_TIMEOUT);

  it('the key is never written to the browser\'s storage: after a reload the tabs are back, the key is not', async () => {
    const key = t.keys.NewRegistrar!;
    const stored = () => page.evaluate<string>('JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } })');
    expect(await stored()).toContain('pollMessages'); // GraphiQL does keep the tabs there...
    expect(await stored()).not.toContain(key.slice(4, 20)); // ...but no part of the key
    await page.reload();
    await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor();
    await page.locator('.graphiql-query-editor').filter({ hasText: 'pollMessages' }).first().waitFor();
    await run(); // the tab's subscription again, with the pane back to its placeholder
    await response().filter({ hasText: 'put it in the Headers pane' }).waitFor();
    await idle().waitFor();
    expect(await stored()).not.toContain(key.slice(4, 20));
  }, 3 * UI_TIMEOUT);

  it('after a reload, the key pasted once again serves the tabs restored from before, still without reaching the storage', async () => {
    const key = t.keys.NewRegistrar!;
    await showHeaders();
    await paste('.graphiql-editor-tool .graphiql-editor:not(.hidden)', JSON.stringify({ Authorization: `Bearer ${key}` }));
    await otherTab().click();
    await headersPane().filter({ hasText: key }).waitFor();
    await paste('.graphiql-query-editor', '{ restored: viewer { id } }');
    await run();
    await response().filter({ hasText: 'restored' }).filter({ hasText: 'NewRegistrar' }).waitFor();
    // GraphiQL writes its tab state to the storage a moment after an edit (debounced): wait for the
    // query to be there (the test's timeout if it never is), then look at everything stored.
    await page.waitForFunction("JSON.stringify({ ...localStorage, ...sessionStorage }).includes('restored')");
    const stored = await page.evaluate<string>('JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } })');
    expect(stored).toContain('restored');
    expect(stored).not.toContain(key.slice(4, 20));
  }, 3 * UI_TIMEOUT);

  it('with a wrong key in the Headers pane, the Docs pane says why (UNAUTHENTICATED and its message), not only "Error fetching schema"', async () => {
    // The pane shows the Headers tool since the test above; a changed pane fetches the schema again.
    await paste('.graphiql-editor-tool .graphiql-editor:not(.hidden)', JSON.stringify({ Authorization: 'Bearer rgw_not-a-key' }));
    // Open since a test above (GraphiQL keeps the Docs pane open across a reload), or opened here.
    const show = page.locator('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]');
    const opened = (await show.count()) > 0;
    if (opened) await show.click();
    try {
      const error = page.locator('.graphiql-doc-explorer-error');
      await error.filter({ hasText: 'Error fetching schema' }).filter({ hasText: 'UNAUTHENTICATED: send a valid API key: Authorization: Bearer <key>' }).waitFor();
      expect(await error.textContent()).not.toContain('no API key yet');
      // A query with that key says the same, as it always did.
      await paste('.graphiql-query-editor', '{ wrongKey: viewer { id } }');
      await run();
      await response().filter({ hasText: 'send a valid API key' }).filter({ hasText: 'UNAUTHENTICATED' }).waitFor();
    } finally {
      if (opened) await page.locator('.graphiql-sidebar button[aria-label="Hide Documentation Explorer"]').click();
    }
  }, 3 * UI_TIMEOUT);

  it('nothing was requested from another host', () => {
    expect(external).toEqual([]);
  });
});
