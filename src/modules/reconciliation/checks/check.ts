import type Redis from 'ioredis';
import type { PoolClient } from 'pg';
import { LedgerFinding } from '../reconciliation.types';
import { balancesInScope, operationsInScope, transactionsInScope } from './sql';

/** What a run verifies: everything (full) or what changed since the checkpoint. */
export interface CheckScope {
  /** null: a full pass; otherwise rows changed at or after this time. */
  since: Date | null;
  /** Samples kept per check and ledger. */
  sampleLimit: number;
  /** A PENDING hold is stale this long after its expiresAt. */
  pendingGraceMs: number;
}

export interface CheckContext {
  /** The run's connection, inside its REPEATABLE READ READ ONLY snapshot. */
  db: PoolClient;
  redis: Redis;
  scope: CheckScope;
}

export interface CheckOutcome {
  scanned: number;
  findings: LedgerFinding[];
  info?: Record<string, number>;
  /** Set when the check could not run (e.g. Redis down); its findings are then empty. */
  skipped?: string;
}

/**
 * One invariant of the books. Each check is a small class with a name, a severity rule
 * (`raises`, applied per finding) and a bounded list of samples per ledger.
 */
export interface ReconciliationCheck {
  readonly name: string;
  readonly title: string;
  readonly raises: string;
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

interface GroupedRow {
  ledger_id: string;
  organization_id: string;
  n: string;
  critical: boolean;
  samples: LedgerFinding['samples'];
}

/**
 * A check written as SQL. `issuesSql` returns one row per issue with the columns
 * ledger_id, organization_id, sort_key (text), critical (boolean: CRITICAL, else WARNING) and
 * sample (jsonb: entity, id, expected, actual, details); this class counts them per ledger
 * and keeps the first `sampleLimit` samples of each. In an incremental run both queries get
 * the checkpoint as $1.
 */
export abstract class SqlCheck implements ReconciliationCheck {
  abstract readonly name: string;
  abstract readonly title: string;
  abstract readonly raises: string;
  /** false for checks that always look at everything (cheap through an index). */
  protected readonly incrementalCapable: boolean = true;

  /** `SELECT count(*) AS n ...` over the rows the check verifies. */
  protected abstract scannedSql(incremental: boolean, scope: CheckScope): string;
  protected abstract issuesSql(incremental: boolean, scope: CheckScope): string;

  async run({ db, scope }: CheckContext): Promise<CheckOutcome> {
    const incremental = this.incrementalCapable && scope.since !== null;
    const params = incremental ? [scope.since] : [];
    const scanned = await db.query<{ n: string }>(this.scannedSql(incremental, scope), params);
    const grouped = await db.query<GroupedRow>(groupPerLedger(this.issuesSql(incremental, scope), scope.sampleLimit), params);
    return {
      scanned: Number(scanned.rows[0]?.n ?? 0),
      findings: grouped.rows.map((r) => ({
        organizationId: r.organization_id,
        ledgerId: r.ledger_id,
        severity: r.critical ? 'CRITICAL' : 'WARNING',
        count: Number(r.n),
        samples: r.samples,
      })),
    };
  }
}

function groupPerLedger(issuesSql: string, sampleLimit: number): string {
  const limit = Math.max(1, Math.floor(sampleLimit));
  return `
    WITH issues AS MATERIALIZED (${issuesSql}),
    ranked AS (
      SELECT i.*, row_number() OVER (PARTITION BY i.ledger_id, i.critical ORDER BY i.sort_key) AS rn FROM issues i)
    SELECT ledger_id, min(organization_id::text) AS organization_id, critical, count(*)::text AS n,
           coalesce(jsonb_agg(sample || jsonb_build_object('ledgerId', ledger_id) ORDER BY rn) FILTER (WHERE rn <= ${limit}), '[]') AS samples
      FROM ranked
     GROUP BY ledger_id, critical
     ORDER BY count(*) DESC, ledger_id`;
}

/** A check over the balances in scope (changed since the checkpoint, or all of them). */
export abstract class BalanceSqlCheck extends SqlCheck {
  protected scannedSql(incremental: boolean): string {
    return `SELECT count(*) AS n FROM ${balancesInScope(incremental)} b`;
  }
}

/** A check over the transactions in scope (changed since the checkpoint, or all of them). */
export abstract class TransactionSqlCheck extends SqlCheck {
  protected scannedSql(incremental: boolean): string {
    return `SELECT count(*) AS n FROM ${transactionsInScope(incremental)} t`;
  }
}

/** A check over the operations in scope (of transactions changed since the checkpoint, or all of them). */
export abstract class OperationSqlCheck extends SqlCheck {
  protected scannedSql(incremental: boolean): string {
    return `SELECT count(*) AS n FROM ${operationsInScope(incremental)} o`;
  }
}
