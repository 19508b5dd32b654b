import { openDatabase } from '../dist/src/db/client.js';
import pg from 'pg';
const url = 'postgresql://postgres@127.0.0.1:5432/test';
const db = await openDatabase({ databaseUrl: url });
const prisma = db.prisma;
const rows = Array.from({ length: 65 }, (_, i) => ({ id: String(i), state: 'SUCCEEDED', result: { trid: { client: 'ABC-' + i, server: 'SV-' + i }, code: 1000, message: 'Command completed successfully', name: `b1-${i}.bulk`, expiresAt: new Date().toISOString() }, error: null, not_before: new Date(0).toISOString() }));
const sqlRun = () => prisma.$executeRaw`SELECT count(*) FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(id bigint, state text, result jsonb, error jsonb, not_before timestamptz)`;
const client = new pg.Pool({ connectionString: url, max: 2 });
const pgRun = () => client.query(`SELECT count(*) FROM jsonb_to_recordset($1::jsonb) AS v(id bigint, state text, result jsonb, error jsonb, not_before timestamptz)`, [JSON.stringify(rows)]);
for (const [name, f] of [['prisma', sqlRun], ['pg', pgRun], ['prisma', sqlRun], ['pg', pgRun]]) {
  for (let i = 0; i < 50; i++) await f();
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < 300; i++) await f();
  const c = process.cpuUsage(c0);
  console.log(name, 'cpu/stmt', ((c.user + c.system) / 300 / 1000).toFixed(3), 'ms; wall', ((performance.now() - t0) / 300).toFixed(2), 'ms');
}
await client.end(); await prisma.$disconnect(); process.exit(0);
