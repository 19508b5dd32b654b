/** A domain's admin and tech contacts: GET/POST/DELETE /repp/v1/domains/:domain_name/contacts (REPP document, "Domains"). */
import { AlreadyOnDomain, LinkedObjectNotFound, ParameterRange, ParameterSyntax } from '../errors.js';
import type { DomainRecord } from '../records.js';
import { array, elements, string } from '../validate.js';
import { existingContacts } from './domains.js';
import { UPDATE_BLOCKERS, findDomain, prohibitedBy, type Ctx, type Route } from './common.js';

const MAX_PER_ROLE = 10;

function changes(ctx: Ctx): { code: string; type: 'admin' | 'tech' }[] {
  return elements(array(ctx.body, 'contacts'), 'contacts').map((c, i) => {
    const type = string(c, 'type', `contacts[${i}][type]`);
    if (type !== 'admin' && type !== 'tech') throw new ParameterSyntax(`contacts[${i}][type]`, "must be 'admin' or 'tech'");
    return { code: string(c, 'code', `contacts[${i}][code]`), type };
  });
}

const list = (d: DomainRecord, type: 'admin' | 'tech') => (type === 'admin' ? d.admin : d.tech);

/** GET/POST/DELETE /repp/v1/domains/:domain_name/contacts (REPP document, "Domains"): admin/tech only, 2302/2303 present/absent, 2004 over 10 per role. */
export const domainContactRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repp/v1/domains/:domain_name/contacts',
    key: 'domain:contacts',
    handle(ctx) {
      const d = findDomain(ctx, ctx.params.domain_name, true);
      return { data: { admin_contacts: [...d.admin], tech_contacts: [...d.tech] } };
    },
  },
  {
    method: 'POST',
    path: '/repp/v1/domains/:domain_name/contacts',
    key: 'domain:contacts:add',
    handle(ctx) {
      const d = findDomain(ctx, ctx.params.domain_name, true);
      const add = changes(ctx);
      existingContacts(ctx, add.map((c) => c.code), 'contact');
      prohibitedBy(d, ...UPDATE_BLOCKERS);
      for (const c of add) if (list(d, c.type).includes(c.code)) throw new AlreadyOnDomain(`${c.type} contact`, c.code);
      for (const type of ['admin', 'tech'] as const) {
        const next = [...new Set([...list(d, type), ...add.filter((c) => c.type === type).map((c) => c.code)])];
        if (next.length > MAX_PER_ROLE) throw new ParameterRange('contacts', `would give more than ${MAX_PER_ROLE} ${type} contacts`);
        if (type === 'admin') d.admin = next;
        else d.tech = next;
      }
      d.updatedAt = ctx.now;
      return { data: { domain: { name: d.name } } };
    },
  },
  {
    method: 'DELETE',
    path: '/repp/v1/domains/:domain_name/contacts',
    key: 'domain:contacts:remove',
    handle(ctx) {
      const d = findDomain(ctx, ctx.params.domain_name, true);
      const rem = changes(ctx);
      prohibitedBy(d, ...UPDATE_BLOCKERS);
      for (const c of rem) if (!list(d, c.type).includes(c.code)) throw new LinkedObjectNotFound(`${c.type} contact`, c.code);
      d.admin = d.admin.filter((code) => !rem.some((c) => c.type === 'admin' && c.code === code));
      d.tech = d.tech.filter((code) => !rem.some((c) => c.type === 'tech' && c.code === code));
      d.updatedAt = ctx.now;
      return { data: { domain: { name: d.name } } };
    },
  },
];
