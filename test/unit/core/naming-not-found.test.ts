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

  test('a handle in its own letter case first: JD1234 is not jd1234 (contact ids are case-sensitive)', () => {
    const c = { registrant: 'jd1234', contacts: [{ role: 'admin' as const, id: 'jd1234' }, { role: 'tech' as const, id: 'JD1234' }], nameservers: [] };
    expect(fieldOf('Resource linked to this domain does not exist: contact JD1234.', linkedObjects(c))).toBe('input.contacts[1]');
    const repp = { registrant: 'ATSAA:KARL', contacts: [{ role: 'admin' as const, id: 'ATSAA:KARL' }, { role: 'tech' as const, id: 'atsaa:karl' }], nameservers: [] };
    expect(fieldOf('Object does not exist: tech contact atsaa:karl was not found', linkedObjects(repp))).toBe('input.contacts[1]');
    // A host name in another letter case is the same name.
    expect(fieldOf('host NS1.Example.NET does not exist', linkedObjects({ registrant: null, contacts: [], nameservers: [{ name: 'ns1.example.net', ipv4: [], ipv6: [] }] }))).toBe('input.nameservers[0]');
  });

  test("the object named last: a contact whose id is one of the registry's own words (domain, host) is not taken for it", () => {
    const c = { registrant: 'host', contacts: [{ role: 'admin' as const, id: 'domain' }, { role: 'tech' as const, id: 'jd1234' }], nameservers: [{ name: 'ns9.nowhere.net', ipv4: [], ipv6: [] }] };
    expect(fieldOf('Resource linked to this domain does not exist: host ns9.nowhere.net.', linkedObjects(c))).toBe('input.nameservers[0]');
    const u = { name: 'nosuch.example', add: { statuses: [], contacts: [{ role: 'billing' as const, id: 'domain' }, { role: 'tech' as const, id: 'nosuch' }], nameservers: [] } };
    expect(fieldOf('Resource linked to this domain does not exist: contact nosuch.', updatedObjects(u))).toBe('input.add.contacts[1]');
    expect(fieldOf("The domain with given ID (nosuch.example) doesn't exist.", updatedObjects(u))).toBe('input.name');
  });

  test('two long names a message quotes alike (their first 32 characters) are not told apart: no field rather than the wrong one', () => {
    const long = (x: string) => `ns1.${'a'.repeat(60)}.${x.repeat(60)}.net`;
    const c = { registrant: null, contacts: [], nameservers: [long('b'), long('d')].map((name) => ({ name, ipv4: [], ipv6: [] })) };
    expect(fieldOf(`host ${long('d').slice(0, 32)}… does not exist`, linkedObjects(c))).toBeUndefined();
    // Named whole, it is that one.
    expect(fieldOf(`host ${long('d')} does not exist`, linkedObjects(c))).toBe('input.nameservers[1]');
  });

  test('a name server or contact an update removes, which the domain does not hold', () => {
    const u = { name: 'x.example', add: { statuses: [], contacts: [], nameservers: [] }, remove: { nameservers: [{ name: 'ns1.x.example', ipv4: [], ipv6: [] }, { name: 'ns2.gone.net', ipv4: [], ipv6: [] }], contacts: [{ role: 'tech' as const, id: 'c7' }] } };
    expect(fieldOf('host ns2.gone.net is not linked to the domain', updatedObjects(u))).toBe('input.remove.nameservers[1]');
    expect(fieldOf('contact c7 does not exist', updatedObjects(u))).toBe('input.remove.contacts[0]');
  });

  test("an update's new registrant", () => {
    const u = { name: 'x.example', registrant: 'nosuchreg', add: { statuses: [], contacts: [], nameservers: [] } };
    expect(fieldOf('Resource linked to this domain does not exist: contact nosuchreg.', updatedObjects(u))).toBe('input.registrant');
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
