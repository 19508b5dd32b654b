/**
 * Lists of names are checked in slices that let the event loop run between them
 * (normalizeDomainNames, and checkItemNames of a bulk job built on it): a long list of IDNs (a
 * second of IDNA checks) does not hold the process while other requests wait, and the answer is
 * the one checking the list in one go gives, its first error by index included.
 */
import { describe, expect, it } from 'vitest';
import { checkItemNames } from '../../../src/bulk/submit.js';
import { ValidationError } from '../../../src/core/errors.js';
import { normalizeDomainName, normalizeDomainNames } from '../../../src/validation/names.js';

/** 5,000 Arabic IDNs of three 30-letter labels, as a client may send checkDomains. */
const idns = Array.from({ length: 5000 }, (_, i) => `ا${i}${'ب'.repeat(28)}.${'ت'.repeat(30)}.${'ث'.repeat(30)}.example`);
const field = (i: number) => `names[${i}]`;

/** The synchronous answer: each name in turn, the first refusal thrown. */
function inOneGo(names: readonly string[]): string[] | ValidationError {
  try {
    return names.map((n, i) => normalizeDomainName(field(i), n));
  } catch (err) {
    return err as ValidationError;
  }
}

/** `promise`'s outcome, and whether a setImmediate callback scheduled as it started ran before it settled. */
async function racedWithImmediate<T>(start: () => Promise<T>): Promise<{ outcome: T | Error; otherRanFirst: boolean }> {
  let otherRan = false;
  let otherRanFirst = false;
  setImmediate(() => (otherRan = true));
  const outcome = await start().then(
    (v) => v,
    (e: Error) => e,
  );
  otherRanFirst = otherRan;
  return { outcome, otherRanFirst };
}

describe('lists of names', () => {
  it('lets other work run while 5,000 IDNs are checked, and answers as checking them in one go does', async () => {
    const { outcome, otherRanFirst } = await racedWithImmediate(() => normalizeDomainNames(idns, field));
    expect(otherRanFirst).toBe(true);
    expect(outcome).toEqual(inOneGo(idns));
    expect((outcome as string[])[4999]).toMatch(/^xn--/);
  });

  it('refuses with the first bad name by index, as in one go, only once the names before it are checked', async () => {
    const names = [...idns];
    names[4321] = `ا${'ب'.repeat(10)}abc.example`; // RFC 5893 rule 2: no L in an RTL label
    names[4500] = '☃.example';
    const sync = inOneGo(names) as ValidationError;
    const { outcome, otherRanFirst } = await racedWithImmediate(() => normalizeDomainNames(names, field));
    expect(otherRanFirst).toBe(true);
    expect(outcome).toBeInstanceOf(ValidationError);
    expect((outcome as ValidationError).message).toBe(sync.message);
    expect((outcome as ValidationError).details).toEqual({ field: 'names[4321]' });
    expect(sync.message).toContain('label 1 breaks rule #2');
  });

  it("a bulk job's names: the same yield, duplicates named by index as before", async () => {
    const { outcome, otherRanFirst } = await racedWithImmediate(() => checkItemNames('domains', idns, 20_000));
    expect(otherRanFirst).toBe(true);
    expect(outcome).toEqual(inOneGo(idns));
    const twice = [...idns, idns[17]!.toUpperCase()];
    const dup = await checkItemNames('domains', twice, 20_000).catch((e: ValidationError) => e);
    expect(dup).toBeInstanceOf(ValidationError);
    expect((dup as ValidationError).details.field).toBe('domains[5000].name');
    expect((dup as ValidationError).message).toContain('is listed twice (also domains[17].name)');
  });
});
