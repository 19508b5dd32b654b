/** Unique client transaction ids: `<prefix>-<time base36>-<counter base36>` (EPP allows 3-64 chars). */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../core/clock.js';
import { systemClock } from '../../../core/clock.js';

/** Client transaction ids `<prefix>-<ms since epoch, base36>-<counter, base36>` (RFC 5730 clTRID, 3-64 characters); the prefix keeps only A-Z, a-z, 0-9, _ and . (at most 24; "GW" when nothing is left). */
export class ClTridGenerator {
  private counter = 0;
  readonly prefix: string;

  constructor(prefix?: string, private readonly clock: Clock = systemClock) {
    const p = (prefix ?? `GW${randomBytes(3).toString('hex')}`).replace(/[^A-Za-z0-9_.]/g, '').slice(0, 24);
    this.prefix = p || 'GW';
  }

  next(): string {
    this.counter = (this.counter + 1) % Number.MAX_SAFE_INTEGER;
    return `${this.prefix}-${this.clock.now().getTime().toString(36)}-${this.counter.toString(36)}`;
  }
}
