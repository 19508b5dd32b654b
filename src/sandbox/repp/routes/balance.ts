/** Billing: GET /repp/v1/accounts/balance (REPP document, "Get account balance"). */
import { ParameterSyntax } from '../errors.js';
import { isCalendarDate, midnightTallinn } from '../time.js';
import { flag } from '../validate.js';
import { money, transactionView } from '../views.js';
import type { Route } from './common.js';

/** from/until: "yyyy-mm-dd", a local day in Tallinn; from is inclusive, until exclusive ("created before"). */
function day(q: URLSearchParams, key: string): Date | undefined {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  if (!isCalendarDate(v)) throw new ParameterSyntax(key, 'must be a date (yyyy-mm-dd)');
  return midnightTallinn(v);
}

/** GET /repp/v1/accounts/balance (super and billing users): balance and currency; detailed=true adds transactions (from/until, 2005 bad date). */
export const balanceRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repp/v1/accounts/balance',
    key: 'balance',
    roles: ['super', 'billing'],
    handle(ctx) {
      const r = ctx.registrar;
      const data: Record<string, unknown> = { balance: money(r.balanceCents), currency: r.currency };
      if (flag(ctx.query, 'detailed')) {
        const from = day(ctx.query, 'from');
        const until = day(ctx.query, 'until');
        data.transactions = r.transactions
          .filter((t) => (!from || t.at >= from) && (!until || t.at < until))
          .reverse()
          .map(transactionView);
      }
      return { data };
    },
  },
];
