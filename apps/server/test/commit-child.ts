/**
 * Run by durability.test.ts under strace: opens the embedded storage in a data folder, then makes
 * `count` commits between two markers written to stderr, so that the trace shows what each commit
 * syncs. Argv: dataDir, count.
 */
import { writeSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { openStorage } from '../src/storage/db.js';

const [dataDir, countArg] = process.argv.slice(2);
if (!dataDir || !countArg) throw new Error('usage: commit-child DATA_DIR COUNT');
const storage = await openStorage({ kind: 'pglite', dataDir });
await storage.db.execute(sql`create table if not exists commit_probe (n int)`);
writeSync(2, 'COMMITS-BEGIN\n');
for (let n = 0; n < Number(countArg); n++)
  await storage.db.execute(sql`insert into commit_probe values (${n})`);
writeSync(2, 'COMMITS-END\n');
await storage.close();
