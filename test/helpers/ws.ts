import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestGateway } from './gateway.js';

/** One operation over graphql-ws: its first result, or the errors it was refused with. */
export async function wsOnce(url: string, key: string, query: string, variables?: Record<string, unknown>, operationName?: string): Promise<{ data?: any; errors?: any[] }> {
  const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${key}` }, retryAttempts: 0 });
  try {
    return await new Promise((resolve, reject) => {
      client.subscribe(
        { query, variables, ...(operationName !== undefined ? { operationName } : {}) },
        {
          next: (r) => resolve(r as { data?: any; errors?: any[] }),
          error: (e) => (Array.isArray(e) ? resolve({ errors: e }) : reject(e)),
          complete: () => undefined,
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

/** An operation's answer over either transport: data and/or errors. */
export type Answer = { data?: any; errors?: any[] };

/**
 * The same operation sent over HTTP (the test gateway's gql) or graphql-ws (wsOnce), as the key
 * `key()` returns: for tests that ask both transports alike. Both are read when a request is sent,
 * so a gateway and key made in beforeAll can be given.
 */
export function overBoth(gateway: () => TestGateway, key: () => string): Record<'http' | 'ws', (query: string, variables?: Record<string, unknown>) => Promise<Answer>> {
  return {
    http: (query, variables) => gateway().gql(key(), query, variables),
    ws: (query, variables) => wsOnce(gateway().gateway.wsUrl, key(), query, variables),
  };
}
