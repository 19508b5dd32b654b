import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

let cached: string | undefined;

/**
 * A self-contained GraphiQL page (no CDN): editor, workers and styles are inlined, so it works
 * on networks that cannot reach the internet. Queries go over HTTP, subscriptions over
 * graphql-ws on the same path. Paste the API key into the headers pane.
 */
export function graphiqlPage(): string {
  cached ??= renderGraphiQL({
    title: 'Registry gateway',
    endpoint: '/graphql',
    subscriptionsProtocol: 'WS',
    headers: JSON.stringify({ Authorization: 'Bearer <your API key>' }, null, 2),
    defaultQuery: '# Put your API key in the Headers pane, then run:\nquery {\n  viewer { id name accounts { registry upstreamId tlds } }\n}\n',
  });
  return cached;
}
