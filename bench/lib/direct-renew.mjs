#!/usr/bin/env node
/**
 * The measured baseline of bench/bulk.mjs's bulkRenew figure: what a client that is not a gateway
 * takes to renew the same number of domains at the same concurrency through the same delaying
 * proxy to the same registry. In a process of its own, as the gateway is, so that it costs the
 * registry's process nothing but the registry's own work. Reads one JSON object from stdin:
 *   { host, port, ca, servername, account: { clientId, password }, names: [...], curExpDate: "YYYY-MM-DD", concurrency }
 * opens `concurrency` EPP sessions (bench/lib/epp-client.mjs), renews every name by one year, each
 * session taking the next name as soon as its previous answer is read, and prints one JSON line:
 *   { wallMs, renewed, cpuMs }  (wall from the first command to the last answer; its own CPU time)
 * Any refusal ends it with a non-zero exit.
 */
import { directEppClient } from './epp-client.mjs';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const o = JSON.parse(input);
const backend = { port: o.port, tls: { ca: o.ca, servername: o.servername } };
const svcs = { objURI: ['urn:ietf:params:xml:ns:domain-1.0', 'urn:ietf:params:xml:ns:host-1.0'] }; // a Nomulus profile has no contacts
const sessions = await Promise.all(Array.from({ length: o.concurrency }, () => directEppClient(backend, o.account, svcs)));
let next = 0;
let renewed = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await Promise.all(
  sessions.map(async (s) => {
    while (next < o.names.length) {
      const name = o.names[next++];
      await s.renewDomain(name, o.curExpDate, 1);
      renewed++;
    }
  }),
);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
for (const s of sessions) s.close();
process.stdout.write(`${JSON.stringify({ wallMs, renewed, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
