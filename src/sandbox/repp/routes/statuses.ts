/** clientHold, the one status a registrar sets: PUT/DELETE /repp/v1/domains/:domain_name/statuses/:status (REPP document, "Statuses"). */
import { ParameterPolicy } from '../errors.js';
import { UPDATE_BLOCKERS, findDomain, prohibitedBy, type Ctx, type Route } from './common.js';

function held(ctx: Ctx) {
  if (ctx.params.status !== 'clientHold') throw new ParameterPolicy(`status ${ctx.params.status.slice(0, 32)} cannot be set by a registrar`);
  const d = findDomain(ctx, ctx.params.domain_name, true);
  prohibitedBy(d, ...UPDATE_BLOCKERS);
  return d;
}

/** PUT/DELETE /repp/v1/domains/:domain_name/statuses/clientHold (REPP document, "Statuses"); any other status, or no change, is 2306. */
export const statusRoutes: Route[] = [
  {
    method: 'PUT',
    path: '/repp/v1/domains/:domain_name/statuses/:status',
    key: 'domain:hold:set',
    handle(ctx) {
      const d = held(ctx);
      if (d.statuses.has('clientHold')) throw new ParameterPolicy('clientHold is already set');
      d.statuses.add('clientHold');
      d.updatedAt = ctx.now;
      return { data: { domain: d.name, status: 'clientHold' } };
    },
  },
  {
    method: 'DELETE',
    path: '/repp/v1/domains/:domain_name/statuses/:status',
    key: 'domain:hold:clear',
    handle(ctx) {
      const d = held(ctx);
      if (!d.statuses.has('clientHold')) throw new ParameterPolicy('clientHold is not set');
      d.statuses.delete('clientHold');
      d.updatedAt = ctx.now;
      return { data: {} };
    },
  },
];
