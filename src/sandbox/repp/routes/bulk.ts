/**
 * The four bulk endpoints (REPP document, "Bulk actions"): bulk transfer, bulk tech-contact
 * replace, bulk name-server change, bulk renew.
 */
import {
  AlreadySponsor,
  CreditBalanceLow,
  InvalidTransferCode,
  LinkedObjectNotFound,
  ObjectNotFound,
  ParameterPolicy,
  ParameterSyntax,
  ReppError,
} from '../errors.js';
import { checkRenewable, priceCents, renew, transfer } from '../lifecycle.js';
import { addresses, array, elements, hostname, object, renewPeriodMonths, string, strings } from '../validate.js';
import { UPDATE_BLOCKERS, type Ctx, type Route } from './common.js';

const blocked = (statuses: Set<string>) => UPDATE_BLOCKERS.some((s) => statuses.has(s));

/** One of the caller's contacts, or 2303 (a bulk request names it in its payload, not its URL). */
function ownContact(ctx: Ctx, code: string): string {
  const c = ctx.store.contacts.get(code);
  if (!c || c.registrar !== ctx.registrar.id) throw new LinkedObjectNotFound('contact', code);
  return code;
}

/**
 * POST /repp/v1/domains/transfer, PATCH /repp/v1/domains/contacts, PUT /repp/v1/registrar/nameservers,
 * POST /repp/v1/domains/renew/bulk (REPP document, "Bulk actions"): transfers report per-item failures,
 * the replacements skip blocked domains, bulk renew is all or nothing (2303, 2304, 2306, 2104).
 */
export const bulkRoutes: Route[] = [
  {
    method: 'POST',
    path: '/repp/v1/domains/transfer',
    key: 'bulk:transfer',
    handle(ctx) {
      const items = elements(array(object(ctx.body, 'data'), 'domain_transfers', 'data[domain_transfers]'), 'data[domain_transfers]').map((t, i) => ({
        name: string(t, 'domain_name', `data[domain_transfers][${i}][domain_name]`).toLowerCase(),
        code: string(t, 'transfer_code', `data[domain_transfers][${i}][transfer_code]`),
      }));
      const success: unknown[] = [];
      const failed: unknown[] = [];
      for (const { name, code } of items) {
        try {
          const d = ctx.store.domains.get(name);
          if (!d) throw new ObjectNotFound();
          if (d.registrar === ctx.registrar.id) throw new AlreadySponsor();
          if (d.transferCode !== code) throw new InvalidTransferCode();
          transfer(ctx.store, d, ctx.registrar.id, ctx.now);
          success.push({ type: 'domain_transfer', domain_name: name });
        } catch (e) {
          if (!(e instanceof ReppError)) throw e;
          failed.push({ type: 'domain_transfer', domain_name: name, errors: [{ code: e.code, msg: e.message }] });
        }
      }
      return { data: { success, failed } };
    },
  },
  {
    method: 'PATCH',
    path: '/repp/v1/domains/contacts',
    key: 'bulk:tech_contacts',
    handle(ctx) {
      const current = ownContact(ctx, string(ctx.body, 'current_contact_id'));
      const next = ownContact(ctx, string(ctx.body, 'new_contact_id'));
      if (current === next) throw new ParameterPolicy('new_contact_id must differ from current_contact_id');
      const affected: string[] = [];
      const skipped: string[] = [];
      for (const d of ctx.store.domains.values()) {
        if (d.registrar !== ctx.registrar.id || !d.tech.includes(current)) continue;
        if (blocked(d.statuses)) {
          skipped.push(d.name);
          continue;
        }
        d.tech = [...new Set(d.tech.map((c) => (c === current ? next : c)))];
        d.updatedAt = ctx.now;
        affected.push(d.name);
      }
      return { data: { affected_domains: affected, skipped_domains: skipped } };
    },
  },
  {
    method: 'PUT',
    path: '/repp/v1/registrar/nameservers',
    key: 'bulk:nameservers',
    handle(ctx) {
      const data = object(ctx.body, 'data');
      if (string(data, 'type', 'data[type]') !== 'nameserver') throw new ParameterSyntax('data[type]', 'must be "nameserver"');
      const old = hostname(string(data, 'id', 'data[id]'), 'data[id]');
      const scope = data.domains === undefined ? null : strings(array(data, 'domains', 'data[domains]'), 'data[domains]').map((n) => n.toLowerCase());
      const attrs = object(data, 'attributes', 'data[attributes]');
      const ns = {
        hostname: hostname(string(attrs, 'hostname', 'data[attributes][hostname]'), 'data[attributes][hostname]'),
        ipv4: addresses(array(attrs, 'ipv4', 'data[attributes][ipv4]', false), 'data[attributes][ipv4]', 4),
        ipv6: addresses(array(attrs, 'ipv6', 'data[attributes][ipv6]', false), 'data[attributes][ipv6]', 6),
      };
      if (ns.hostname === old) throw new ParameterPolicy('the new hostname must differ from the replaced one (addresses cannot be changed this way)');
      const affected: string[] = [];
      const skipped: string[] = [];
      for (const d of ctx.store.domains.values()) {
        if (d.registrar !== ctx.registrar.id || (scope && !scope.includes(d.name))) continue;
        const i = d.nameservers.findIndex((n) => n.hostname === old);
        if (i < 0) continue;
        const glueMissing = ns.hostname.endsWith(`.${d.name}`) && ns.ipv4.length + ns.ipv6.length === 0;
        if (blocked(d.statuses) || glueMissing || d.nameservers.some((n) => n.hostname === ns.hostname)) {
          skipped.push(d.name);
          continue;
        }
        d.nameservers[i] = { id: ctx.store.nextId('nameserver'), hostname: ns.hostname, ipv4: [...ns.ipv4], ipv6: [...ns.ipv6] };
        d.updatedAt = ctx.now;
        affected.push(d.name);
      }
      return { data: { type: 'nameserver', id: ns.hostname, attributes: ns, affected_domains: affected, skipped_domains: skipped } };
    },
  },
  {
    method: 'POST',
    path: '/repp/v1/domains/renew/bulk',
    key: 'bulk:renew',
    handle(ctx) {
      const names = strings(array(ctx.body, 'domains'), 'domains').map((n) => n.toLowerCase());
      const months = renewPeriodMonths(string(ctx.body, 'renew_period'));
      const domains = [...new Set(names)].map((n) => {
        const d = ctx.store.domains.get(n);
        if (!d || d.registrar !== ctx.registrar.id) throw new LinkedObjectNotFound('domain', n);
        checkRenewable(d, months, ctx.now);
        return d;
      });
      if (priceCents(months) * domains.length > ctx.registrar.balanceCents) throw new CreditBalanceLow();
      for (const d of domains) renew(ctx.store, d, months, ctx.now);
      return { data: { updated_domains: domains.map((d) => d.name) } };
    },
  },
];
