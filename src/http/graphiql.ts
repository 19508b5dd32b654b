import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { runInWorker } from '../worker.js';

let page: Promise<string> | undefined;

const OPTIONS = {
  title: 'Registry gateway',
  endpoint: '/graphql',
  subscriptionsProtocol: 'WS',
  headers: JSON.stringify({ Authorization: 'Bearer <your API key>' }, null, 2),
  defaultQuery: '# Put your API key in the Headers pane, then run:\nquery {\n  viewer { id name accounts { registry upstreamId tlds } }\n}\n',
};

/**
 * A self-contained GraphiQL page (no CDN): editor, workers and styles are inlined, so it works
 * on networks that cannot reach the internet. Queries go over HTTP, subscriptions over
 * graphql-ws on the same path. Paste the API key into the headers pane. Rendered once, on the
 * first request.
 */
export function graphiqlPage(): Promise<string> {
  page ??= render().catch((err: unknown) => {
    page = undefined; // try again on the next request
    throw err;
  });
  return page;
}

/** In a worker: the renderer module holds ~45 MiB of inlined editor code, which would otherwise stay in the gateway's heap for good. */
function render(): Promise<string> {
  const module = pathToFileURL(createRequire(import.meta.url).resolve('@graphql-yoga/render-graphiql')).href;
  return runInWorker<string>('import(workerData.module).then((m) => m.renderGraphiQL(workerData.options))', { module, options: OPTIONS }, 'rendering GraphiQL');
}
