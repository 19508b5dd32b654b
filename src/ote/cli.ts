/**
 * `npm run ote -- --registry <backend> --registrar <id> --out <dir>`: the HeadlessDomains OT&E
 * sequence through a running gateway (runner.ts). The gateway API key comes from GATEWAY_API_KEY
 * or --key-file (never a flag, so it stays out of shell history and process lists).
 *
 * Other flags: --url (default http://127.0.0.1:4000/graphql), --client-name, --support-contact,
 * --technical-contact, --registry-run-id (evidence only the operator knows), --poll-wait-ms.
 * Exit status 0 when every step held, 1 when one did not, 2 on bad usage.
 */
import { readFileSync } from 'node:fs';
import { runOte } from './runner.js';
import { quietOnClosedStdout } from '../cli/stdout.js';

quietOnClosedStdout(); // `| head` closes stdout early: no EPIPE stack trace

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run ote -- --registry <backend> --registrar <id> --out <dir> [--url URL] [--key-file FILE] [--client-name ..] [--support-contact ..] [--technical-contact ..] [--registry-run-id ..]\n`);
  process.exit(2);
}

const registry = option('registry') ?? usage('--registry is required');
const registrar = option('registrar') ?? usage('--registrar is required');
const out = option('out') ?? usage('--out is required');
const keyFile = option('key-file');
const apiKey = (keyFile ? readFileSync(keyFile, 'utf8').split(/\r?\n/)[0] : process.env.GATEWAY_API_KEY ?? '').trim() || usage('set GATEWAY_API_KEY or --key-file');
const tokens = Object.entries(process.env).filter(([k, v]) => /^GATEWAY_.*_TOKEN$/.test(k) && v).map(([, v]) => v!);

const r = await runOte({
  url: option('url') ?? 'http://127.0.0.1:4000/graphql',
  apiKey,
  registry,
  registrar,
  out,
  operator: { clientName: option('client-name'), supportContact: option('support-contact'), technicalContact: option('technical-contact'), registryRunId: option('registry-run-id') },
  pollWaitMs: option('poll-wait-ms') ? Number(option('poll-wait-ms')) : undefined,
  secrets: tokens,
  log: (line) => process.stdout.write(line + '\n'),
}).catch((e: Error) => {
  process.stderr.write(`ote: ${e.message}\n`);
  process.exit(1);
});
process.exit(r.ok ? 0 : 1);
