import type { ConnectionWaits } from '../core/port.js';

/** The calls waiting at each of a backend's accounts (its session pools or HTTP clients), summed by class: the driver's RegistryPort.waiting. */
export function sumWaiting(accounts: Iterable<{ readonly waiting: ConnectionWaits }>): ConnectionWaits {
  const sum = { interactive: 0, background: 0 };
  for (const a of accounts) {
    const w = a.waiting;
    sum.interactive += w.interactive;
    sum.background += w.background;
  }
  return sum;
}

/** Runs `fn` over `items` with at most `limit` at a time, keeping the order of the results (a bounded fan-out of one port call). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
