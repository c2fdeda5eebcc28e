import { sql } from 'drizzle-orm';
import { type Db, executeRows } from '../storage/db.js';

/** A table as the dump sees it: what to copy (generated columns are made again), in what order. */
export interface TableInfo {
  name: string;
  /** Columns to copy, in table order; generated ones are left out. */
  columns: string[];
  primaryKey: { name: string; type: string }[];
  /** Tables this one's foreign keys point at (itself left out). */
  references: string[];
}

export const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** The tables of the current schema, parents before children (the order rows can be inserted in). */
export async function readCatalog(db: Db): Promise<TableInfo[]> {
  const columns = await executeRows<{ table: string; column: string; generated: boolean }>(
    db,
    sql`select c.relname as "table", a.attname as "column", a.attgenerated <> '' as generated
        from pg_attribute a join pg_class c on c.oid = a.attrelid
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
        order by c.relname, a.attnum`,
  );
  const keys = await executeRows<{ table: string; column: string; type: string }>(
    db,
    sql`select c.relname as "table", a.attname as "column", format_type(a.atttypid, a.atttypmod) as type
        from pg_index i join pg_class c on c.oid = i.indrelid
        join pg_namespace n on n.oid = c.relnamespace
        cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
        join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
        where n.nspname = current_schema() and i.indisprimary
        order by c.relname, k.ord`,
  );
  const foreign = await executeRows<{ table: string; references: string }>(
    db,
    sql`select distinct c.relname as "table", r.relname as "references"
        from pg_constraint k join pg_class c on c.oid = k.conrelid
        join pg_class r on r.oid = k.confrelid
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and k.contype = 'f'`,
  );
  const tables = new Map<string, TableInfo>();
  for (const c of columns) {
    let table = tables.get(c.table);
    if (!table) {
      table = { name: c.table, columns: [], primaryKey: [], references: [] };
      tables.set(c.table, table);
    }
    if (!c.generated) table.columns.push(c.column);
  }
  for (const k of keys) tables.get(k.table)?.primaryKey.push({ name: k.column, type: k.type });
  for (const f of foreign) {
    if (f.table !== f.references) tables.get(f.table)?.references.push(f.references);
  }
  for (const t of tables.values()) {
    // Batches are read in primary-key order: without one there is no stable order to resume from.
    if (t.primaryKey.length === 0) throw new Error(`table ${t.name} has no primary key: it cannot be dumped`);
  }
  return parentsFirst([...tables.values()]);
}

function parentsFirst(tables: TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const ordered: TableInfo[] = [];
  const visit = (t: TableInfo, path: Set<string>) => {
    if (done.has(t.name)) return;
    if (path.has(t.name)) throw new Error(`foreign keys form a cycle through ${t.name}`);
    path.add(t.name);
    for (const parent of t.references) {
      const p = byName.get(parent);
      if (p) visit(p, path);
    }
    path.delete(t.name);
    done.add(t.name);
    ordered.push(t);
  };
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(t, new Set());
  return ordered;
}
