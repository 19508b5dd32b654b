import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Received {
  id: string;
  type: string;
  objectName: string | null;
  queuedAt: string;
  transfer: { status: string } | null;
}

export const POLL_SUBSCRIPTION = `subscription($after: String, $types: [PollMessageType!], $objects: [String!]) {
  pollMessages(after: $after, types: $types, objects: $objects) { id type objectName queuedAt transfer { status } }
}`;

/** A graphql-ws client subscribed to pollMessages, collecting what arrives. */
export class Subscriber {
  readonly messages: Received[] = [];
  readonly errors: unknown[] = [];
  private readonly client: Client;
  private unsubscribe?: () => void;

  constructor(url: string, key: string) {
    this.client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${key}` }, retryAttempts: 0, lazy: false });
  }

  /** Subscribe, resolving once the server has acknowledged the connection. */
  async start(variables: { after?: string | null; types?: string[]; objects?: string[] } = {}): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      const off = this.client.on('connected', () => {
        off();
        resolve();
      });
      this.client.on('closed', (e) => reject(new Error(`closed ${(e as { code?: number }).code}`)));
      this.unsubscribe = this.client.subscribe<{ pollMessages: Received }>(
        { query: POLL_SUBSCRIPTION, variables },
        { next: (r) => (r.data ? this.messages.push(r.data.pollMessages) : this.errors.push(r.errors)), error: (e) => this.errors.push(e), complete: () => undefined },
      );
    });
    return this;
  }

  async waitFor(count: number, timeoutMs = 15_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.messages;
  }

  /**
   * The messages received once one matches `ok` (or the timeout passed): for a subscriber that may
   * also get messages it does not wait for, such as a sandbox registry's own seeded notifications.
   */
  async waitUntil(ok: (m: Received) => boolean, timeoutMs = 15_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.messages.some(ok) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.messages;
  }

  /** Complete the subscription, keeping the connection open. */
  async unsubscribeOnly(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.client.dispose();
  }
}

export const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
