import { describe, expect, it } from 'vitest';
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
});
