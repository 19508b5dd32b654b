import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

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
