/**
 * Which argument a registry's "object does not exist" refusal (2303) is about (namingNotFound,
 * src/core/field-paths.ts): the linked or added name server or contact the refusal names as a
 * whole token, never one whose handle or name only appears inside another (a client told
 * `input.add.contacts[0]` for C1 when the registry refused C12 would fix the wrong contact); for an
 * update naming none of those, the domain itself. Messages as Joker's DMAPI ("not registered: ..."),
 * Nomulus ("The domain with given ID (...) doesn't exist.") and the EPP sandbox word them.
 */
import { describe, expect, test } from 'vitest';
import { addedObjects, linkedObjects, namingNotFound, updatedObjects } from '../../../src/core/field-paths.js';
import { ObjectNotFoundError, ValidationError } from '../../../src/core/errors.js';

const update = (contacts: string[], nameservers: string[] = [], name = 'example-one.example') => ({
  name,
  add: { statuses: [], contacts: contacts.map((id) => ({ role: 'tech' as const, id })), nameservers: nameservers.map((name) => ({ name, ipv4: [], ipv6: [] })) },
});
const fieldOf = (message: string, candidates: Iterable<readonly [string, string]>, upstreamMessage?: string) =>
  (namingNotFound(new ObjectNotFoundError(message, upstreamMessage ? { upstreamMessage } : {}), candidates) as ObjectNotFoundError).details.field;

describe("namingNotFound over an update's added objects", () => {
  test('names the added contact or name server the refusal names', () => {
    expect(fieldOf('not registered: tech-c contact C1', addedObjects(update(['C9', 'C1'])))).toBe('input.add.contacts[1]');
    expect(fieldOf('not registered: name server ns3.sandbox-dns.test.', addedObjects(update([], ['ns1.x.test', 'ns3.sandbox-dns.test'])))).toBe('input.add.nameservers[1]');
    expect(fieldOf('Resource linked to this domain does not exist: contact NoSuch1.', addedObjects(update(['c9', 'nosuch1'])))).toBe('input.add.contacts[1]');
  });

  test('a handle or name inside a longer one is not named', () => {
    expect(fieldOf('not registered: tech-c contact C12', addedObjects(update(['C1'])))).toBeUndefined();
    expect(fieldOf('not registered: name server ns3.sandbox-dns.test.example', addedObjects(update([], ['ns3.sandbox-dns.test'])))).toBeUndefined();
    expect(fieldOf('not registered: name server xns3.sandbox-dns.test', addedObjects(update([], ['ns3.sandbox-dns.test'])))).toBeUndefined();
  });

  test('a name longer than a message quotes is matched by the prefix messages keep', () => {
    const long = `ns1.${'a'.repeat(40)}.example`;
    expect(fieldOf(`host ${long.slice(0, 32)}… does not exist`, addedObjects(update([], ['ns1.other.example', long])))).toBe('input.add.nameservers[1]');
  });
});

describe('namingNotFound over an update (updatedObjects) and a create (linkedObjects)', () => {
  test('an update: an added object first, else the domain itself; a host under the domain is not the domain', () => {
    const u = update(['c1'], ['ns1.example-one.example']);
    expect(fieldOf('Resource linked to this domain does not exist: host ns1.example-one.example.', updatedObjects(u))).toBe('input.add.nameservers[0]');
    expect(fieldOf("The domain with given ID (example-one.example) doesn't exist.", updatedObjects(u))).toBe('input.name');
    expect(fieldOf('Object does not exist', updatedObjects(u), "The domain with given ID (example-one.example) doesn't exist.")).toBe('input.name');
    expect(fieldOf('Object does not exist', updatedObjects(u))).toBeUndefined();
  });

  test('a create: the registrant, a contact, a name server', () => {
    const c = { registrant: 'reg1', contacts: [{ role: 'admin' as const, id: 'reg1' }, { role: 'tech' as const, id: 'tech9' }], nameservers: [{ name: 'ns5.nowhere.example', ipv4: [], ipv6: [] }] };
    expect(fieldOf('contact reg1 does not exist', linkedObjects(c))).toBe('input.registrant');
    expect(fieldOf('contact tech9 does not exist', linkedObjects(c))).toBe('input.contacts[1]');
    expect(fieldOf('host ns5.nowhere.example does not exist', linkedObjects(c))).toBe('input.nameservers[0]');
  });

  test('a command on one object: its subject when the refusal names none of the candidates', () => {
    const e = namingNotFound(new ObjectNotFoundError('Superordinate domain for this hostname does not exist.'), [], 'input.name') as ObjectNotFoundError;
    expect(e.details.field).toBe('input.name');
    expect(fieldOf('contact c1 does not exist', [['input.add.contacts[0]', 'c1']])).toBe('input.add.contacts[0]');
  });

  test('an error naming a field already, or another error, is left as it is', () => {
    const named = new ObjectNotFoundError('contact c1 does not exist', { field: 'to' });
    expect((namingNotFound(named, updatedObjects(update(['c1'])), 'input.name') as ObjectNotFoundError).details.field).toBe('to');
    const other = new ValidationError('input.name', 'c1');
    expect(namingNotFound(other, updatedObjects(update(['c1'])))).toBe(other);
  });
});
