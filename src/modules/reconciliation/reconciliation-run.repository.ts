import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../../infrastructure/database/pg-pool';
import { JOB_LOCK_CLASS } from '../../infrastructure/jobs/job-runner';
import { PreviousRun } from './domain/run-policy';
import { BooksStatus, CheckSummary, LedgerFinding, RunDelta, RunMode, RunTrigger } from './reconciliation.types';

/** The advisory lock a run holds on its own connection ("LEDG", 6): one run at a time per database. */
export const RUN_LOCK_KEYS = [JOB_LOCK_CLASS, 6] as const;
const LOCK = RUN_LOCK_KEYS;
const CHECKPOINT = 'books';

export interface NewRun {
  id: string;
  trigger: RunTrigger;
  mode: RunMode;
  modeReason: string;
  since: Date | null;
  previous: PreviousRun | null;
  instance: string;
}

export interface FinishedRun {
  id: string;
  status: BooksStatus;
  snapshotAt: Date;
  checkpointTo: Date | null;
  checks: CheckSummary[];
  delta: RunDelta;
  issueCount: number;
  findings: Array<LedgerFinding & { checkName: string }>;
}

/**
 * The SQL a run executes on its own connection: the lock, the checkpoint, the run row and its
 * findings (the checks' own SQL is in checks/).
 */
