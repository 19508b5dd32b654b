/**
 * The GraphiQL page's HTML, with placeholders (`<!--piece:NAME-->`) for the large inlined parts
 * that only the build worker loads (src/http/graphiql.ts): GraphiQL 5 as bundled by
 * @graphql-yoga/render-graphiql (`css`, `js`, the Monaco workers, `favicon`) and graphql-ws's
 * browser build (`graphqlWs`, the same protocol library the gateway serves). Nothing is loaded
 * from another host.
 */

/**
 * What the page starts with; the headers pane is where the user pastes the API key, once per page.
 * `shouldPersistHeaders: false` (GraphiQL's own default, which yoga's build turns on): GraphiQL
 * keeps its tabs (queries, variables) in the browser's localStorage, and with headers persisted
 * the API key would stay there, readable by any script on the origin and by whoever uses the
 * browser next, after the tab is closed. Without it the key lives only in the open page.
 */
export const GRAPHIQL_OPTIONS = {
  title: 'Registry gateway',
  headers: JSON.stringify({ Authorization: 'Bearer <your API key>' }, null, 2),
  shouldPersistHeaders: false,
  defaultQuery:
    '# Put your API key in the Headers pane (below), then run:\nquery {\n  viewer { id name accounts { registry upstreamId tlds } }\n}\n',
};

/**
 * The page's own fetcher, run in the browser. GraphiQL calls it with the parsed headers pane for
 * every request: queries, mutations and the schema introspection go over HTTP POST to the
 * endpoint with those headers; a subscription opens a graphql-ws (graphql-transport-ws) connection
 * whose connection_init payload is those same headers, so the key entered once reaches the
 * server on both transports. Connection failures are shown as GraphQL errors with the close code
 * and reason (4403 Forbidden: a missing or wrong key). When the headers pane changes, the schema is
 * fetched again with the new headers (GraphiQL would otherwise keep "Error fetching schema").
 * While the pane holds no key (no Authorization header, or still the placeholder), nothing is sent:
 * every request, the schema's on load included, answers at once where the key goes (the server
 * would answer 401, which the browser's console shows as failed requests), as a settled Promise even
 * for a subscription: GraphiQL subscribes to a returned Observable and only then records it as the
 * running one, so an Observable that completes inside subscribe() would leave the run button on
 * "Stop query" for good. The Docs pane, which says only "Error fetching schema" whatever the cause,
 * gets the cause under it: that same sentence when the schema was not fetched for want of a key,
 * the gateway's first error (`UNAUTHENTICATED: send a valid API key ...` for a wrong or revoked
 * key) when it refused the fetch, or that the gateway did not answer.
 *
 * The key given once serves every tab: GraphiQL keeps headers per tab and opens a new tab (or one
 * restored from a previous visit, whose headers were not stored) with the placeholder; when the page
 * switches to a tab whose pane holds no key, it puts there the last headers that held one (kept in
 * this script's memory only, never in the browser's storage). It writes through the Monaco API
 * GraphiQL 5 exposes as `globalThis.__MONACO` (GraphiQL's store, with its header editor, is not
 * reachable from outside its React tree); the browser test fails if a GraphiQL upgrade drops it.
 */
