/** Transfer info (with the Auth-Code header) and transfer: /repp/v1/domains/:domain_name/transfer_info, /transfer (REPP document, "Transfers"). */
import { AlreadySponsor, InvalidTransferCode } from '../errors.js';
import { transfer } from '../lifecycle.js';
import { object, string } from '../validate.js';
import { transferContactView } from '../views.js';
import { findDomain, type Route } from './common.js';

/** GET .../transfer_info (Auth-Code header unless sponsor) and POST .../transfer (REPP document, "Transfers"): 2202 wrong code, 2002 own domain, 2304 blocked. */
export const transferRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repp/v1/domains/:domain_name/transfer_info',
    key: 'domain:transfer_info',
    handle(ctx) {
      const d = findDomain(ctx, ctx.params.domain_name, false);
      if (d.registrar !== ctx.registrar.id && ctx.header('auth-code') !== d.transferCode) throw new InvalidTransferCode();
      return {
        data: {
          domain: d.name,
          registrant: transferContactView(ctx.store, d.registrant),
          admin_contacts: d.admin.map((c) => transferContactView(ctx.store, c)).filter(Boolean),
          tech_contacts: d.tech.map((c) => transferContactView(ctx.store, c)).filter(Boolean),
        },
      };
    },
  },
  {
    method: 'POST',
    path: '/repp/v1/domains/:domain_name/transfer',
    key: 'domain:transfer',
    handle(ctx) {
      const d = findDomain(ctx, ctx.params.domain_name, false);
      const code = string(object(ctx.body, 'transfer'), 'transfer_code', 'transfer[transfer_code]');
      if (d.registrar === ctx.registrar.id) throw new AlreadySponsor();
      if (code !== d.transferCode) throw new InvalidTransferCode();
      transfer(ctx.store, d, ctx.registrar.id, ctx.now);
      return { data: { domain: { name: d.name, type: 'domain_transfer' } } };
    },
  },
];
