import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

let page: Promise<string> | undefined;

const OPTIONS = {
  title: 'Registry gateway',
  endpoint: '/graphql',
  subscriptionsProtocol: 'WS',
  headers: JSON.stringify({ Authorization: 'Bearer <your API key>' }, null, 2),
  defaultQuery: '# Put your API key in the Headers pane, then run:\nquery {\n  viewer { id name accounts { registry upstreamId tlds } }\n}\n',
};

// Runs in a worker: the renderer module holds ~45 MiB of inlined editor code, which would
// otherwise stay in the gateway's heap for good. The worker exits once the page is rendered.
const RENDER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then((m) => parentPort.postMessage(m.renderGraphiQL(workerData.options)));
`;

/**
 * A self-contained GraphiQL page (no CDN): editor, workers and styles are inlined, so it works
 * on networks that cannot reach the internet. Queries go over HTTP, subscriptions over
 * graphql-ws on the same path. Paste the API key into the headers pane. Rendered once, on the
 * first request.
 */
export function graphiqlPage(): Promise<string> {
  page ??= new Promise<string>((resolve, reject) => {
    const module = pathToFileURL(createRequire(import.meta.url).resolve('@graphql-yoga/render-graphiql')).href;
    const worker = new Worker(RENDER, { eval: true, workerData: { module, options: OPTIONS } });
    worker.once('message', (html: string) => {
      resolve(html);
      void worker.terminate();
    });
    worker.once('error', (err) => {
      page = undefined;
      reject(err);
    });
  });
  return page;
}
