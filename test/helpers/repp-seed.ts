import { REPP_SEED_DOMAINS } from '../../src/sandbox/repp/seed.js';

/**
 * The names the REPP sandbox is seeded with for one sandbox registrar, by name. The zero-setup
 * gateway serves .ee from that sandbox and REPP lists a registrar's domains itself, so a `domains`
 * connection holds these beside what the test created (README, "What the API covers").
 */
export function reppSeededNames(registrarId: string): string[] {
  return REPP_SEED_DOMAINS.filter((d) => d.registrar === registrarId)
    .map((d) => d.name)
    .sort();
}
