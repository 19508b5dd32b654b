/**
 * What a graphql-ws connection keeps of its connection_init payload after the gateway has read
 * the key from it (src/http/websocket.ts): nothing, whatever else the payload carried.
 */
import { describe, expect, it } from 'vitest';
import { connectionParamsBytes, forgetConnectionParams } from '../../../src/http/websocket.js';

describe('forgetConnectionParams', () => {
  it("drops the whole payload, so limits.wsRetainedBytes counts nothing of it", () => {
    const ctx: { connectionParams?: Readonly<Record<string, unknown>> } = { connectionParams: { Authorization: 'Bearer rgw_x', pad: 'x'.repeat(100_000) } };
    expect(connectionParamsBytes(ctx, 1_000_000)).toBeGreaterThan(100_000);
    forgetConnectionParams(ctx);
    expect(ctx.connectionParams).toBeUndefined();
    expect(connectionParamsBytes(ctx, 1_000_000)).toBe(0);
  });

  it('leaves a connection_init without a payload as it was', () => {
    const ctx: { connectionParams?: Readonly<Record<string, unknown>> } = {};
    forgetConnectionParams(ctx);
    expect(connectionParamsBytes(ctx, 10)).toBe(0);
  });
});
