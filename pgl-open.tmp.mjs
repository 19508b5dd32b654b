import { PGlite } from '@electric-sql/pglite';
const t0 = performance.now();
const db = await PGlite.create(process.argv[2], { postgresqlconf: ['shared_buffers = 16MB', 'max_connections = 8'] });
const t1 = performance.now();
await db.query('select count(*) from pg_class');
console.log(`create ${(t1 - t0).toFixed(0)} ms; +query ${(performance.now() - t1).toFixed(0)}; cpu ${(process.cpuUsage().user/1000).toFixed(0)} ms`);
await db.close();
