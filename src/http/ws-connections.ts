import type { WebSocket } from 'ws';

/**
 * WebSocket close code 1013, Try Again Later (IANA WebSocket Close Code Number Registry, from
 * RFC 6455 section 11.7): what a connection refused for a connection limit is closed with. The
 * condition passes as soon as another connection of the same key closes, and graphql-ws's client
 * takes 1013 for a close to retry (with its back-off), not for a fatal one as it does 1008.
 */
export const TRY_AGAIN_LATER = 1013;

/**
 * Open connections per holder (an API key's id, a remote address), at most `max` each, counted in
 * this process: a slot is held from `hold` until the socket's 'close' event, which `ws` emits
 * once for every way a connection ends (either side's close frame, terminate(), a socket error,
 * the server's dispose), so no path leaves a slot taken. Not shared between instances: a count in
 * Redis would keep the slots of a crashed instance, which runs no close.
 */
export class ConnectionSlots {
  private readonly open = new Map<string, number>();

  /** `max`: whole number, 1 or more (config limits.wsConnectionsPerKey / wsConnectionsPerAddress, checked by resolveLimits). */
  constructor(readonly max: number) {}

  /** How many connections `holder` holds open now. */
  held(holder: string): number {
    return this.open.get(holder) ?? 0;
  }

  /** True when `holder` may open one more (it holds fewer than `max`); takes nothing. */
  admits(holder: string): boolean {
    return this.held(holder) < this.max;
  }

  /**
   * Takes one of `holder`'s slots for `socket` until it closes, and answers true; answers false
   * and takes nothing when `holder` holds `max` already, or when the socket is no longer open (its
   * 'close' may have been emitted already, and would never give the slot back).
   */
  hold(holder: string, socket: WebSocket): boolean {
    if (socket.readyState !== socket.OPEN) return false;
    return this.holdUntilClose(holder, socket);
  }

  /**
   * Takes one of `holder`'s slots until `socket` emits 'close' (a TCP socket of node:net, which
   * emits it once however it ends), and answers true; false, taking nothing, when `holder` holds
   * `max` already. The caller passes a socket still open (its 'close' to come).
   */
  holdUntilClose(holder: string, socket: { once(event: 'close', listener: () => void): unknown }): boolean {
    if (!this.admits(holder)) return false;
    this.open.set(holder, this.held(holder) + 1);
    socket.once('close', () => {
      const left = this.held(holder) - 1;
      // A holder whose last connection closed is forgotten: the map holds only holders with open ones.
      if (left > 0) this.open.set(holder, left);
      else this.open.delete(holder);
    });
    return true;
  }
}
