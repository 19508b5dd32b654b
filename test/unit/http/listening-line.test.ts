/**
 * The startup banner's "Listening on" line (src/main.ts), from the listening server's own address:
 * who can reach a gateway that has printed working sandbox API keys.
 */
import { describe, expect, it } from 'vitest';
import { listeningLine, listeningReach, urlHost } from '../../../src/http/listen.js';

describe('listeningLine', () => {
  it('says loopback only, every interface, or this address only', () => {
    expect(listeningLine({ address: '127.0.0.1', family: 'IPv4', port: 4000 })).toBe('Listening on 127.0.0.1:4000 (loopback only)');
    expect(listeningLine({ address: '0.0.0.0', family: 'IPv4', port: 4000 })).toBe('Listening on 0.0.0.0:4000 (every interface)');
    expect(listeningLine({ address: '::', family: 'IPv6', port: 4000 })).toBe('Listening on [::]:4000 (every interface)');
    expect(listeningLine({ address: '::1', family: 'IPv6', port: 4001 })).toBe('Listening on [::1]:4001 (loopback only)');
    expect(listeningLine({ address: '192.0.2.2', family: 'IPv4', port: 4000 })).toBe('Listening on 192.0.2.2:4000 (this address only)');
  });

  it('takes all of 127.0.0.0/8 and IPv4-mapped loopback as loopback', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) expect(listeningReach(a), a).toBe('loopback only');
    for (const a of ['10.0.0.5', '::ffff:10.0.0.1', 'fd00::2']) expect(listeningReach(a), a).toBe('this address only');
  });
});

describe('urlHost', () => {
  it('gives a URL host this machine reaches: loopback for an unspecified address, an IPv6 address in brackets', () => {
    for (const [host, want] of [
      ['0.0.0.0', '127.0.0.1'],
      ['', '127.0.0.1'],
      [undefined, '127.0.0.1'],
      ['::', '[::1]'],
      ['0:0:0:0:0:0:0:0', '[::1]'],
      ['::1', '[::1]'],
      ['fd00::2', '[fd00::2]'],
      ['127.0.0.1', '127.0.0.1'],
      ['192.0.2.2', '192.0.2.2'],
      ['gateway.internal', 'gateway.internal'],
    ] as const) {
      expect(urlHost(host), String(host)).toBe(want);
      expect(() => new URL(`http://${urlHost(host)}:4000/graphql`), String(host)).not.toThrow();
    }
  });
});
