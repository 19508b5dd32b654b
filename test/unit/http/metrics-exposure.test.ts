/** Which listening hosts count as loopback for the /metrics warning, and when it is given. */
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, metricsExposureWarning } from '../../../src/http/metrics-exposure.js';

describe('isLoopbackHost', () => {
  it('is true for names and addresses only this machine reaches', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
  });
  it('is false for every interface, other addresses and names', () => {
    for (const h of ['0.0.0.0', '::', '', undefined, '10.0.0.5', '192.168.1.1', '::ffff:10.0.0.1', 'gateway.internal', '127.example']) expect(isLoopbackHost(h), String(h)).toBe(false);
  });
});

describe('metricsExposureWarning', () => {
  it('names the host and how to set the token when metrics are served without one beyond loopback', () => {
    expect(metricsExposureWarning({ host: '0.0.0.0' })).toMatch(/0\.0\.0\.0.*METRICS_TOKEN/);
    expect(metricsExposureWarning({ host: '', metrics: { enabled: true } })).toMatch(/every interface.*METRICS_TOKEN/);
  });
  it('is null with a token, metrics off, or a loopback host', () => {
    expect(metricsExposureWarning({ host: '0.0.0.0', metrics: { token: 't' } })).toBeNull();
    expect(metricsExposureWarning({ host: '0.0.0.0', metrics: { enabled: false } })).toBeNull();
    expect(metricsExposureWarning({ host: '127.0.0.1' })).toBeNull();
  });
});
