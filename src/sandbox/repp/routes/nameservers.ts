/** A domain's name servers (attributes of the domain, not host objects): /repp/v1/domains/:domain_name/nameservers. */
import { AlreadyOnDomain, LinkedObjectNotFound } from '../errors.js';
import { array, elements, nameservers } from '../validate.js';
import { checkNameserverCount } from './domains.js';
import { UPDATE_BLOCKERS, findDomain, prohibitedBy, type Route } from './common.js';

/** GET/POST /repp/v1/domains/:domain_name/nameservers, DELETE .../:nameserver_hostname (REPP document, "Nameservers"): 2302/2303, 2004 count. */
export const nameserverRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repp/v1/domains/:domain_name/nameservers',
    key: 'domain:nameservers',
    handle(ctx) {
      const d = findDomain(ctx, ctx.params.domain_name, true);
      return { data: { nameservers: d.nameservers.map((n) => ({ hostname: n.hostname, ipv4: [...n.ipv4], ipv6: [...n.ipv6] })) } };
    },
  },
  {
    method: 'POST',
    path: '/repp/v1/domains/:domain_name/nameservers',
    key: 'domain:nameservers:add',
    handle(ctx) {
      const d = findDomain(ctx, ctx.params.domain_name, true);
      const add = nameservers(elements(array(ctx.body, 'nameservers'), 'nameservers'), 'nameservers', d.name);
      prohibitedBy(d, ...UPDATE_BLOCKERS);
      for (const n of add) if (d.nameservers.some((m) => m.hostname === n.hostname)) throw new AlreadyOnDomain('nameserver', n.hostname);
      checkNameserverCount(d.nameservers.length + add.length, 'nameservers');
      d.nameservers.push(...add.map((n) => ({ id: ctx.store.nextId('nameserver'), ...n })));
      d.updatedAt = ctx.now;
      return { data: { domain: { name: d.name } } };
    },
  },
  {
    method: 'DELETE',
    path: '/repp/v1/domains/:domain_name/nameservers/:nameserver_hostname',
    key: 'domain:nameservers:delete',
    handle(ctx) {
      const d = findDomain(ctx, ctx.params.domain_name, true);
      const host = ctx.params.nameserver_hostname.toLowerCase();
      prohibitedBy(d, ...UPDATE_BLOCKERS);
      if (!d.nameservers.some((n) => n.hostname === host)) throw new LinkedObjectNotFound('nameserver', host);
      checkNameserverCount(d.nameservers.length - 1, 'nameserver_hostname');
      d.nameservers = d.nameservers.filter((n) => n.hostname !== host);
      d.updatedAt = ctx.now;
      return { data: { domain: { name: d.name } } };
    },
  },
];
