/**
 * redactErrors (src/http/secrets.ts): a secret cut short in a message is taken out where the text
 * shows the cut (a quote's "…" at 32 characters, a registry's "...", the end of the text, a run of
 * 16 characters or more), while an ordinary word that merely shares a secret's first 8 characters
 * stays: "transfer" with the auth code "Transfer-Code-1" was taken out of every message, so
 * "does not support a transfer period" read "does not support a (a secret: not shown) period".
 */
import { describe, expect, it } from 'vitest';
import { quoted } from '../../../src/core/errors.js';
import { redactErrors, SECRET_SHOWN_AS } from '../../../src/http/secrets.js';

/** The message `message` becomes with `secrets` the request's secrets. */
const shown = (message: string, ...secrets: string[]) => redactErrors([{ message }], new Set(secrets))[0]!.message;

describe('redactErrors: prefix runs of a secret', () => {
  it.each([
    'backend "sandbox-repp" does not support a transfer period other than one year',
    'Transfer request refused: transfers of this domain are locked',
    'domain "transferable.example": TRANSFER period too long',
    'requestTransfer: "transfer" is not an operation of this backend',
  ])('an ordinary word sharing the first 8 characters of the auth code "Transfer-Code-1" stays: %s', (message) => {
    expect(shown(message, 'Transfer-Code-1')).toBe(message);
  });

  it('the auth code itself goes, in any letter case', () => {
    for (const spelling of ['Transfer-Code-1', 'transfer-code-1', 'TRANSFER-CODE-1'])
      expect(shown(`code ${spelling} refused; transfer not started`, 'Transfer-Code-1')).toBe(`code ${SECRET_SHOWN_AS} refused; transfer not started`);
  });

  const secret = 'Zq7-1b2c3d4e-s3cr3t-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';

  it('a quote cut at 32 characters that the secret starts inside ("…" after it)', () => {
    // graphql-js's literal as quotedSpelling() cuts it: the secret begins 8 characters in.
    expect(shown(`name: found {name: "${secret.slice(0, 24)}…`, secret)).toBe(`name: found {name: "${SECRET_SHOWN_AS}…`);
    // A quote of the secret lower-cased (a normalised name), cut.
    expect(shown(`name ${quoted(secret.toLowerCase())} needs two labels`, secret)).not.toMatch(/zq7-1b2c/i);
    // A short run right before the cut: the secret starts 24 characters into a quoted value.
    expect(shown(`found ${quoted(`${'a'.repeat(23)} ${secret}`)}`, secret)).toBe(`found "${'a'.repeat(23)} ${SECRET_SHOWN_AS}"…`);
  });

  it('a registry message cut with "..." or at the end of the text', () => {
    expect(shown(`authinfo ${secret.slice(0, 10)}... is invalid`, secret)).toBe(`authinfo ${SECRET_SHOWN_AS}... is invalid`);
    expect(shown(`invalid authinfo: '${secret.slice(0, 9)}'...`, secret)).toBe(`invalid authinfo: '${SECRET_SHOWN_AS}'...`);
    expect(shown(`invalid authinfo: ${secret.slice(0, 12).toUpperCase()}`, secret)).toBe(`invalid authinfo: ${SECRET_SHOWN_AS}`);
  });

  it('a run of 16 characters or more, wherever it stands and whatever follows (a field a registry cuts at its length)', () => {
    expect(shown(`Object does not exist: domain ${secret.slice(0, 20)} was not found`, secret)).toBe(`Object does not exist: domain ${SECRET_SHOWN_AS} was not found`);
    expect(shown(`id=x${secret.slice(0, 16)}.example`, secret)).toBe(`id=x${SECRET_SHOWN_AS}.example`);
  });

  it('a short run inside a word, or one the text goes on after, stays', () => {
    // The secret's first 8 characters, but neither the start of a word nor cut.
    expect(shown(`x${secret.slice(0, 8)}…`, secret)).toBe(`x${secret.slice(0, 8)}…`);
    expect(shown(`${secret.slice(0, 8)}zz is another value`, secret)).toBe(`${secret.slice(0, 8)}zz is another value`);
  });
});

describe("redactErrors: the registry's configured name is not the client's secret", () => {
  const err = (message: string, registry: string) => ({ message, extensions: { code: 'BAD_USER_INPUT', field: 'input.period', registry } });
  const one = (e: ReturnType<typeof err>, ...secrets: string[]) => redactErrors([e], new Set(secrets))[0]!;

  it.each([
    ['headless', 'a secret inside the name'],
    ['Headless-Pw-9', 'a secret sharing 8 leading characters with the end of the name'],
    ['sandbox-headless', 'a secret equal to the name'],
  ])('auth code %j (%s): extensions.registry and the quoted name stay', (secret) => {
    const e = one(err('registry "sandbox-headless" accepts YEARS only', 'sandbox-headless'), secret);
    expect(e.extensions.registry).toBe('sandbox-headless');
    expect(e.message).toBe('registry "sandbox-headless" accepts YEARS only');
  });

  it('the secret still goes everywhere else in the same error', () => {
    const e = one({ ...err('registry "sandbox-headless" refused Headless-Pw-9: wrong code', 'sandbox-headless'), extensions: { code: 'AUTHORIZATION_ERROR', field: 'authInfo', registry: 'sandbox-headless', upstreamMessage: 'code Headless-Pw-9 is wrong' } as any }, 'Headless-Pw-9');
    expect(e.message).toBe(`registry "sandbox-headless" refused ${SECRET_SHOWN_AS}: wrong code`);
    expect((e.extensions as any).upstreamMessage).toBe(`code ${SECRET_SHOWN_AS} is wrong`);
  });

  it('a secret that runs across the quoted name is taken out with it', () => {
    const secret = 'x"sandbox-headless" tail';
    const e = one(err(`registry said x"sandbox-headless" tail was refused`, 'sandbox-headless'), secret);
    expect(e.message).not.toContain('tail');
    expect(e.message).toContain(SECRET_SHOWN_AS);
  });

  it('a name the error does not give as its registry is redacted as any text', () => {
    expect(one(err('registry "sandbox-headless" accepts YEARS only', 'sandbox-epp'), 'headless').message).toBe(`registry "sandbox-${SECRET_SHOWN_AS}" accepts YEARS only`);
  });
});
