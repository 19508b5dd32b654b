/** A domain's DNSSEC keys: GET/POST/DELETE /repp/v1/domains/:domain_name/dnssec (REPP document, "DNSSEC"). */
import { AlreadyOnDomain, LinkedObjectNotFound, ParameterRange } from '../errors.js';
import type { DnskeyRecord } from '../records.js';
import { array, dnskey, elements, type DnskeyInput } from '../validate.js';
import { UPDATE_BLOCKERS, findDomain, prohibitedBy, type Ctx, type Route } from './common.js';

const MAX_KEYS = 8;
const same = (a: DnskeyInput, b: DnskeyRecord) => a.flags === b.flags && a.protocol === b.protocol && a.alg === b.alg && a.publicKey === b.publicKey;
const keys = (ctx: Ctx) => elements(array(ctx.body, 'dns_keys'), 'dns_keys').map((k, i) => dnskey(k, `dns_keys[${i}]`));

/** GET/POST/DELETE /repp/v1/domains/:domain_name/dnssec (REPP document, "DNSSEC"): 2302 key present, 2303 key absent, 2004 over 8 keys, 2304 blocked. */
export const dnssecRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repp/v1/domains/:domain_name/dnssec',
    key: 'domain:dnssec',
    handle(ctx) {
      const d = findDomain(ctx, ctx.params.domain_name, true);
      return { data: { dns_keys: d.dnskeys.map((k) => ({ flags: k.flags, protocol: k.protocol, alg: k.alg, public_key: k.publicKey })) } };
    },
  },
  {
    method: 'POST',
    path: '/repp/v1/domains/:domain_name/dnssec',
    key: 'domain:dnssec:add',
    handle(ctx) {
      const d = findDomain(ctx, ctx.params.domain_name, true);
      const add = keys(ctx);
      prohibitedBy(d, ...UPDATE_BLOCKERS);
      for (const k of add) if (d.dnskeys.some((e) => same(k, e))) throw new AlreadyOnDomain('DNS key with public key', k.publicKey);
      if (d.dnskeys.length + add.length > MAX_KEYS) throw new ParameterRange('dns_keys', `would give more than ${MAX_KEYS} keys`);
      d.dnskeys.push(...add.map((k) => ({ id: ctx.store.nextId('dnskey'), ...k })));
      d.updatedAt = ctx.now;
      return { data: { domain: { name: d.name } } };
    },
  },
  {
    method: 'DELETE',
    path: '/repp/v1/domains/:domain_name/dnssec',
    key: 'domain:dnssec:delete',
    handle(ctx) {
      const d = findDomain(ctx, ctx.params.domain_name, true);
      const rem = keys(ctx);
      prohibitedBy(d, ...UPDATE_BLOCKERS);
      for (const k of rem) if (!d.dnskeys.some((e) => same(k, e))) throw new LinkedObjectNotFound('DNS key with public key', k.publicKey);
      d.dnskeys = d.dnskeys.filter((e) => !rem.some((k) => same(k, e)));
      d.updatedAt = ctx.now;
      return { data: { domain: { name: d.name } } };
    },
  },
];
