import { Client } from 'pg';

/**
 * The tables that grow with traffic. On Citus they are distributed by ledger_id (see
 * docs/scaling.md); everything else is a small reference table copied to every node.
 */
export const GROWING_TABLES = ['balances', 'transactions', 'operations', 'idempotency_keys', 'reconciliation_findings'];

interface KeyRow {
  table: string;
  name: string;
  kind: 'primary key' | 'unique' | 'exclusion';
  columns: Array<string | null>;
}

interface ForeignKeyRow {
  table: string;
  name: string;
  columns: string[];
  referenced: string;
  referencedColumns: string[];
}

/**
 * What keeps a table from being distributed by ledger_id, read from the catalogs of `schema`:
 * a growing table without a NOT NULL ledger_id; a primary key, unique constraint, unique index
 * or exclusion constraint without ledger_id among its key columns; a foreign key between two
 * growing tables that does not match ledger_id to ledger_id; a foreign key from any other
 * table into a growing one (a reference table cannot point at a distributed one).
 * One line per problem; empty when the schema is distributable.
 */
export async function distributionViolations(client: Client, schema: string, growing = GROWING_TABLES): Promise<string[]> {
  const problems: string[] = [];

  const { rows: tables } = await client.query<{ table: string; ledger_id_not_null: boolean | null }>(
    `SELECT c.relname AS table, a.attnotnull AS ledger_id_not_null
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'ledger_id' AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname = ANY($2)`,
    [schema, growing],
  );
  for (const name of growing) {
    const t = tables.find((row) => row.table === name);
    if (!t) problems.push(`${name}: table not found in schema ${schema}`);
    else if (t.ledger_id_not_null === null) problems.push(`${name}: has no ledger_id column`);
    else if (!t.ledger_id_not_null) problems.push(`${name}: ledger_id is nullable`);
  }

  // Unique indexes cover primary keys, unique constraints and partial unique indexes alike.
  const { rows: keys } = await client.query<KeyRow>(
    `SELECT c.relname AS table, i.relname AS name,
            CASE WHEN x.indisprimary THEN 'primary key' WHEN x.indisunique THEN 'unique' ELSE 'exclusion' END AS kind,
            ARRAY(SELECT a.attname::text FROM unnest(x.indkey[0:x.indnkeyatts - 1]) AS k(attnum)
                    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum) AS columns
       FROM pg_index x
       JOIN pg_class c ON c.oid = x.indrelid
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY($2)
        AND (x.indisunique OR EXISTS (SELECT 1 FROM pg_constraint e WHERE e.conindid = x.indexrelid AND e.contype = 'x'))
      ORDER BY 1, 2`,
    [schema, growing],
  );
  for (const k of keys) {
    if (!k.columns.includes('ledger_id')) {
      const cols = k.columns.map((col) => col ?? '(expression)').join(', ');
      problems.push(`${k.table}: ${k.kind} ${k.name} (${cols}) lacks ledger_id`);
    }
  }

  const { rows: fks } = await client.query<ForeignKeyRow>(
    `SELECT src.relname AS table, con.conname AS name,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, i)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.i) AS columns,
            dst.relname AS referenced,
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, i)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.i) AS "referencedColumns"
       FROM pg_constraint con
       JOIN pg_class src ON src.oid = con.conrelid
       JOIN pg_class dst ON dst.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = src.relnamespace
      WHERE con.contype = 'f' AND n.nspname = $1 AND dst.relname = ANY($2)
      ORDER BY 1, 2`,
    [schema, growing],
  );
  for (const fk of fks) {
    const shape = `${fk.table} (${fk.columns.join(', ')}) -> ${fk.referenced} (${fk.referencedColumns.join(', ')})`;
    if (!growing.includes(fk.table)) {
      problems.push(`${fk.table}: foreign key ${fk.name} ${shape} points from a reference table into a distributed one`);
      continue;
    }
    const at = fk.columns.indexOf('ledger_id');
    if (at < 0 || fk.referencedColumns[at] !== 'ledger_id') {
      problems.push(`${fk.table}: foreign key ${fk.name} ${shape} does not match ledger_id to ledger_id`);
    }
  }
  return problems;
}
