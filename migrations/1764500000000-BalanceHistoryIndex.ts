import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Balances as of an instant and their history (GET .../balances/{id}?at= and .../history) find
 * the first operation of a balance stamped at or after an instant through this index, without
 * reading the balance's rows; the operations themselves are then read by the existing unique
 * (ledger_id, balance_id, version_after) key. ledger_id leads, like every key of a growing table
 * (docs/scaling.md). Built CONCURRENTLY, outside a transaction, so postings go on meanwhile.
 */
export class BalanceHistoryIndex1764500000000 implements MigrationInterface {
  name = 'BalanceHistoryIndex1764500000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    // A concurrent build that failed leaves an INVALID index behind: build it again.
    const [leftover]: Array<{ valid: boolean }> = await q.query(
      `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname = 'operations_balance_time_idx' AND c.relnamespace = current_schema()::regnamespace`,
    );
    if (leftover && !leftover.valid) await q.query(`DROP INDEX CONCURRENTLY operations_balance_time_idx`);
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS operations_balance_time_idx
         ON operations (ledger_id, balance_id, created_at) INCLUDE (version_after)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS operations_balance_time_idx`);
  }
}
