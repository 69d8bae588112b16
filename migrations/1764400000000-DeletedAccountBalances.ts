import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Before accounts took their balances with them on DELETE, a deleted account left its balances
 * live, and a reused alias could then name two live balances. This deletes the leftovers that
 * hold nothing (as an account DELETE now does). One that still holds money is left live: money
 * never disappears in a migration; reconciliation and the balance routes still show it.
 */
export class DeletedAccountBalances1764400000000 implements MigrationInterface {
  name = 'DeletedAccountBalances1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE balances b SET deleted_at = now(), updated_at = now()
        FROM accounts a
       WHERE a.ledger_id = b.ledger_id AND a.id = b.account_id
         AND a.deleted_at IS NOT NULL AND b.deleted_at IS NULL
         AND b.available = 0 AND b.on_hold = 0`);
  }

  async down(): Promise<void> {
    // Deleting a zero balance of a deleted account loses nothing: there is nothing to restore.
  }
}
