/**
 * A reseller's own DMAPI client, as its tools outside the gateway would talk to Joker (here the
 * Joker sandbox): one form POST over HTTPS per request, the reply split into headers and body
 * lines by hand (no code shared with the gateway's adapter or the sandbox).
 */
import https from 'node:https';
import type { JokerBackendConfig } from '../../src/backends/joker/config.js';
import { JOKER_SANDBOX_ACCOUNTS } from '../../src/sandbox/joker/index.js';

/** One DMAPI reply: HTTP status, headers by lower-cased name (every value), body lines, and the text as sent. */
export interface DmapiAnswer {
  status: number;
  h: Record<string, string[]>;
  body: string[];
  text: string;
}

/** POSTs `vars` to `<url>/request/<name>`, trusting `ca` (the sandbox's certificate, issued for localhost). */
export function dmapiRequest(url: string, ca: string, name: string, vars: Record<string, string>): Promise<DmapiAnswer> {
  const form = new URLSearchParams(vars).toString();
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(`${url}/request/${name}`), { method: 'POST', ca, servername: 'localhost', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const lines = text.split('\n');
        const h: Record<string, string[]> = {};
        let i = 0;
        for (; i < lines.length && lines[i] !== ''; i++) {
          const at = lines[i].indexOf(':');
          (h[lines[i].slice(0, at).trim().toLowerCase()] ??= []).push(lines[i].slice(at + 1).trim());
        }
        resolve({ status: res.statusCode ?? 0, h, body: lines.slice(i + 1).filter(Boolean), text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(form);
  });
}

/** A logged-in reseller session: `send` adds its auth-sid to every request. */
export async function dmapiSession(url: string, ca: string, apiKey: string): Promise<(name: string, vars?: Record<string, string>) => Promise<DmapiAnswer>> {
  const login = await dmapiRequest(url, ca, 'login', { 'api-key': apiKey });
  const sid = login.h['auth-sid']?.[0];
  if (!sid) throw new Error(`login refused: ${login.text}`);
  return (name, vars = {}) => dmapiRequest(url, ca, name, { ...vars, 'auth-sid': sid });
}

/**
 * Points a gateway's Joker backend (`joker`, from the zero-setup config) at a Joker sandbox started
 * apart (`url`, its certificate authority `ca`) instead of an in-process one, with the sandbox's
 * reseller accounts (JOKER_SANDBOX_ACCOUNTS: uid, API key as password, transfer contact).
 */
export function atStandaloneJoker(joker: JokerBackendConfig, url: string, ca: string): void {
  delete joker.sandbox;
  joker.url = url;
  joker.tls = { ca, servername: 'localhost', rejectUnauthorized: true };
  joker.accounts = Object.fromEntries(JOKER_SANDBOX_ACCOUNTS.map((a) => [a.registrarId, { uid: a.uid, password: a.apiKey, transferContact: a.contact }]));
}