const BROWSER_SCRIPT = String.raw`
(function () {
  var endpoint = new URL(ENDPOINT, location.href);
  var wsEndpoint = new URL(endpoint);
  wsEndpoint.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

  // Which operation runs is read from the text GraphiQL sends, not from its documentAST: that one can
  // be stale (after a query ran, a subscription pasted and run at once came with the query's AST,
  // went over HTTP and was refused 400) or missing. Strings, block strings and comments are blanked,
  // and a keyword counts only outside every brace and parenthesis (the document's top level).
  // Its operationName can be stale the same way (GraphiQL reads it from the text 100 ms after an
  // edit): a document pasted over one whose operation was named S and run at once came with
  // operationName S, which the server refused ("Unknown operation named"). A name the text does
  // not have gives way to the text's operation when it has only one.
  function operationsOfText(query) {
    var s = String(query || '').replace(/"""[\s\S]*?"""/g, '""').replace(/"(?:\\.|[^"\\\n])*"/g, '""').replace(/#[^\n\r]*/g, '');
    var re = /[{}()]|\b(query|mutation|subscription|fragment)\b(?:\s+([_A-Za-z][_0-9A-Za-z]*))?/g;
    var ops = [], braces = 0, parens = 0, named = false, m;
    while ((m = re.exec(s))) {
      if (m[0] === '(') parens++;
      else if (m[0] === ')') parens = Math.max(0, parens - 1);
      else if (parens > 0) continue;
      else if (m[0] === '{') { if (braces === 0 && !named) ops.push({ operation: 'query', name: null }); braces++; }
      else if (m[0] === '}') { braces = Math.max(0, braces - 1); if (braces === 0) named = false; }
      else if (braces === 0) { named = true; if (m[1] !== 'fragment') ops.push({ operation: m[1], name: m[2] || null }); }
    }
    return ops;
  }

  function operationOf(params) {
    var ops = operationsOfText(params.query);
    if (!params.operationName) return ops[0] || null;
    return ops.find(function (d) { return d.name === params.operationName; }) || (ops.length === 1 ? ops[0] : null);
  }

  function asErrors(err) {
    if (Array.isArray(err)) return err;
    if (err && typeof err.code === 'number') {
      return [{ message: 'the connection closed: ' + err.code + (err.reason ? ' ' + err.reason : '') + (err.code === 4403 ? ' (send a valid API key in the Headers pane: {"Authorization": "Bearer <key>"})' : '') }];
    }
    return [{ message: (err && err.message) || 'the connection to ' + wsEndpoint.href + ' failed' }];
  }

  function subscribe(params, headers) {
    return {
      subscribe: function (observer) {
        var client = graphqlWs.createClient({ url: wsEndpoint.href, connectionParams: headers, retryAttempts: 0, lazy: true });
        var done = false;
        var finish = function () { if (!done) { done = true; observer.complete(); client.dispose(); } };
        var stop = client.subscribe(
          { query: params.query, variables: params.variables || undefined, operationName: params.operationName || undefined },
          {
            next: function (value) { observer.next(value); },
            error: function (err) { observer.next({ errors: asErrors(err) }); finish(); },
            complete: finish,
          },
        );
        return { unsubscribe: function () { done = true; stop(); client.dispose(); } };
      },
    };
  }

  var NO_KEY_MESSAGE = 'no API key yet: put it in the Headers pane as {"Authorization": "Bearer <key>"} (npm start prints one for each sandbox registrar)';
  function hasKey(headers) {
    var name = Object.keys(headers).find(function (h) { return h.toLowerCase() === 'authorization'; });
    var value = name ? String(headers[name]) : '';
    return /\S/.test(value.replace(/^\s*Bearer\s*/i, '')) && value.indexOf('<your API key>') < 0;
  }
  function parseHeaders(text) {
    try {
      var headers = JSON.parse(text || '{}');
      return headers && typeof headers === 'object' && !Array.isArray(headers) ? headers : null;
    } catch (e) { return null; }
  }

  // Why the last schema fetch (GraphiQL names it IntrospectionQuery) failed, said under GraphiQL's
  // "Error fetching schema": where the key goes when the pane held none, else the gateway's first
  // error as a query's answer shows it (a wrong or revoked key: UNAUTHENTICATED and its message);
  // null once a fetch answered the schema. Only the latest fetch sets it (the pane may change twice).
  var schemaError = null;
  var schemaFetches = 0;
  function errorText(e) {
    return (e && e.extensions && e.extensions.code ? e.extensions.code + ': ' : '') + ((e && e.message) || 'no message');
  }
  function fetcher(params, opts) {
    var headers = (opts && opts.headers) || {};
    var op = operationOf(params);
    if (op && params.operationName && op.name !== params.operationName) params = Object.assign({}, params, { operationName: op.name || undefined });
    var schemaFetch = params.operationName === 'IntrospectionQuery' && /\b__schema\b/.test(params.query) ? ++schemaFetches : 0;
    var settle = function (why) { if (schemaFetch && schemaFetch === schemaFetches) { schemaError = why; showSchemaError(); } };
    // A Promise even for a subscription: see the comment above BROWSER_SCRIPT.
    if (!hasKey(headers)) {
      settle(NO_KEY_MESSAGE);
      return Promise.resolve({ errors: [{ message: NO_KEY_MESSAGE }] });
    }
    if (op && op.operation === 'subscription') return subscribe(params, headers);
    return fetch(endpoint, {
      method: 'POST',
      headers: Object.assign({ 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' }, headers),
      body: JSON.stringify(params),
    }).then(function (res) { return res.json(); }).then(
      function (body) {
        settle(body && !body.data && body.errors && body.errors.length ? errorText(body.errors[0]) : null);
        return body;
      },
      function (err) {
        settle('the gateway at ' + endpoint.href + ' did not answer: ' + ((err && err.message) || err));
        throw err;
      },
    );
  }

  // The last headers text that held a key: what a tab without one gets (memory only, see above).
  var keyedHeaders = null;
  var introspectedWith = null;
  var refetch = null;
  function onEditHeaders(text) {
    var headers = parseHeaders(text);
    if (!headers) return;
    if (hasKey(headers)) keyedHeaders = text;
    var normalized = JSON.stringify(headers);
    if (normalized === introspectedWith) return;
    clearTimeout(refetch);
    refetch = setTimeout(function () {
      var button = document.querySelector('.graphiql-sidebar button[aria-label^="Re-fetch GraphQL schema"]');
      if (!button) return;
      introspectedWith = normalized;
      button.click();
    }, 300);
  }

  // GraphiQL calls onTabChange from inside its state update, after loading the tab's values into
  // the editors, and also for every edit (then with the same tab): only a switch to another tab
  // fills its pane, so a pane the user empties stays empty. The fill runs once GraphiQL's update is done.
  var activeTab = null;
  function onTabChange(state) {
    var tab = state.tabs[state.activeTabIndex];
    if (!tab || tab.id === activeTab) return;
    activeTab = tab.id;
    if (keyedHeaders === null) return;
    Promise.resolve().then(function () {
      var monaco = globalThis.__MONACO;
      var model = monaco && monaco.editor.getModels().find(function (m) { return /request-headers\.json$/.test(m.uri.path); });
      if (!model || activeTab !== tab.id) return;
      var shown = parseHeaders(model.getValue());
      if (shown && !hasKey(shown)) model.setValue(keyedHeaders);
    });
  }

  var root = document.querySelector('#root');
  // Puts schemaError under the Docs pane's "Error fetching schema" box, when both are there: as
  // GraphiQL renders the box (the observer below), and when the reason changes under a box shown already.
  function showSchemaError() {
    var box = root.querySelector('.graphiql-doc-explorer-error');
    if (!box || !/Error fetching schema/.test(box.textContent)) return;
    var hint = box.querySelector('.rgw-schema-error');
    if (!schemaError) { if (hint) hint.remove(); return; }
    if (hint && hint.textContent === schemaError) return;
    if (!hint) {
      hint = document.createElement('p');
      hint.className = 'rgw-schema-error';
      box.appendChild(hint); // inside GraphiQL's box: it goes when the box does
    }
    hint.textContent = schemaError;
  }
  new MutationObserver(showSchemaError).observe(root, { childList: true, subtree: true });

  YogaGraphiQL.renderYogaGraphiQL(root, Object.assign(OPTIONS, { fetcher: fetcher, onEditHeaders: onEditHeaders, onTabChange: onTabChange }));
})();
`;

/**
 * The page with `<!--piece:NAME-->` placeholders for css, favicon, js, graphqlWs and the three
 * Monaco workers (as JSON strings). `endpoint` is the GraphQL path (HTTP and graphql-ws).
 */
export function graphiqlTemplate(endpoint: string): string {
  const script = BROWSER_SCRIPT.replace('ENDPOINT', () => JSON.stringify(endpoint)).replace('OPTIONS', () => JSON.stringify(GRAPHIQL_OPTIONS));
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${GRAPHIQL_OPTIONS.title} · GraphiQL</title>
    <link rel="icon" href="<!--piece:favicon-->" />
    <style><!--piece:css--></style>
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root"></div>
    <script><!--piece:graphqlWs--></script>
    <script>
      (function () {
        function blob(source) {
          return URL.createObjectURL(new Blob([source], { type: 'application/javascript' }));
        }
        var workers = {
          editorWorkerService: blob(<!--piece:editorWorkerService-->),
          json: blob(<!--piece:jsonWorker-->),
          graphql: blob(<!--piece:graphqlWorker-->),
        };
        self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: function (_id, label) { return workers[label]; } };
      })();
    </script>
    <script><!--piece:js--></script>
    <script>${script}</script>
  </body>
</html>
`;
}
