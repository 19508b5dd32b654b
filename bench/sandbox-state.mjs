#!/usr/bin/env node
/**
 * Cost of the EPP sandbox's state files (src/sandbox/epp/state-file.ts), which a state-changing
 * command waits for before it is answered (concurrent commands share one write):
 *
 * 1. per write, for registries of 100, 1,000 and 10,000 domains: a journal line (what one
 *    command changed: one domain), against a snapshot of the whole registry (what every write
 *    was before the journal, and what a write still is once the journal outgrows the snapshot);
 * 2. what a client sees: domain renewals over EPP on 2 sessions (the zero-setup pool), 4 in flight,
 *    against a registry of 3,000 domains kept in state files, and the same against the same
 *    sandbox without state files (the baseline, started by this script).
 *
 *   npm run build && node bench/sandbox-state.mjs [--renewals 1000]
 *
 * The domains are copies of a seed domain put into the store directly (creating 10,000 over EPP
 * would measure EPP instead). Prints wall and CPU milliseconds per write (the CPU part is the
 * synchronous part: encryption of changed auth infos and JSON encoding), file sizes and
 * renewals a second. It prints figures; it asserts nothing.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

const { EppSandbox } = await import('../dist/src/sandbox/epp/index.js');
const argv = process.argv.slice(2);
const RENEWALS = Number(argv[argv.indexOf('--renewals') + 1] ?? 1000) || 1000;
const JOKER_RENEWALS = argv.includes('--joker-renewals') ? Number(argv[argv.indexOf('--joker-renewals') + 1]) : 300;
const WRITES = 50;

/** The sandbox's registry filled with `n` copies of its seed domain (internals: see above). */
function fill(sandbox, n) {
  const store = sandbox.store;
  const seed = store.domains.get('example.tld');
  for (let i = 0; i < n; i++) {
    store.domains.set(`d${i}.tld`, { ...seed, name: `d${i}.tld`, sponsor: 'NewRegistrar', authInfo: `pw-${i}-x`, statuses: new Set(), grace: [], transfer: undefined });
  }
  store.touch();
  return store;
}

console.log('1. one write, what a command waits for');
for (const n of [100, 1000, 10_000]) {
  const dir = mkdtempSync(join(tmpdir(), 'rgw-bench-state-'));
  const sandbox = new EppSandbox({ profile: 'nomulus', state: { dir, name: 'bench' } });
  await sandbox.start();
  const store = fill(sandbox, n);
  const file = sandbox.stateFile;
  store.takeChanges();
  file.file.needSnapshot = true; // internals: written as a snapshot (like every start), not as a journal line of n domains
  await file.save(); // the first write seals every auth info once
  const measure = async (snapshot) => {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    for (let i = 0; i < WRITES; i++) {
      store.domains.get('d0.tld').authInfo = `changed-${i}`; // one command's change
      store.noteChanged('domain', 'd0.tld');
      store.touch();
      if (snapshot) file.file.needSnapshot = true; // internals: the write a journal that outgrew its snapshot gets
      await file.save();
    }
    const used = process.cpuUsage(cpu);
    return { wall: (performance.now() - wall) / WRITES, cpu: (used.user + used.system) / 1000 / WRITES };
  };
  const journal = await measure(false);
  const snapshot = await measure(true);
  const size = statSync(sandbox.statePath).size;
  console.log(
    `${String(n).padStart(6)} domains: journal line ${journal.wall.toFixed(2)} ms wall, ${journal.cpu.toFixed(2)} ms CPU; ` +
      `snapshot ${snapshot.wall.toFixed(1)} ms wall, ${snapshot.cpu.toFixed(1)} ms CPU (${(snapshot.wall / journal.wall).toFixed(0)} x the journal line's wall); snapshot file ${(size / 1024).toFixed(0)} KiB`,
  );
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** A logged-in EPP session (RFC 5734 framing) that sends one command at a time. */
async function eppSession(addr, clID, pw) {
  const socket = tls.connect({ host: addr.host, port: addr.port, ca: addr.ca, servername: 'localhost', rejectUnauthorized: false });
  let buf = Buffer.alloc(0);
  let waiting;
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 4 && buf.length >= buf.readUInt32BE(0)) {
      const len = buf.readUInt32BE(0);
      const xml = buf.subarray(4, len).toString('utf8');
      buf = buf.subarray(len);
      const w = waiting;
      waiting = undefined;
      w?.(xml);
    }
  });
  const send = (xml) =>
    new Promise((resolve) => {
      waiting = resolve;
      const body = Buffer.from(xml, 'utf8');
      const head = Buffer.alloc(4);
      head.writeUInt32BE(body.length + 4);
      socket.write(Buffer.concat([head, body]));
    });
  await new Promise((resolve) => (waiting = resolve)); // the greeting
  const login = await send(
    `<?xml version="1.0" encoding="UTF-8"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><login><clID>${clID}</clID><pw>${pw}</pw>` +
      '<options><version>1.0</version><lang>en</lang></options><svcs><objURI>urn:ietf:params:xml:ns:domain-1.0</objURI><objURI>urn:ietf:params:xml:ns:host-1.0</objURI></svcs></login><clTRID>bench-login</clTRID></command></epp>',
  );
  if (!login.includes('result code="1000"')) throw new Error(`login: ${login.slice(0, 200)}`);
  return { send, close: () => socket.destroy() };
}

const renewXml = (name, curExp, i) =>
  `<?xml version="1.0" encoding="UTF-8"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><renew><domain:renew xmlns:domain="urn:ietf:params:xml:ns:domain-1.0">` +
  `<domain:name>${name}</domain:name><domain:curExpDate>${curExp}</domain:curExpDate><domain:period unit="y">1</domain:period></domain:renew></renew><clTRID>bench-${i}</clTRID></command></epp>`;

