/**
 * Which argument a Joker domain-modify refusal "not registered: ..." is about (namingAdded): the
 * added name server or contact the refusal names as a whole token, never one whose handle or name
 * only appears inside another (a client told `input.add.contacts[0]` for C1 when Joker refused C12
 * would fix the wrong contact).
 */
import { describe, expect, test } from 'vitest';
import { namingAdded } from '../../../../src/backends/joker/driver/domain-update.js';
import { ObjectNotFoundError } from '../../../../src/core/errors.js';

const add = (contacts: string[], nameservers: string[] = []) => ({
  add: { statuses: [], contacts: contacts.map((id) => ({ role: 'tech' as const, id })), nameservers: nameservers.map((name) => ({ name, ipv4: [], ipv6: [] })) },
});
const fieldOf = (message: string, u: ReturnType<typeof add>) => (namingAdded(new ObjectNotFoundError(message), u as never) as ObjectNotFoundError).details.field;

describe('namingAdded', () => {
  test('names the added contact or name server the refusal names', () => {
    expect(fieldOf('not registered: tech-c contact C1', add(['C9', 'C1']))).toBe('input.add.contacts[1]');
    expect(fieldOf('not registered: name server ns3.sandbox-dns.test.', add([], ['ns1.x.test', 'ns3.sandbox-dns.test']))).toBe('input.add.nameservers[1]');
  });

  test('a handle or name inside a longer one is not named', () => {
    expect(fieldOf('not registered: tech-c contact C12', add(['C1']))).toBeUndefined();
    expect(fieldOf('not registered: name server ns3.sandbox-dns.test.example', add([], ['ns3.sandbox-dns.test']))).toBeUndefined();
    expect(fieldOf('not registered: name server xns3.sandbox-dns.test', add([], ['ns3.sandbox-dns.test']))).toBeUndefined();
  });
});
