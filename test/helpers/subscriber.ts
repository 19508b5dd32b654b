import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Received {
  id: string;
  type: string;
  objectName: string | null;
  queuedAt: string;
  acknowledgedAt: string | null;
  transfer: { status: string } | null;
}

export const POLL_SUBSCRIPTION = `subscription($after: String, $types: [PollMessageType!], $objects: [String!]) {
  pollMessages(after: $after, types: $types, objects: $objects) { id type objectName queuedAt acknowledgedAt transfer { status } }
}`;

/** How long a wait for messages may last before it is taken for a hang (not a deadline the gateway must meet). */
export const HANG_GUARD_MS = 25_000;

/** A graphql-ws client subscribed to pollMessages, collecting what arrives. */
export class Subscriber {
  readonly messages: Received[] = [];
  readonly errors: unknown[] = [];
  private readonly client: Client;
  private unsubscribe?: () => void;

  constructor(url: string, key: string) {
    this.client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${key}` }, retryAttempts: 0, lazy: false });
  }

  /**
   * Subscribe, resolving once the server has acknowledged the connection, and then, when
   * `listening` is given, once it holds (e.g. the gateway's `events.listeners(registrarId)` has
   * grown by this subscription). The connection's ack does not mean the subscription has started:
   * one without a cursor starts after the newest message stored when the server gets to it, so a
   * test that makes a message right after the ack and waits for it needs `listening`.
   */
  async start(variables: { after?: string | null; types?: string[]; objects?: string[] } = {}, listening?: () => boolean): Promise<this> {
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
    if (listening) await this.until(() => listening() || this.errors.length > 0, HANG_GUARD_MS, `listening (${listening.toString()})`);
    return this;
  }

  /**
   * The messages received once `count` have come. There is no window in which they must come:
   * `timeoutMs` only ends a hang (a loaded machine can take long, so it is generous, and below
   * the 30 s test timeout only so that the failure names what did arrive); it throws then.
   */
  async waitFor(count: number, timeoutMs = HANG_GUARD_MS): Promise<Received[]> {
    await this.until(() => this.messages.length >= count, timeoutMs, `${count} messages`);
    return this.messages;
  }

  /**
   * The messages received once one matches `ok`: for a subscriber that may also get messages it
   * does not wait for, such as a sandbox registry's own seeded notifications. As in waitFor,
   * `timeoutMs` only ends a hang, throwing.
   */
  async waitUntil(ok: (m: Received) => boolean, timeoutMs = HANG_GUARD_MS): Promise<Received[]> {
    await this.until(() => this.messages.some(ok), timeoutMs, ok.toString());
    return this.messages;
  }

  private async until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) {
        const got = this.messages.map((m) => `${m.id} ${m.type} ${m.objectName}`).join('; ');
        throw new Error(`no ${what} after ${timeoutMs} ms (a hang guard); received: [${got}]; errors: ${JSON.stringify(this.errors)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
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
