import { describe, expect, it, vi } from 'vitest';
import { Router } from '../../../src/routing/router.js';
import type { RegistryPort } from '../../../src/core/port.js';
import { UnknownTldError } from '../../../src/core/errors.js';

const port = (name: string) => ({ name, kind: 'epp' }) as RegistryPort;

describe('router', () => {
  const router = new Router([port('uk'), port('couk'), port('def')], [
    { suffix: 'uk', backend: 'uk' },
    { suffix: 'co.uk', backend: 'couk' },
  ], 'def');

  it('takes the longest matching suffix', () => {
    expect(router.forDomain('example.co.uk').name).toBe('couk');
    expect(router.forDomain('example.uk').name).toBe('uk');
    expect(router.forDomain('a.b.example.co.uk').name).toBe('couk');
  });

  it('refuses an unknown TLD with UNKNOWN_TLD naming the field', () => {
    expect(() => router.forDomain('example.com', 'input.name')).toThrow(UnknownTldError);
    try {
      router.forDomain('example.com', 'input.name');
    } catch (err) {
      expect((err as UnknownTldError).code).toBe('UNKNOWN_TLD');
      expect((err as UnknownTldError).details.field).toBe('input.name');
    }
  });

  it('sends hosts by name, explicit registry, or default', () => {
    expect(router.forHost('ns1.example.co.uk', null).name).toBe('couk');
    expect(router.forHost('ns1.example.net', null).name).toBe('def');
    expect(router.forHost('ns1.example.net', 'uk').name).toBe('uk');
    expect(() => router.forHost('ns1.example.net', 'nope')).toThrow('unknown registry');
  });

  it('a name of 126 labels routes and is judged as a short one, with as many suffix lookups as the longest route has labels', () => {
    const deep = `${Array.from({ length: 124 }, (_, i) => `l${i % 10}`).join('.')}.co.uk`; // 126 labels, 250 characters
    const gets = vi.spyOn(Map.prototype, 'get');
    try {
      expect(router.forDomain(deep).name).toBe('couk');
      expect(gets.mock.calls.length).toBeLessThanOrEqual(2); // suffixes of at most 2 labels (before: 124 lookups, each suffix rebuilt)
      gets.mockClear();
      expect(router.unregistrable(deep)).toMatch(/^it is 124 labels below "\.co\.uk"/);
      expect(gets.mock.calls.length).toBeLessThanOrEqual(6);
    } finally {
      gets.mockRestore();
    }
    const ee = { name: 'ee', kind: 'repp', zones: ['ee', 'a.b.c.ee'] } as unknown as RegistryPort;
    const r = new Router([ee], [{ suffix: 'ee', backend: 'ee' }]);
    expect(r.unregistrable(`x.a.b.c.ee`)).toBeNull(); // a zone the backend knows, longer than any route
    expect(r.unregistrable(`y.x.a.b.c.ee`)).toMatch(/^it is 2 labels below "\.a\.b\.c\.ee"/);
  });

  it('a name is registrable only as one label directly under the longest zone routed to its backend, or one the backend knows', () => {
    expect(router.unregistrable('example.co.uk')).toBeNull();
    expect(router.unregistrable('example.uk')).toBeNull();
    expect(router.unregistrable('a.example.co.uk')).toMatch(/2 labels below "\.co\.uk"/);
    // "co.uk" routes elsewhere: a name under it is never judged against "uk"; a zone of another suffix of uk's backend is not uk's.
    expect(router.unregistrable('a.b.uk')).toMatch(/2 labels below "\.uk"/);
    const ee = { name: 'ee', kind: 'repp', zones: ['ee', 'med.ee'] } as unknown as RegistryPort;
    const r = new Router([ee], [{ suffix: 'ee', backend: 'ee' }]);
    expect(r.unregistrable('kass.med.ee')).toBeNull();
    expect(r.unregistrable('kass.ee')).toBeNull();
    expect(r.unregistrable('kass.fie.ee')).toMatch(/2 labels below "\.ee"/);
    expect(r.unregistrable('a.kass.med.ee')).toMatch(/2 labels below "\.med\.ee"/);
  });

  it('forRegistrable: BAD_USER_INPUT naming the field for a deeper name; the backend otherwise', () => {
    expect(router.forRegistrable('example.co.uk', 'input.name').name).toBe('couk');
    expect(() => router.forRegistrable('a.example.co.uk', 'input.name')).toThrow(/^input\.name: not registrable: /);
    expect(() => router.forRegistrable('example.com', 'input.name')).toThrow(UnknownTldError);
  });

  it('forReadable: null for a deeper name (nothing to read), the backend otherwise; zones the backend lists itself count', () => {
    expect(router.forReadable('example.co.uk', 'name')?.name).toBe('couk');
    expect(router.forReadable('a.example.co.uk', 'name')).toBeNull();
    expect(() => router.forReadable('example.com', 'name')).toThrow(UnknownTldError);
    // Only `ee` routed; the backend's own zones (REPP's pri.ee) take one label more.
    const ee = { name: 'ee', kind: 'repp', zones: ['ee', 'pri.ee'] } as unknown as RegistryPort;
    const r = new Router([ee], [{ suffix: 'ee', backend: 'ee' }]);
    expect(r.forReadable('x.pri.ee')?.name).toBe('ee');
    expect(r.forRegistrable('x.pri.ee').name).toBe('ee');
    expect(r.forReadable('a.b.pri.ee')).toBeNull();
    expect(() => r.forRegistrable('a.b.pri.ee', 'domainName')).toThrow(/^domainName: not registrable: it is 2 labels below "\.pri\.ee"/);
  });
});