/** Renewals a second over 4 sessions, one in flight on each, against 3,000 domains. */
async function renewals(withState) {
  const dir = mkdtempSync(join(tmpdir(), 'rgw-bench-state-'));
  const sandbox = new EppSandbox({ profile: 'nomulus', ...(withState ? { state: { dir, name: 'bench' } } : {}) });
  const addr = await sandbox.start();
  const store = fill(sandbox, 3000);
  store.takeChanges();
  if (withState) {
    sandbox.stateFile.file.needSnapshot = true; // as above
    await sandbox.stateFile.save();
  }
  const sessions = [];
  for (let s = 0; s < 4; s++) sessions.push(await eppSession(addr, 'NewRegistrar', 'foo-BAR2'));
  let next = 0;
  let refused = 0;
  const started = performance.now();
  await Promise.all(
    sessions.map(async (session) => {
      while (next < RENEWALS) {
        const i = next++;
        const name = `d${i % 3000}.tld`;
        const answer = await session.send(renewXml(name, store.domains.get(name).exDate.toISOString().slice(0, 10), i));
        if (!answer.includes('result code="1000"')) refused += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const s of sessions) s.close();
  const journal = withState ? statSync(join(dir, 'bench.journal')).size : 0;
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
  return { perSecond: RENEWALS / seconds, refused, journal };
}

console.log(`2. ${RENEWALS} renewals over EPP, 4 sessions, one command in flight on each, 3,000 domains`);
await renewals(false); // a first round warms up the JIT for both; not reported
const baseline = await renewals(false);
const kept = await renewals(true);
console.log(`  without state files (baseline): ${baseline.perSecond.toFixed(0)} renewals a second (${baseline.refused} refused)`);
console.log(
  `  with state files: ${kept.perSecond.toFixed(0)} renewals a second (${kept.refused} refused), ${(kept.perSecond / baseline.perSecond).toFixed(2)} of the baseline; journal ${(kept.journal / 1024).toFixed(0)} KiB at the end`,
);

const { JokerSandbox, JOKER_SANDBOX_ACCOUNTS } = await import('../dist/src/sandbox/joker/index.js');
const https = await import('node:https');

/** One DMAPI request (POST, form-encoded); resolves to the reply's text. */
function dmapi(addr, name, vars) {
  return new Promise((resolve, reject) => {
    const req = https.request(`${addr.url}/request/${name}`, { method: 'POST', ca: addr.ca, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(new URLSearchParams(vars).toString());
  });
}

/** Joker domain-renew requests a second, 4 at a time, against 3,000 domains and 6,000 kept results. */
async function jokerRenewals(withState) {
  const dir = mkdtempSync(join(tmpdir(), 'rgw-bench-joker-'));
  const sandbox = new JokerSandbox({ domainDelayMs: 0, ...(withState ? { state: { dir, name: 'bench' } } : {}) });
  const addr = await sandbox.start();
  const account = JOKER_SANDBOX_ACCOUNTS[0];
  const names = sandbox.addDomains(account.uid, 3000);
  const store = sandbox.store; // internals: 6,000 processed results, as two earlier bulk jobs leave them, and money for every renewal
  store.resellers.get(account.uid).balanceCents = 1e12;
  for (let i = 0; i < 6000; i++) {
    store.jobs.push({ procId: String(1000 + i), svTrId: `bench-${i}`, cltrid: `bench-${i}`, reseller: account.uid, type: 'domain-renew', object: names[i % 3000], acceptedAt: 0, dueAt: 0, status: 'ack', answer: [['Status-Code', '0'], ['Status-Text', 'Command completed successfully'], ['Result', 'ACK'], ['Expiration-Date', '2027-01-01T00:00:00.000Z']], deleted: false, apply: () => [] });
  }
  if (withState) {
    if (sandbox.stateFile.file) {
      store.takeChanges();
      sandbox.stateFile.file.needSnapshot = true; // internals: written as a snapshot, as a start writes it
    }
    await sandbox.stateFile.save();
  }
  const login = await dmapi(addr, 'login', { 'api-key': account.apiKey });
  const sid = /Auth-Sid: (\w+)/i.exec(login)[1];
  let next = 0;
  let refused = 0;
  const started = performance.now();
  await Promise.all(
    [0, 1, 2, 3].map(async () => {
      while (next < JOKER_RENEWALS) {
        const i = next++;
        const answer = await dmapi(addr, 'domain-renew', { 'auth-sid': sid, domain: names[i % 3000], period: '12' });
        if (!/Status-Code: 0/.test(answer)) refused += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
  return { perSecond: JOKER_RENEWALS / seconds, refused };
}

if (JOKER_RENEWALS > 0) {
  console.log(`3. Joker: ${JOKER_RENEWALS} domain-renew requests over HTTPS, 4 at a time, 3,000 domains, 6,000 kept results`);
  await jokerRenewals(false); // warm-up, not reported
  const jokerBaseline = await jokerRenewals(false);
  const jokerKept = await jokerRenewals(true);
  console.log(`  without state files (baseline): ${jokerBaseline.perSecond.toFixed(0)} requests a second (${jokerBaseline.refused} refused)`);
  console.log(`  with state files: ${jokerKept.perSecond.toFixed(0)} requests a second (${jokerKept.refused} refused), ${(jokerKept.perSecond / jokerBaseline.perSecond).toFixed(2)} of the baseline`);
}
