/** Billing: GET /repp/v1/accounts/balance, plain or detailed with from/until (REPP document, "Get account balance"). */
import type { BalanceStatement, BalanceTransaction } from '../../../core/model/index.js';
import type { ReppRequest } from '../http.js';
import { arr, instant, obj, str, unexpected, type Json } from './read.js';

/** The statement as the REPP document answers it (transactions newest first; empty unless detailed). */
export type Balance = BalanceStatement;
/** One transaction of a detailed balance (created_at instant, description, debit/credit, sum and balance as decimal text). */
export type { BalanceTransaction };

/** `from` / `until`: registry dates ("yyyy-mm-dd"); transactions from `from` and before `until`. */
export function build(opts: { detailed?: boolean; from?: string; until?: string } = {}): ReppRequest {
  const detailed = opts.detailed || opts.from !== undefined || opts.until !== undefined;
  return {
    command: 'balance',
    method: 'GET',
    path: '/repp/v1/accounts/balance',
    query: detailed ? { detailed: true, from: opts.from, until: opts.until } : undefined,
    changesState: false,
  };
}

/**
 * `data` of "Get account balance" -> Balance: balance and currency as text, transactions as given (created_at with its offset).
 * Throws UPSTREAM_UNAVAILABLE (maybeApplied; read.ts unexpected) when a field is missing or a type is neither debit nor credit.
 */
export function parse(data: unknown): Balance {
  const d = obj(data, 'data');
  return {
    money: { amount: str(d, 'balance', 'data'), currency: str(d, 'currency', 'data') },
    transactions: arr(d.transactions ?? [], 'data.transactions').map((t, i) => {
      const p = `data.transactions[${i}]`;
      const o: Json = obj(t, p);
      const type = str(o, 'type', p);
      if (type !== 'debit' && type !== 'credit') throw unexpected(`${p}.type`, 'is neither debit nor credit');
      return { at: instant(o, 'created_at', p), description: str(o, 'description', p), type, amount: str(o, 'sum', p), balance: str(o, 'balance', p) };
    }),
  };
}
