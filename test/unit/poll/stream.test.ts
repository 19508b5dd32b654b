/** The poll stream on its own: a subscriber that falls too far behind is told where to resume. */
import { describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../../src/db/generated/client.js';
import { pollStream } from '../../../src/poll/stream.js';
import { LocalPollEvents, type PollEvent } from '../../../src/pubsub/poll-events.js';

const event = (id: number): PollEvent => ({
  id: String(id),
  registrarId: 'R',
  registry: 'sandbox-epp',
  type: 'TRANSFER_REQUESTED',
  objectKind: 'domain',
  objectName: `d${id}.example`,
  message: 'Transfer requested.',
  upstreamId: `${id}-2026`,
  queuedAt: '2026-01-01T00:00:00.000Z',
  receivedAt: '2026-01-01T00:00:01.000Z',
  payload: null,
  raw: '<epp/>',
});

describe('pollStream', () => {
  it('delivers what waited, then ends with SUBSCRIBER_TOO_SLOW naming the cursor to resume from', async () => {
    const events = new LocalPollEvents();
    const stream = pollStream({} as PrismaClient, events, { registrarId: 'R' }, 5);
    const first = stream.next(); // starts listening
    await new Promise((r) => setTimeout(r, 0));
    for (let id = 1; id <= 8; id++) await events.publish(event(id));
    const got = [(await first).value!.id];
    for (;;) {
      const r = await stream.next().catch((e: unknown) => e);
      if (r instanceof Error) {
        expect(r).toMatchObject({ code: 'SUBSCRIBER_TOO_SLOW', details: { retryable: true } });
        expect(r.message).toContain('after: "6"');
        break;
      }
      got.push((r as IteratorResult<PollEvent>).value!.id);
    }
    expect(got).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(events.listeners('R')).toBe(0);
  });

  it('keeps up with a subscriber that reads as fast as messages come', async () => {
    const events = new LocalPollEvents();
    const stream = pollStream({} as PrismaClient, events, { registrarId: 'R' }, 5);
    for (let id = 1; id <= 20; id++) {
      const next = stream.next();
      await new Promise((r) => setTimeout(r, 0));
      await events.publish(event(id));
      expect((await next).value!.id).toBe(String(id));
    }
    await stream.return!();
    expect(events.listeners('R')).toBe(0);
  });
});