@Injectable()
export class ReconciliationRunRepository {
  private readonly pool: Pool;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.pool = pgPool(dataSource);
  }

  /** A connection of the shared pool, for one run (a run holds it from start to end). */
  connect(): Promise<PoolClient> {
    return this.pool.connect();
  }

  async tryLock(c: PoolClient): Promise<boolean> {
    const { rows } = await c.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock($1::int, $2::int) AS ok`, [...LOCK]);
    return rows[0].ok;
  }

  async unlock(c: PoolClient): Promise<void> {
    await c.query(`SELECT pg_advisory_unlock($1::int, $2::int)`, [...LOCK]);
  }

  /** Milliseconds (database clock) since the last run ended, or started if it never ended; null without runs. */
  async msSinceLastRun(c: PoolClient): Promise<number | null> {
    const { rows } = await c.query<{ ms: string }>(
      `SELECT (extract(epoch FROM now() - coalesce(finished_at, started_at)) * 1000)::bigint::text AS ms
         FROM reconciliation_runs ORDER BY started_at DESC LIMIT 1`,
    );
    return rows[0] ? Number(rows[0].ms) : null;
  }

  /** Runs left RUNNING by a process that died (called with the lock held, so none is alive). */
  async abandonRunning(c: PoolClient): Promise<number> {
    const res = await c.query(
      `UPDATE reconciliation_runs SET state = 'ABANDONED', finished_at = now(), error = 'the process running it stopped'
        WHERE state = 'RUNNING'`,
    );
    return res.rowCount ?? 0;
  }

  async readCheckpoint(c: PoolClient): Promise<{ verifiedUntil: Date; runsSinceFull: number } | null> {
    const { rows } = await c.query<{ verified_until: Date; runs_since_full: number }>(
      `SELECT verified_until, runs_since_full FROM reconciliation_checkpoint WHERE name = $1`,
      [CHECKPOINT],
    );
    return rows[0] ? { verifiedUntil: rows[0].verified_until, runsSinceFull: rows[0].runs_since_full } : null;
  }

  async previousFinished(c: PoolClient): Promise<PreviousRun | null> {
    const { rows } = await c.query<{ id: string; status: BooksStatus; checks: CheckSummary[] }>(
      `SELECT id, status, checks FROM reconciliation_runs WHERE state = 'FINISHED' ORDER BY started_at DESC, id DESC LIMIT 1`,
    );
    const r = rows[0];
    return r
      ? { id: r.id, status: r.status, checks: r.checks.map((ch) => ({ name: ch.name, issues: ch.issues, status: ch.status, lastProven: ch.lastProven })) }
      : null;
  }

  async insertRun(c: PoolClient, run: NewRun): Promise<Date> {
    const { rows } = await c.query<{ started_at: Date }>(
      `INSERT INTO reconciliation_runs (id, trigger, mode, mode_reason, state, since, previous_run_id, previous_status, instance)
       VALUES ($1, $2, $3, $4, 'RUNNING', $5, $6, $7, $8) RETURNING started_at`,
      [run.id, run.trigger, run.mode, run.modeReason, run.since, run.previous?.id ?? null, run.previous?.status ?? null, run.instance],
    );
    return rows[0].started_at;
  }

  /**
   * Opens the run's snapshot and answers its time and how far a checkpoint may advance: the
   * start of the oldest transaction still open elsewhere (its rows carry that time and are
   * not visible yet), or now.
   */
  async openSnapshot(c: PoolClient, statementTimeoutMs: number): Promise<{ snapshotAt: Date; safeUntil: Date }> {
    await c.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`);
    const { rows } = await c.query<{ snapshot_at: Date; safe_until: Date }>(
      // To the millisecond, rounded down, as postings stamp their rows (posting batchScope).
      `SELECT now() AS snapshot_at,
              date_trunc('milliseconds', least(now(), (SELECT min(xact_start) FROM pg_stat_activity
                             WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL))) AS safe_until`,
    );
    // For the checks that follow (each in its own savepoint).
    await c.query(`SELECT set_config('statement_timeout', $1, true)`, [String(statementTimeoutMs)]);
    // Full passes aggregate every operation: let them hash in memory rather than sort on disk.
    await c.query(`SET LOCAL work_mem = '64MB'`);
    return { snapshotAt: rows[0].snapshot_at, safeUntil: rows[0].safe_until };
  }

  /** Stores a finished run, its findings and the new checkpoint, and prunes old runs, in one transaction. */
  async finishRun(c: PoolClient, run: FinishedRun, retentionDays: number, advanceCheckpoint: { full: boolean } | null): Promise<void> {
    await c.query('BEGIN');
    try {
      await c.query(
        `UPDATE reconciliation_runs
            SET state = 'FINISHED', status = $2, status_changed = $3, snapshot_at = $4, checkpoint_to = $5, checks = $6,
                delta = $7, issue_count = $8, finished_at = clock_timestamp(),
                duration_ms = (extract(epoch FROM clock_timestamp() - started_at) * 1000)::int
          WHERE id = $1`,
        [run.id, run.status, run.delta.status.changed, run.snapshotAt, run.checkpointTo, JSON.stringify(run.checks),
         JSON.stringify(run.delta), run.issueCount],
      );
      if (run.findings.length > 0) {
        await c.query(
          `INSERT INTO reconciliation_findings (run_id, check_name, organization_id, ledger_id, severity, issue_count, samples)
           SELECT $1, * FROM unnest($2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::bigint[], $7::jsonb[])`,
          [
            run.id,
            run.findings.map((f) => f.checkName),
            run.findings.map((f) => f.organizationId),
            run.findings.map((f) => f.ledgerId),
            run.findings.map((f) => f.severity),
            run.findings.map((f) => String(f.count)),
            run.findings.map((f) => JSON.stringify(f.samples)),
          ],
        );
      }
      if (advanceCheckpoint && run.checkpointTo) {
        await c.query(
          `INSERT INTO reconciliation_checkpoint (name, verified_until, runs_since_full, last_run_id, last_full_run_id)
           VALUES ($1, $2, 0, $3, $3)
           ON CONFLICT (name) DO UPDATE SET
             verified_until = GREATEST(reconciliation_checkpoint.verified_until, EXCLUDED.verified_until),
             runs_since_full = CASE WHEN $4 THEN 0 ELSE reconciliation_checkpoint.runs_since_full + 1 END,
             last_run_id = EXCLUDED.last_run_id,
             last_full_run_id = CASE WHEN $4 THEN EXCLUDED.last_run_id ELSE reconciliation_checkpoint.last_full_run_id END,
             updated_at = now()`,
          [CHECKPOINT, run.checkpointTo, run.id, advanceCheckpoint.full],
        );
      }
      await c.query(
        `DELETE FROM reconciliation_runs WHERE started_at < now() - make_interval(days => $1) AND id <> $2 AND state <> 'RUNNING'`,
        [retentionDays, run.id],
      );
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** Marks a run FAILED on a connection of its own (the run's connection may be the one that failed). */
  async failRun(id: string, error: string): Promise<void> {
    await this.pool.query(
      `UPDATE reconciliation_runs SET state = 'FAILED', error = $2, finished_at = clock_timestamp(),
              duration_ms = (extract(epoch FROM clock_timestamp() - started_at) * 1000)::int
        WHERE id = $1 AND state = 'RUNNING'`,
      [id, error],
    );
  }
}
