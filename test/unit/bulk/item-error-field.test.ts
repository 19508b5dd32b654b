/**
 * itemErrorField / itemError: an item's error names the argument of the bulk mutation it is about,
 * as a path into that mutation's own arguments (README "Bulk mutations"), whichever way the
 * operation the item runs named its input.
 */
import { describe, expect, test } from 'vitest';
import { itemErrorField } from '../../../src/bulk/kinds.js';
import { itemError, type ItemPlace } from '../../../src/bulk/runner.js';
import { ParameterPolicyError, UnsupportedByBackendError, ValidationError } from '../../../src/core/errors.js';

describe('itemErrorField', () => {
  test.each([
    ['UPDATE_STATUSES', 'input.add.statuses[0]', 'add[0]'],
    ['UPDATE_STATUSES', 'input.add.statuses', 'add'],
    ['UPDATE_STATUSES', 'input.remove.statuses[2]', 'remove[2]'],
    ['UPDATE_STATUSES', 'name', 'domains[4]'],
    ['UPDATE_STATUSES', 'input.name', 'domains[4]'],
    ['REPLACE_NAMESERVER', 'input.add.nameservers[0].ipv4', 'to.ipv4'],
    ['REPLACE_NAMESERVER', 'input.add.nameservers[0].ipv6[1]', 'to.ipv6[1]'],
    ['REPLACE_NAMESERVER', 'input.add.nameservers[0]', 'to'],
    ['REPLACE_NAMESERVER', 'input.add.nameservers', 'to'],
    ['REPLACE_NAMESERVER', 'input.remove.nameservers[0].ipv4', 'from'],
    ['REPLACE_NAMESERVER', 'input.remove.nameservers', 'from'],
    ['REPLACE_TECH_CONTACT', 'input.add.contacts[0].id', 'to'],
    ['REPLACE_TECH_CONTACT', 'input.add.contacts', 'to'],
    ['REPLACE_TECH_CONTACT', 'input.remove.contacts[0]', 'from'],
    ['RENEW', 'currentExpiry', 'domains[4].currentExpiry'],
    ['RENEW', 'input.currentExpiry', 'domains[4].currentExpiry'],
    ['RENEW', 'period', 'period'],
    ['RENEW', 'input.period.unit', 'period.unit'],
    ['RENEW', 'name', 'domains[4].name'],
    ['TRANSFER', 'authInfo', 'domains[4].authInfo'],
    ['TRANSFER', 'input.authInfo', 'domains[4].authInfo'],
    ['TRANSFER', 'period', 'period'],
  ] as const)('%s: %s -> %s', (kind, field, expected) => {
    expect(itemErrorField(kind, 4, field, true)).toBe(expected);
  });

  test.each([
    // No argument of the mutation: no field rather than a wrong one.
    ['UPDATE_STATUSES', 'input.add.dsData'],
    ['UPDATE_STATUSES', 'input.authInfo'],
    ['REPLACE_TECH_CONTACT', 'input.registrant'],
    ['RENEW', 'idempotencyKey'],
    ['TRANSFER', 'currentExpiry'],
    ['RENEW', 'domains'],
  ] as const)('%s: %s -> null', (kind, field) => {
    expect(itemErrorField(kind, 4, field, true)).toBeNull();
  });

  test('an item-level field of a job over every domain has nothing to point at; a job-wide one has', () => {
    expect(itemErrorField('REPLACE_NAMESERVER', 4, 'name', false)).toBeNull();
    expect(itemErrorField('REPLACE_NAMESERVER', 4, 'input.add.nameservers[0].ipv4', false)).toBe('to.ipv4');
  });
});

describe('itemError', () => {
  const at = (kind: string): ItemPlace => ({ job: { kind, params: {} }, position: 4 });

  test("a refusal's message starts with the bulk mutation's path, as its field does", () => {
    const e = itemError(new ValidationError('input.add.nameservers[0].ipv4', 'Joker name servers are host objects'), at('REPLACE_NAMESERVER'));
    expect(e).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to.ipv4', message: 'to.ipv4: Joker name servers are host objects' });
  });

  test("a registry's refusal keeps the registry's words even when they start like the field it names (re-pathed from the error's parts, not its text)", () => {
    // A registry answering in `<its field>: <why>` form, its refusal mapped to the operation's `currentExpiry`.
    const refusal = new ParameterPolicyError('currentExpiry: 2027-01-01 is not the expiry on file', { field: 'currentExpiry', upstreamCode: 2306, upstreamMessage: 'currentExpiry: 2027-01-01 is not the expiry on file', backend: 'r' });
    const e = itemError(refusal, at('RENEW'));
    expect(e).toEqual({ code: 'PARAMETER_VALUE_POLICY_ERROR', field: 'domains[4].currentExpiry', message: 'currentExpiry: 2027-01-01 is not the expiry on file', upstreamCode: 2306 });
  });

  test('a status the registry lacks names add[i] or remove[i]', () => {
    const e = itemError(new UnsupportedByBackendError('sandbox-joker', 'status clientHold', 'input.add.statuses[1]'), at('UPDATE_STATUSES'));
    expect(e).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field: 'add[1]', message: 'backend "sandbox-joker" does not support status clientHold' });
  });
});
