/** Domains: change registrant / transfer code, renew, delete (REPP document, "Domains"). */
import { ExpireDateMismatch, InvalidTransferCode, ParameterSyntax } from '../errors.js';
import { remove, renew } from '../lifecycle.js';
import { dateTallinn, isCalendarDate } from '../time.js';
import { boolean, integer, object, optString, periodMonths, string } from '../validate.js';
import { existingContacts } from './domains.js';
import { UPDATE_BLOCKERS, findDomain, prohibitedBy, type Route } from './common.js';

/**
 * PUT /repp/v1/domains/:domain_name (registrant, required, and transfer code), POST .../renew, DELETE (REPP document, "Domains"):
 * unverified registrant changes and deletions wait for the registrant (pendingUpdate, pendingDeleteConfirmation);
 * renew needs the current expiry date (2306 otherwise); delete by another registrar needs the Auth-Code header (2202).
 */
export const domainChangeRoutes: Route[] = [
  {
    method: 'PUT',
    path: '/repp/v1/domains/:domain_name',
    key: 'domain:update',
    handle(ctx) {
      const d = findDomain(ctx, ctx.params.domain_name, true);
      const body = object(ctx.body, 'domain');
      // The document's "Change domain registrant / Auth code": registrant (and its code) Yes, also for a
      // transfer-code change alone (the current registrant, which changes nothing); transfer_code No.
      const reg = object(body, 'registrant', 'domain[registrant]');
      const code = optString(body, 'transfer_code', 'domain[transfer_code]');
      if (code !== undefined && !/^[\x21-\x7e]{1,64}$/.test(code)) throw new ParameterSyntax('domain[transfer_code]', 'must be 1 to 64 printable characters');
      const registrant = existingContacts(ctx, [string(reg, 'code', 'domain[registrant][code]')], 'registrant')[0];
      const verified = reg.verified !== undefined && boolean(reg, 'verified', 'domain[registrant][verified]');
      prohibitedBy(d, ...UPDATE_BLOCKERS);
      if (code !== undefined) d.transferCode = code;
      if (registrant && registrant !== d.registrant) {
        if (verified) d.registrant = registrant;
        else {
          d.pending = { kind: 'update', registrant, dueAt: new Date(ctx.now.getTime() + ctx.env.registrantReplyMs) };
          d.statuses.add('pendingUpdate');
        }
      }
      d.updatedAt = ctx.now;
      return { data: { domain: { name: d.name } } };
    },
  },
  {
    method: 'POST',
    path: '/repp/v1/domains/:domain_name/renew',
    key: 'domain:renew',
    handle(ctx) {
      const d = findDomain(ctx, ctx.params.domain_name, true);
      const r = object(ctx.body, 'renews');
      const months = periodMonths(integer(r, 'period', 'renews[period]'), string(r, 'period_unit', 'renews[period_unit]'), 'renews[period]', 'renews[period_unit]');
      const exp = string(r, 'exp_date', 'renews[exp_date]');
      if (!isCalendarDate(exp)) throw new ParameterSyntax('renews[exp_date]', 'must be a date (yyyy-mm-dd)');
      if (exp !== dateTallinn(d.expiresAt)) throw new ExpireDateMismatch();
      renew(ctx.store, d, months, ctx.now);
      return { data: { domain: { name: d.name } } };
    },
  },
  {
    method: 'DELETE',
    path: '/repp/v1/domains/:domain_name',
    key: 'domain:delete',
    handle(ctx) {
      const d = findDomain(ctx, ctx.params.domain_name, false);
      if (d.registrar !== ctx.registrar.id && ctx.header('auth-code') !== d.transferCode) throw new InvalidTransferCode();
      const verified = boolean(object(object(ctx.body, 'domain'), 'delete', 'domain[delete]'), 'verified', 'domain[delete][verified]');
      prohibitedBy(d, 'serverDeleteProhibited', ...UPDATE_BLOCKERS);
      if (verified) remove(ctx.store, d);
      else {
        d.pending = { kind: 'delete', dueAt: new Date(ctx.now.getTime() + ctx.env.registrantReplyMs) };
        d.statuses.add('pendingDeleteConfirmation');
        d.updatedAt = ctx.now;
      }
      return { data: { domain: { name: d.name } } };
    },
  },
];
