import { Client } from 'pg';

export interface BooksReport {
  conservationBreaks: number;
  balancesNotEqualToFold: number;
  chainBreaks: number;
  versionMismatches: number;
  negativeInternal: number;
  unbalancedTransactions: number;
}

/** The books check of the bench (G2-G5), in SQL over the whole database. */
export async function checkBooks(databaseUrl: string): Promise<BooksReport> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  const one = async (sql: string): Promise<number> => Number((await c.query<{ n: string }>(sql)).rows[0].n);
  try {
    return {
      conservationBreaks: await one(`
        SELECT count(*) AS n FROM (
          SELECT ledger_id, asset_code FROM balances GROUP BY ledger_id, asset_code
          HAVING sum(available + on_hold) <> 0) x`),
      balancesNotEqualToFold: await one(`
        SELECT count(*) AS n FROM balances b LEFT JOIN LATERAL (
          SELECT coalesce(sum(CASE o.type WHEN 'CREDIT' THEN o.amount WHEN 'RELEASE' THEN o.amount
                                           WHEN 'ON_HOLD' THEN -o.amount
                                           WHEN 'DEBIT' THEN CASE WHEN o.on_hold_after < o.on_hold_before THEN 0 ELSE -o.amount END END), 0) AS available,
                 coalesce(sum(CASE o.type WHEN 'ON_HOLD' THEN o.amount WHEN 'RELEASE' THEN -o.amount
                                           WHEN 'DEBIT' THEN CASE WHEN o.on_hold_after < o.on_hold_before THEN -o.amount ELSE 0 END
                                           ELSE 0 END), 0) AS on_hold
            FROM operations o WHERE o.ledger_id = b.ledger_id AND o.balance_id = b.id) f ON true
        WHERE f.available <> b.available OR f.on_hold <> b.on_hold`),
      chainBreaks: await one(`
        SELECT count(*) AS n FROM (
          SELECT version_before, lag(version_after) OVER w AS prev_version,
                 available_before, lag(available_after) OVER w AS prev_available,
                 on_hold_before, lag(on_hold_after) OVER w AS prev_on_hold
            FROM operations WINDOW w AS (PARTITION BY ledger_id, balance_id ORDER BY version_after)) x
        WHERE prev_version IS NOT NULL AND (version_before <> prev_version OR available_before <> prev_available
              OR on_hold_before <> prev_on_hold)`),
      versionMismatches: await one(`
        SELECT count(*) AS n FROM balances b
         WHERE b.version <> coalesce((SELECT max(version_after) FROM operations o
                                       WHERE o.ledger_id = b.ledger_id AND o.balance_id = b.id), 0)`),
      negativeInternal: await one(`
        SELECT count(*) AS n FROM balances WHERE account_type <> 'external' AND (available < 0 OR on_hold < 0)`),
      unbalancedTransactions: await one(`
        SELECT count(*) AS n FROM (
          SELECT t.id FROM transactions t JOIN operations o ON o.ledger_id = t.ledger_id AND o.transaction_id = t.id
           WHERE t.status_code = 'APPROVED'
           GROUP BY t.id
          HAVING sum(CASE WHEN o.type = 'DEBIT' THEN o.amount ELSE 0 END)
              <> sum(CASE WHEN o.type = 'CREDIT' THEN o.amount ELSE 0 END)) x`),
    };
  } finally {
    await c.end();
  }
}

/** What checkBooks answers for clean books. */
export const CLEAN_BOOKS: BooksReport = {
  conservationBreaks: 0,
  balancesNotEqualToFold: 0,
  chainBreaks: 0,
  versionMismatches: 0,
  negativeInternal: 0,
  unbalancedTransactions: 0,
};

export function booksClean(r: BooksReport): boolean {
  return Object.values(r).every((n) => n === 0);
}
