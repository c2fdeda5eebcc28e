import { sql } from 'drizzle-orm';
import { executeRows, openStorage } from './db.js';

for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const s = await openStorage({ kind: 'pglite', dataDir: undefined });
  const t1 = performance.now();
  for (let j = 0; j < 2000; j++) await executeRows(s.db, sql`select ${j}::int as x`);
  const t2 = performance.now();
  await s.close();
  console.log(`open ${(t1 - t0).toFixed(0)} ms, 2000 queries ${(t2 - t1).toFixed(0)} ms`);
}
